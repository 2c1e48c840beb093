//! The operating system's own secret store, through the `keyring` crate: the freedesktop Secret
//! Service on Linux, the login Keychain on macOS, the Credential Manager on Windows. Other systems
//! have none here, and say so; nothing falls back to a file or to memory.
//!
//! Every call runs on a thread of its own and is given [`DEADLINE`]: a locked keychain waits for
//! someone to type its password, and a session bus nobody answers on waits forever, so without a
//! deadline one locked keychain would hang every command and every shell prompt.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use zeroize::Zeroize;

/// The service name every alicli item is filed under.
pub const SERVICE: &str = "alicli";

/// How long one keychain call may take before alicli gives up on it.
pub const DEADLINE: Duration = Duration::from_secs(3);

/// The store's name, as people know it.
pub const STORE: &str = if cfg!(target_os = "macos") {
    "the macOS Keychain"
} else if cfg!(windows) {
    "the Windows Credential Manager"
} else {
    "the Secret Service (the desktop keyring)"
};

/// Why a keychain call failed. No variant carries a secret: platform errors are kept as text, and
/// the crate's own error (whose `BadEncoding` holds the item's bytes) is never formatted whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    /// No store answers: no Secret Service on the session bus, or no session bus at all.
    #[error("cannot reach {STORE}: {0}")]
    Unreachable(String),
    /// The store is there but keeps its items locked (or refused us).
    #[error("{STORE} is locked or refused access: {0}")]
    Locked(String),
    /// No answer within [`DEADLINE`].
    #[error(
        "{STORE} did not answer within {} s; it is most likely locked and waiting for its password",
        DEADLINE.as_secs()
    )]
    Timeout,
    /// The store cannot hold an item this large.
    #[error("the session is too large for {STORE} ({0})")]
    TooLarge(String),
    /// Anything else the store reported.
    #[error("{STORE} failed: {0}")]
    Failed(String),
    /// This operating system has no store alicli can use.
    #[cfg_attr(
        any(target_os = "linux", target_os = "macos", windows),
        allow(dead_code)
    )]
    #[error("keychain storage is not available on this operating system")]
    Unsupported,
}

/// The bytes stored under `account`, or `None` when there is no such item.
pub fn get(account: &str) -> Result<Option<Vec<u8>>, Fault> {
    let account = account.to_owned();
    within_deadline(move || platform::get(&account))
}

/// Stores `bytes` under `account`, replacing what was there. The bytes are wiped afterwards.
pub fn set(account: &str, mut bytes: Vec<u8>) -> Result<(), Fault> {
    let account = account.to_owned();
    within_deadline(move || {
        let result = platform::set(&account, &bytes);
        bytes.zeroize();
        result
    })
}

/// Removes the item under `account`; `false` when there was none.
pub fn delete(account: &str) -> Result<bool, Fault> {
    let account = account.to_owned();
    within_deadline(move || platform::delete(&account))
}

/// Runs `call` on its own thread and waits at most [`DEADLINE`] for it. A call that overruns is
/// left behind (it holds nothing of ours but its own copy of the data); the process goes on.
fn within_deadline<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, Fault> + Send + 'static,
) -> Result<T, Fault> {
    let (sender, receiver) = mpsc::sync_channel(1);
    thread::Builder::new()
        .name("keychain".into())
        .spawn(move || {
            let _ = sender.send(call());
        })
        .map_err(|e| Fault::Failed(format!("cannot start a thread: {e}")))?;
    match receiver.recv_timeout(DEADLINE) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Fault::Timeout),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Fault::Failed(
            "the keychain call ended without an answer".into(),
        )),
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod platform {
    use keyring::Entry;
    use keyring::Error as KeyringError;

    use super::{Fault, SERVICE};

    pub fn get(account: &str) -> Result<Option<Vec<u8>>, Fault> {
        match entry(account)?.get_secret() {
            Ok(bytes) => Ok(Some(bytes)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(error) => Err(fault(error)),
        }
    }

    pub fn set(account: &str, bytes: &[u8]) -> Result<(), Fault> {
        entry(account)?.set_secret(bytes).map_err(fault)
    }

    pub fn delete(account: &str) -> Result<bool, Fault> {
        match entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(error) => Err(fault(error)),
        }
    }

    /// The item for `account`, in the platform's store by name, so that no build can end up on
    /// the crate's in-memory mock store: on Linux in the default collection (the login keyring),
    /// on macOS in the default keychain, on Windows as a generic credential.
    fn entry(account: &str) -> Result<Entry, Fault> {
        #[cfg(target_os = "macos")]
        use keyring::macos::MacCredential as Native;
        #[cfg(target_os = "linux")]
        use keyring::secret_service::SsCredential as Native;
        #[cfg(windows)]
        use keyring::windows::WinCredential as Native;
        let credential = Native::new_with_target(None, SERVICE, account).map_err(fault)?;
        Ok(Entry::new_with_credential(Box::new(credential)))
    }

    /// The crate's error as a [`Fault`], keeping only text that cannot hold the item's secret.
    fn fault(error: KeyringError) -> Fault {
        use std::error::Error as _;
        let cause = error
            .source()
            .map(ToString::to_string)
            .unwrap_or_else(|| "no details".into());
        match error {
            // The Secret Service refuses to create an item in a locked collection with this
            // D-Bus error, which the crate passes on as a platform failure.
            KeyringError::PlatformFailure(_) if cause.contains("Secret.Error.IsLocked") => {
                Fault::Locked(cause)
            }
            // Otherwise, on Linux, nearly always the bus: none at all, or nobody on it owning
            // `org.freedesktop.secrets`.
            KeyringError::PlatformFailure(_) if cfg!(target_os = "linux") => {
                Fault::Unreachable(cause)
            }
            KeyringError::PlatformFailure(_) => Fault::Failed(cause),
            KeyringError::NoStorageAccess(_) => Fault::Locked(cause),
            KeyringError::TooLong(what, limit) => {
                Fault::TooLarge(format!("its {what} is limited to {limit}"))
            }
            KeyringError::Ambiguous(items) => Fault::Failed(format!(
                "{} items match where one was expected; remove the extra ones with the keychain's own tool",
                items.len()
            )),
            KeyringError::Invalid(what, why) => Fault::Failed(format!("{what} is invalid: {why}")),
            KeyringError::NoEntry => Fault::Failed("the item disappeared".into()),
            KeyringError::BadEncoding(_) => Fault::Failed("the item is not text".into()),
            _ => Fault::Failed("an unknown error".into()),
        }
    }
}

/// Elsewhere the `keyring` crate would quietly keep secrets in memory only: refuse instead.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod platform {
    use super::Fault;

    pub fn get(_account: &str) -> Result<Option<Vec<u8>>, Fault> {
        Err(Fault::Unsupported)
    }

    pub fn set(_account: &str, _bytes: &[u8]) -> Result<(), Fault> {
        Err(Fault::Unsupported)
    }

    pub fn delete(_account: &str) -> Result<bool, Fault> {
        Err(Fault::Unsupported)
    }
}
