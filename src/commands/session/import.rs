//! `alicli session import --session-archive F [--profile NAME] [--force] [--storage S]`: a
//! session exported on another machine, into this machine's profile store (config.json, or the
//! OS keychain with `--storage keychain`).
//!
//! Everything is checked before anything is written: the passphrase, the archive's integrity and
//! version, the profile name (no path separators, no `..`), a name collision, expiry, and that the
//! keychain can take the session when it is to keep it. The only file written is the profile
//! store, under its lock (after the keychain item, for keychain storage); the archive names no
//! paths.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use serde_json::Value;

use super::{archive_passphrase, renewal_clause, when};
use crate::cli::SessionImportArgs;
use crate::clock;
use crate::commands::resolve::{choose_file, relogin_command};
use crate::commands::settings::Settings;
use crate::commands::{invalid_name, prompt, storage};
use crate::error::{SignInNeeded, with_hint};
use crate::keychain;
use crate::profile::name::{NameError, RULE, check_new_name};
use crate::profile::{self, ConfigFile, Storage, Store, keys};
use crate::session::archive::{ArchiveError, MAX_ARCHIVE_LEN, SessionArchive, decode};
use crate::session::state::{Margins, SessionTimes, State};
use crate::site::Site;

/// Runs `session import`.
pub async fn run(args: SessionImportArgs, settings: &Settings) -> Result<()> {
    let (store, config_hint) = choose_file(settings, args.config_path.as_deref())?;
    let file = store.load()?;
    // A name the rule refuses stops us before the passphrase is asked; a taken one is dealt
    // with after decoding, like the archive's own name.
    if let Some(name) = &args.profile
        && let Err(Unusable::Invalid(error)) = usable(&file, name, args.force)
    {
        return Err(invalid_name(error));
    }
    let source = &args.session_archive;
    let bytes = read_archive(source)?;
    let passphrase = archive_passphrase(settings, false)?;
    let archive = decode(&bytes, &passphrase).map_err(|e| archive_error(e, source))?;
    let name = match &args.profile {
        Some(name) => name.clone(),
        None => archive.profile.name.clone(),
    };
    let name = free_name(&file, &store, name, args.force)?;

    let now = clock::now_unix();
    let session = archive.session();
    let times = SessionTimes::of(&session);
    let site = Site::parse(&archive.profile.oauth_site_type).unwrap_or(Site::Cn);
    let relogin = relogin_command(&name, site, config_hint.as_deref());
    let state = times.state(now, Margins::DEFAULT);
    if let Some(reason) = state.sign_in_reason() {
        return Err(with_hint(
            SignInNeeded {
                profile: name,
                reason: format!(
                    "{reason} (exported {}); nothing was imported",
                    when(archive.exported_at, now)
                ),
            },
            format!("sign in on this machine with `{relogin}`"),
        ));
    }

    let kept = storage::for_import(args.storage)?;
    storage::ensure_usable(kept, store.path())?;
    let before = store.update(|file| {
        // Re-checked under the lock: another process may have created the name meanwhile.
        let before = match file.raw_profile(&name) {
            Some(_) if !args.force => return Err(exists_error(&name, &store)),
            Some(raw) => Storage::of_raw(raw, store.path()),
            None => Storage::File,
        };
        file.remove(&name);
        file.set_fields(&name, settings_fields(&archive));
        profile::storage::save(file, store.path(), &name, kept, &session)?;
        if file.current().is_none() {
            file.set_current(&name);
        }
        Ok(before)
    })?;
    storage::tidy(before, kept, store.path(), &name);

    let into = match kept {
        Storage::File => String::new(),
        Storage::Keychain => format!(", its secrets into {}", keychain::STORE),
    };
    stderrln!(
        "Imported session `{}` as profile `{name}` into {}{into}.",
        archive.profile.name,
        store.path().display()
    );
    match state {
        State::Fresh {
            sts_expires_at: at, ..
        } => stderrln!(
            "Its STS credentials are valid until {}; {}.",
            when(at, now),
            renewal_clause(&times, now)
        ),
        _ => stderrln!(
            "Its STS credentials have expired; alicli renews them on first use ({}).",
            renewal_clause(&times, now)
        ),
    }
    Ok(())
}

