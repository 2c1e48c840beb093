//! `--storage file|keychain`: choosing where a session is kept, refusing the keychain at once when
//! it cannot hold one, tidying up after a session left it, what to tell the user when the
//! keychain fails, and reading the sessions of many profiles for the views.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

use super::prompt;
use crate::cli::StorageArg;
use crate::error::with_hint;
use crate::keychain::{self, Fault};
use crate::profile::{ConfigFile, Mode, Profile, Storage, chain, storage};
use crate::session::record::OAuthSession;
use crate::session::state::{Margins, State};

impl From<StorageArg> for Storage {
    fn from(arg: StorageArg) -> Self {
        match arg {
            StorageArg::File => Storage::File,
            StorageArg::Keychain => Storage::Keychain,
        }
    }
}

/// Where a sign-in keeps the session: the flag, else where the profile keeps it now, else the
/// file (what the official tools read natively).
pub fn for_sign_in(flag: Option<StorageArg>, existing: Option<&Profile>) -> Storage {
    match (flag, existing) {
        (Some(flag), _) => flag.into(),
        (None, Some(profile)) if profile.mode == Mode::OAuth => profile.storage,
        _ => Storage::File,
    }
}

/// Where an import keeps the session: the flag; else, on a terminal, the user's answer; else
/// the file.
pub fn for_import(flag: Option<StorageArg>) -> Result<Storage> {
    if let Some(flag) = flag {
        return Ok(flag.into());
    }
    if !prompt::interactive() {
        return Ok(Storage::File);
    }
    loop {
        let answer = prompt::ask(
            "Keep the session in config.json (file) or in the OS keychain (keychain)? [file]: ",
            "file",
        )?;
        match answer.trim().to_ascii_lowercase().as_str() {
            "file" | "f" => return Ok(Storage::File),
            "keychain" | "k" => return Ok(Storage::Keychain),
            _ => stderrln!("Answer `file` or `keychain`."),
        }
    }
}

/// Refuses keychain storage at once, before anything is asked or written, when the keychain
/// cannot take an item now: no Secret Service, a locked keychain, no keychain on this system.
/// Never falls back to the file.
pub fn ensure_usable(storage: Storage, config: &Path) -> Result<()> {
    if storage != Storage::Keychain {
        return Ok(());
    }
    keychain::probe(config).map_err(|fault| {
        let hint = format!(
            "{}; or keep the session in config.json with `--storage file`",
            fault_hint(&fault)
        );
        with_hint(
            anyhow::Error::new(fault)
                .context("cannot keep the session in the keychain; nothing was written"),
            hint,
        )
    })
}

/// What to do about a keychain fault, as a hint line.
pub fn fault_hint(fault: &Fault) -> String {
    match fault {
        Fault::Unreachable(_) => "start a Secret Service in this session, e.g. \
             `gnome-keyring-daemon --start --components=secrets` (over SSH without a desktop, \
             run `dbus-run-session -- $SHELL` first)"
            .to_owned(),
        Fault::Locked(_) | Fault::Timeout if cfg!(target_os = "linux") => {
            "unlock the keyring (log in to the desktop, or run \
             `gnome-keyring-daemon --replace --unlock --components=secrets` and type its password)"
                .to_owned()
        }
        Fault::Locked(_) | Fault::Timeout => {
            "unlock the keychain, then run the command again".into()
        }
        Fault::Unsupported => "this system has no keychain alicli can use".into(),
        Fault::TooLarge(_) | Fault::Failed(_) => "`alicli doctor` checks the keychain".into(),
    }
}

/// The hint for an error that came from the keychain, if it did: how to reach it, or how to do
/// without it by signing in again with the session in config.json.
pub fn keychain_hint(error: &anyhow::Error, relogin: &str) -> Option<String> {
    let fault = error.chain().find_map(|e| e.downcast_ref::<Fault>())?;
    Some(format!(
        "{}; or sign in again keeping the session in config.json: `{relogin} --storage file`",
        fault_hint(fault)
    ))
}

/// After a session left the keychain (moved to config.json, or its profile replaced), removes
/// the old item. A failure leaves only an item nothing points to any more: a warning.
pub fn tidy(before: Storage, after: Storage, config: &Path, name: &str) {
    if before == Storage::Keychain
        && after != Storage::Keychain
        && let Err(fault) = storage::forget(config, name)
    {
        stderrln!(
            "warning: the old keychain item of profile `{name}` could not be removed: {fault}"
        );
    }
}

/// Where a storage is, in a sentence.
pub fn place(storage: Storage) -> &'static str {
    match storage {
        Storage::File => "config.json",
        Storage::Keychain => keychain::STORE,
    }
}

/// The profiles of one file as the views show them (`configure list`, `prompt`, `validate
/// --local`), each keychain session read at most once. The first keychain failure ends the
/// reads: the keychain will not answer for the next profile either, and each try may take
/// seconds. A keychain profile read after that has no session, so its state is unknown.
pub struct Sessions<'a> {
    file: &'a ConfigFile,
    path: &'a Path,
    read: HashMap<String, OAuthSession>,
    fault: Option<Fault>,
}

impl<'a> Sessions<'a> {
    /// The profiles of `file`, the file at `path`.
    pub fn new(file: &'a ConfigFile, path: &'a Path) -> Self {
        Self {
            file,
            path,
            read: HashMap::new(),
            fault: None,
        }
    }

    /// The file.
    pub fn file(&self) -> &'a ConfigFile {
        self.file
    }

    /// Profile `name` with its session; `None` when it is missing or malformed.
    pub fn profile(&mut self, name: &str) -> Option<Profile> {
        let mut profile = self.file.profile(name, self.path).ok().flatten()?;
        if profile.storage != Storage::Keychain {
            return Some(profile);
        }
        if let Some(session) = self.read.get(name) {
            profile.keychain_session = Some(session.clone());
        } else if self.fault.is_none() {
            match storage::load(&mut profile, self.path) {
                Ok(()) => {
                    let session = profile.keychain_session.clone().unwrap_or_default();
                    self.read.insert(name.to_owned(), session);
                }
                Err(fault) => self.fault = Some(fault),
            }
        }
        Some(profile)
    }

    /// What profile `name` is good for at `now`, its role chain included.
    pub fn state(&mut self, name: &str, now: i64) -> State {
        let file = self.file;
        chain::state(file, name, now, Margins::DEFAULT, &mut |n| self.profile(n))
    }

    /// The keychain failure that ended the reads, if one did.
    pub fn fault(&self) -> Option<&Fault> {
        self.fault.as_ref()
    }
}
