//! The keychain as the tests see it: items read and written directly through the Secret Service
//! (not through alicli), and a session bus that never answers.

use std::os::unix::net::UnixListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use tempfile::TempDir;

use super::Sandbox;

/// The account of a profile's item, as README documents it: `<profile>@<config file>`, the
/// file's directory resolved.
pub fn account(config: &Path, profile: &str) -> String {
    let dir = std::fs::canonicalize(config.parent().unwrap()).unwrap();
    format!(
        "{profile}@{}",
        dir.join(config.file_name().unwrap()).display()
    )
}

fn entry(account: &str) -> keyring::Entry {
    let credential =
        keyring::secret_service::SsCredential::new_with_target(None, "alicli", account).unwrap();
    keyring::Entry::new_with_credential(Box::new(credential))
}

/// The JSON a profile's item holds, or `None` when there is no item.
pub fn item(sandbox: &Sandbox, profile: &str) -> Option<Value> {
    match entry(&account(&sandbox.config_path(), profile)).get_secret() {
        Ok(bytes) => Some(serde_json::from_slice(&bytes).expect("the item holds JSON")),
        Err(keyring::Error::NoEntry) => None,
        Err(error) => panic!("cannot read the keychain: {error}"),
    }
}

/// Replaces a profile's item, as a hand edit in the keychain's own tool would.
pub fn write_item(sandbox: &Sandbox, profile: &str, value: &Value) {
    entry(&account(&sandbox.config_path(), profile))
        .set_secret(value.to_string().as_bytes())
        .unwrap();
}

/// Removes the items of the named profiles when dropped, so that a test leaves nothing behind in
/// the keyring it shares with the others.
pub struct Items(Vec<String>);

impl Items {
    /// The items of `profiles` of the sandbox's config.json.
    pub fn of(sandbox: &Sandbox, profiles: &[&str]) -> Self {
        std::fs::create_dir_all(sandbox.config_path().parent().unwrap()).unwrap();
        let config = sandbox.config_path();
        Self(profiles.iter().map(|p| account(&config, p)).collect())
    }
}

impl Drop for Items {
    fn drop(&mut self) {
        for account in &self.0 {
            let _ = entry(account).delete_credential();
        }
    }
}

/// A session bus that accepts connections and never says a word, as a hung or locked keyring
/// looks to a client. Counts the connections made to it.
pub struct SilentBus {
    _dir: TempDir,
    /// The value for DBUS_SESSION_BUS_ADDRESS.
    pub address: String,
    connections: Arc<AtomicUsize>,
}

impl SilentBus {
    /// Starts listening.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bus");
        let listener = UnixListener::bind(&path).unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&connections);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        Self {
            address: format!("unix:path={}", path.display()),
            _dir: dir,
            connections,
        }
    }

    /// How many connections were made to it.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