fn read_archive(source: &Path) -> Result<Vec<u8>> {
    let shown = source.display();
    let mut bytes = Vec::new();
    let limit = MAX_ARCHIVE_LEN as u64 + 1;
    if source == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .context("cannot read the session archive from standard input")?;
    } else {
        std::fs::File::open(source)
            .and_then(|file| file.take(limit).read_to_end(&mut bytes))
            .with_context(|| format!("cannot read the session archive `{shown}`"))?;
    }
    Ok(bytes)
}

fn archive_error(error: ArchiveError, source: &Path) -> anyhow::Error {
    let hint = match &error {
        ArchiveError::WrongPassphrase => {
            "check the passphrase (typed, or in ALICLI_SESSION_PASSPHRASE) and try again"
        }
        ArchiveError::Damaged | ArchiveError::TooLarge(_) => {
            "copy the archive again (as a binary-safe copy), or export it again"
        }
        ArchiveError::UnsupportedVersion(_) => {
            "use the same alicli version on both machines, or export again with this one"
        }
        _ => "pass the file that `alicli session export` wrote",
    };
    with_hint(
        anyhow::Error::new(error).context(format!(
            "cannot import `{}`; nothing was written",
            source.display()
        )),
        hint,
    )
}

fn exists_error(name: &str, store: &Store) -> anyhow::Error {
    with_hint(
        anyhow!(
            "profile `{name}` already exists in `{}`; nothing was written",
            store.path().display()
        ),
        "import under another name with `--profile NAME`, or replace it with `--force`",
    )
}

/// Why a name cannot be imported into.
enum Unusable {
    /// The name rule refuses it (it would be a new profile).
    Invalid(NameError),
    /// A profile of that name exists, and `--force` was not given.
    Taken,
}

/// Whether `name` can receive the import: an existing profile only with `force` (whatever its
/// name, since another tool may have chosen it); a new one only under the name rule.
fn usable(file: &ConfigFile, name: &str, force: bool) -> Result<(), Unusable> {
    match file.raw_profile(name) {
        Some(_) if force => Ok(()),
        Some(_) => Err(Unusable::Taken),
        None => check_new_name(name).map_err(Unusable::Invalid),
    }
}

/// The name to import as: `name` when usable; on a terminal, another name the user types (each
/// question names the name just refused, and why); otherwise a refusal.
fn free_name(file: &ConfigFile, store: &Store, mut name: String, force: bool) -> Result<String> {
    loop {
        let problem = match usable(file, &name, force) {
            Ok(()) => return Ok(name),
            Err(Unusable::Taken) if !prompt::interactive() => {
                return Err(exists_error(&name, store));
            }
            Err(Unusable::Invalid(error)) if !prompt::interactive() => {
                return Err(with_hint(
                    anyhow::Error::new(error).context(
                        "cannot import under the archive's profile name; nothing was written",
                    ),
                    format!("import under another name with `--profile NAME`; {RULE}"),
                ));
            }
            Err(Unusable::Taken) => format!("Profile `{name}` already exists"),
            Err(Unusable::Invalid(error)) => format!("Cannot import: {error}"),
        };
        let answer = prompt::ask(
            &format!("{problem}. Import as (another name; empty to cancel): "),
            "",
        )?;
        if answer.is_empty() {
            return Err(anyhow!("import cancelled; nothing was written"));
        }
        name = answer;
    }
}

/// The profile's settings as stored; the session (and the mode that goes with where it is kept)
/// is saved whole beside them.
fn settings_fields(archive: &SessionArchive) -> Vec<(&'static str, Value)> {
    let p = &archive.profile;
    let language = if p.language.is_empty() {
        "en"
    } else {
        &p.language
    };
    vec![
        (keys::OAUTH_SITE_TYPE, p.oauth_site_type.clone().into()),
        (keys::REGION_ID, p.region_id.clone().into()),
        (keys::LANGUAGE, language.into()),
        (keys::OUTPUT_FORMAT, "json".into()),
    ]
}
