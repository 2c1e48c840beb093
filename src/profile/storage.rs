//! Where a profile's OAuth session is kept, and the two operations every writer and reader of a
//! session goes through: [`load`] and [`save`].
//!
//! - **File** (the default): the session's keys sit in the profile in config.json, where the
//!   official CLI and SDKs read them natively. Nothing else is opened for these profiles.
//! - **Keychain**: the session sits in one OS keychain item ([`crate::keychain`]); the profile in
//!   config.json is `mode: "External"` with a `process_command` that runs alicli, plus the marker
//!   [`keys::ALICLI_STORAGE`], and holds no secret. alicli reads the item directly.
//!
//! Renewal, sign-in, import, sign-out and the views all meet the session here, so a keychain
//! session is renewed under the same lock, by the same code, as a file one.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Map, Value};

use super::{ConfigFile, Mode, Profile, keys};
use crate::keychain::{self, Fault, Item};
use crate::session::record::OAuthSession;

/// Where a profile's OAuth session is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Storage {
    /// In config.json.
    #[default]
    File,
    /// In the OS keychain.
    Keychain,
}

/// The marker's value for keychain profiles.
const KEYCHAIN: &str = "keychain";

impl Storage {
    /// The word used on the command line, in listings and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Storage::File => "file",
            Storage::Keychain => KEYCHAIN,
        }
    }

    /// Where profile `raw` of the file at `config` keeps its session: the keychain when it
    /// carries the marker, or when it is an External profile running alicli for itself (the Go
    /// and Java SDKs drop unknown keys, the marker among them, when they write a profile back).
    pub fn of_raw(raw: &Map<String, Value>, config: &Path) -> Self {
        let text = |key: &str| raw.get(key).and_then(Value::as_str);
        if text(keys::ALICLI_STORAGE) == Some(KEYCHAIN) {
            return Storage::Keychain;
        }
        let own_command = match (text(keys::MODE), text(keys::NAME)) {
            (Some("External"), Some(name)) => text(keys::PROCESS_COMMAND)
                .is_some_and(|command| keychain::is_own_command(command, name, config)),
            _ => false,
        };
        if own_command {
            Storage::Keychain
        } else {
            Storage::File
        }
    }
}

/// Reads the session of a keychain profile from its item, so that [`Profile::oauth_session`] and
/// every view built on it see it. A file profile already holds its session: nothing is opened.
/// A keychain profile whose item is gone is signed out.
pub fn load(profile: &mut Profile, config: &Path) -> Result<(), Fault> {
    if profile.storage == Storage::Keychain && profile.keychain_session.is_none() {
        let session = Item::of(config, &profile.name).read()?;
        tracing::debug!(
            profile = profile.name,
            found = session.is_some(),
            "read the session from the keychain"
        );
        profile.keychain_session = Some(session.unwrap_or_default());
    }
    Ok(())
}

/// Writes the whole `session` into profile `name`, kept as `storage`, and shapes the profile for
/// it: an OAuth profile holding the session's keys, or an External profile running alicli with
/// the session in the keychain (an empty session removes the item). Meant to run inside a store
/// update: the keychain is written first, so a keychain that fails leaves config.json unwritten.
/// Returns where the session was kept before; a caller moving it out of the keychain removes the
/// old item with [`forget`] once config.json is written.
pub fn save(
    file: &mut ConfigFile,
    config: &Path,
    name: &str,
    storage: Storage,
    session: &OAuthSession,
) -> Result<Storage> {
    let before = file
        .raw_profile(name)
        .map_or(Storage::File, |raw| Storage::of_raw(raw, config));
    match storage {
        Storage::File => {
            if before == Storage::Keychain {
                remove_keys(file, name, &[keys::ALICLI_STORAGE, keys::PROCESS_COMMAND]);
            }
            file.set_fields(name, [(keys::MODE, Mode::OAuth.as_str().into())]);
            file.apply_session(name, session);
        }
        Storage::Keychain => {
            let item = Item::of(config, name);
            if session.is_signed_out() {
                item.remove()?;
            } else {
                item.write(session)?;
            }
            tracing::debug!(profile = name, "wrote the session to the keychain");
            let exe = std::env::current_exe()
                .context("cannot find alicli's own path for the profile's `process_command`")?;
            file.set_fields(
                name,
                [
                    (keys::MODE, Mode::External.as_str().into()),
                    (
                        keys::PROCESS_COMMAND,
                        keychain::process_command(&exe, name, config).into(),
                    ),
                    (keys::ALICLI_STORAGE, KEYCHAIN.into()),
                ],
            );
            // No secret in the file: not ours, and not an SDK's cached copy of the STS
            // credentials it got from the command (the Python and Go SDKs write those back).
            remove_keys(file, name, &keys::SESSION_KEYS);
            file.set_account(name, session.account_id.as_deref());
        }
    }
    Ok(before)
}

/// Removes the keychain item of a session that is no longer kept there (moved to the file, or
/// its profile deleted). `false` when there was none.
pub fn forget(config: &Path, name: &str) -> Result<bool, Fault> {
    Item::of(config, name).remove()
}

fn remove_keys(file: &mut ConfigFile, name: &str, keys: &[&str]) {
    for key in keys {
        file.remove_field(name, key);
    }
}
