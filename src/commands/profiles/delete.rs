//! `alicli configure delete --profile NAME`: remove a profile, never leaving `current` dangling.

use anyhow::Result;
use serde_json::Value;

use super::not_found;
use crate::cli::NamedProfileArgs;
use crate::commands::settings::Settings;
use crate::commands::storage::tidy;
use crate::profile::{Storage, keys};

/// Where `current` went when the deleted profile was the current one.
enum Moved {
    To(String),
    Nowhere,
}

/// Removes the profile; `current` moves to the first remaining profile when it named the deleted
/// one (or any profile that no longer exists).
pub fn run(args: NamedProfileArgs, settings: &Settings) -> Result<()> {
    let config_path = args.config_path.as_deref();
    let store = settings.store(config_path)?;
    let name = args.profile;
    let (moved, dependents, storage) = store.update(|file| {
        let Some(storage) = file
            .raw_profile(&name)
            .map(|raw| Storage::of_raw(raw, store.path()))
        else {
            return Err(not_found(&name, &store, config_path));
        };
        file.remove(&name);
        let dangling = file
            .current()
            .is_some_and(|current| file.raw_profile(current).is_none());
        let moved = if dangling {
            let next = file.names().first().map(|n| (*n).to_owned());
            file.set_current(next.as_deref().unwrap_or(""));
            Some(next.map_or(Moved::Nowhere, Moved::To))
        } else {
            None
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
    match moved {
        Some(Moved::To(next)) => stderrln!("The current profile is now `{next}`."),
        Some(Moved::Nowhere) => stderrln!("No profiles are left."),
        None => {}
    }
    for dependent in dependents {
        stderrln!(
            "warning: profile `{dependent}` names `{name}` as its `source_profile`; it will fail \
             until you change that"
        );
    }
    Ok(())
}
