//! `alicli configure delete --profile NAME`: remove a profile, never leaving `current` dangling.

use anyhow::Result;
use serde_json::Value;

use super::not_found;
use crate::cli::NamedProfileArgs;
use crate::commands::settings::Settings;
use crate::commands::storage::tidy;
use crate::profile::{ConfigFile, Storage, keys};

/// Where `current` went when the deleted profile was the current one.
pub enum Moved {
    /// To this profile, the first remaining one.
    To(String),
    /// Nowhere: no profile is left.
    Nowhere,
}

impl Moved {
    /// Tells the user, on stderr.
    pub fn announce(&self) {
        match self {
            Moved::To(next) => stderrln!("The current profile is now `{next}`."),
            Moved::Nowhere => stderrln!("No profiles are left."),
        }
    }
}

/// Removes profile `name` from `file`, and repairs `current` when it no longer names a profile:
/// the first remaining profile becomes current. `None` when there was no such profile; else where
/// `current` moved, if it did. `session terminate --delete-profile` follows the same rule.
pub fn remove_profile(file: &mut ConfigFile, name: &str) -> Option<Option<Moved>> {
    if !file.remove(name) {
        return None;
    }
    let dangling = file
        .current()
        .is_some_and(|current| file.raw_profile(current).is_none());
    if !dangling {
        return Some(None);
    }
    let next = file.names().first().map(|n| (*n).to_owned());
    file.set_current(next.as_deref().unwrap_or(""));
    Some(Some(next.map_or(Moved::Nowhere, Moved::To)))
}

/// Removes the profile; `current` moves to the first remaining profile when it named the deleted
/// one (or any profile that no longer exists).
pub fn run(args: NamedProfileArgs, settings: &Settings) -> Result<()> {
    let config_path = args.config_path.as_deref();
    let store = settings.store(config_path)?;
    let name = args.profile;
    let (moved, dependents, storage) = store.update(|file| {
        let storage = file
            .raw_profile(&name)
            .map(|raw| Storage::of_raw(raw, store.path()));
        let (Some(storage), Some(moved)) = (storage, remove_profile(file, &name)) else {
            return Err(not_found(&name, &store, config_path));
        };
        // Chained profiles that assumed a role from this one now have no source.
        let dependents: Vec<String> = file
            .raw_profiles()
            .filter(|p| p.get(keys::SOURCE_PROFILE).and_then(Value::as_str) == Some(name.as_str()))
            .filter_map(|p| p.get(keys::NAME).and_then(Value::as_str).map(str::to_owned))
            .collect();
        Ok((moved, dependents, storage))
    })?;
    stderrln!("Deleted profile `{name}` from {}.", store.path().display());
    tidy(storage, Storage::File, store.path(), &name);
    if let Some(moved) = moved {
        moved.announce();
    }
    for dependent in dependents {
        stderrln!(
            "warning: profile `{dependent}` names `{name}` as its `source_profile`; it will fail \
             until you change that"
        );
    }
    Ok(())
}
