//! Keychain storage (`--storage keychain`): a profile's OAuth session kept in the operating
//! system's keychain instead of config.json, while config.json keeps a profile every official
//! tool can use.
//!
//! Item layout, version 1: one item per profile, service `alicli`, account
//! `<profile>@<config file>` (the file's absolute path with its directory resolved, so two files
//! never share items and one file reached through two spellings does). Its secret is one JSON
//! object with the profile file's own key names:
//!
//! ```json
//! {"version": 1,
//!  "oauth_access_token": "…", "oauth_access_token_expire": 1795341600,
//!  "oauth_refresh_token": "…", "oauth_refresh_token_expire": 0,
//!  "access_key_id": "STS.…", "access_key_secret": "…", "sts_token": "…", "sts_expiration": 1795341600}
//! ```
//!
//! Empty strings and zero expiries mean what they mean in config.json (absent, unknown). One item
//! per session keeps a renewal one write and a cached read one round trip. The account and
//! everything else that is not a secret stays in config.json.

mod backend;
mod command;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

pub use backend::{Fault, STORE};
pub use command::{is_own_command, process_command};

use crate::session::record::{FlatSession, OAuthSession};

/// The version of the item's JSON this alicli writes and reads.
const VERSION: u32 = 1;

/// The keychain item of one profile of one profile file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    account: String,
}

/// The item's secret, as stored.
#[derive(Serialize, Deserialize, Default)]
struct Stored {
    #[serde(default)]
    version: u32,
    #[serde(flatten)]
    session: FlatSession,
}

impl Item {
    /// The item of profile `profile` in the profile file at `config`.
    pub fn of(config: &Path, profile: &str) -> Self {
        Self {
            account: format!("{profile}@{}", file_identity(config).display()),
        }
    }

    /// The account name the item is filed under (beside the service `alicli`).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The session the item holds, without its account (config.json keeps that); `None` when
    /// there is no item.
    pub fn read(&self) -> Result<Option<OAuthSession>, Fault> {
        let Some(mut bytes) = backend::get(&self.account)? else {
            return Ok(None);
        };
        let parsed = serde_json::from_slice::<Stored>(&bytes);
        bytes.zeroize();
        let stored = parsed.map_err(|e| {
            // Position only: the text holds secrets.
            Fault::Failed(format!(
                "the item `{}` is not an alicli session (line {}, column {})",
                self.account,
                e.line(),
                e.column()
            ))
        })?;
        if stored.version != VERSION {
            return Err(Fault::Failed(format!(
                "the item `{}` holds a session of version {}, which this alicli cannot read",
                self.account, stored.version
            )));
        }
        Ok(Some(stored.session.session(None)))
    }

    /// Stores `session` (all of it but the account), replacing what the item held.
    pub fn write(&self, session: &OAuthSession) -> Result<(), Fault> {
        let stored = Stored {
            version: VERSION,
            session: FlatSession::of(session),
        };
        let bytes = serde_json::to_vec(&stored)
            .map_err(|e| Fault::Failed(format!("cannot encode the session: {e}")))?;
        backend::set(&self.account, bytes)
    }

    /// Removes the item; `false` when there was none.
    pub fn remove(&self) -> Result<bool, Fault> {
        backend::delete(&self.account)
    }
}

/// Checks that the keychain is there, unlocked and writable, by storing and removing a probe
/// item beside the items of the file at `config`. Run before anything is asked of the user or
/// written, so that `--storage keychain` fails at once rather than after a browser sign-in.
pub fn probe(config: &Path) -> Result<(), Fault> {
    let account = format!("{}#probe", file_identity(config).display());
    backend::set(&account, b"{}".to_vec())?;
    backend::delete(&account).map(|_| ())
}

/// The path that names a profile file in item accounts: absolute, with its directory resolved
/// (the file itself may not exist yet, and a symlinked file keeps the link's name).
fn file_identity(config: &Path) -> PathBuf {
    let absolute = std::path::absolute(config).unwrap_or_else(|_| config.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|dir| dir.join(name))
            .unwrap_or(absolute),
        _ => absolute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::credentials::Credentials;
    use crate::secret::Secret;
    use crate::session::record::Token;

    #[test]
    fn a_session_survives_the_item_format() {
        let session = OAuthSession {
            access_token: Some(Token {
                secret: Secret::new("at"),
                expires_at: Some(1000),
            }),
            refresh_token: Some(Token {
                secret: Secret::new("rt"),
                expires_at: None,
            }),
            sts: Some(Credentials {
                access_key_id: "STS.id".into(),
                access_key_secret: Secret::new("s"),
                security_token: Some(Secret::new("t")),
                expiration: Some(2000),
            }),
            account_id: None,
        };
        let stored = Stored {
            version: VERSION,
            session: FlatSession::of(&session),
        };
        let bytes = serde_json::to_vec(&stored).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with(r#"{"version":1,"oauth_access_token":"at","#),
            "{text}"
        );
        let back = serde_json::from_slice::<Stored>(&bytes).unwrap();
        assert_eq!(back.session.session(None), session);
        let empty = FlatSession::of(&OAuthSession::default()).session(None);
        assert_eq!(empty, OAuthSession::default());
    }

    #[test]
    fn items_are_named_by_profile_and_resolved_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.json");
        let item = Item::of(&config, "work");
        let real = std::fs::canonicalize(dir.path())
            .unwrap()
            .join("config.json");
        assert_eq!(item.account(), format!("work@{}", real.display()));
        let spelled = dir.path().join(".").join("config.json");
        assert_eq!(Item::of(&spelled, "work"), item);
        assert_ne!(Item::of(&config, "other"), item);
    }
}
