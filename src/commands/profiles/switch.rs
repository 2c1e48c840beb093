//! `alicli configure switch --profile NAME`: make a profile the current one.

use anyhow::Result;

use super::not_found;
use crate::cli::NamedProfileArgs;
use crate::commands::settings::Settings;

/// Sets `current`; the profile must exist.
pub fn run(args: NamedProfileArgs, settings: &Settings) -> Result<()> {
    let config_path = args.config_path.as_deref();
    let store = settings.store(config_path)?;
    let name = args.profile;
    store.update(|file| {
        if file.raw_profile(&name).is_none() {
            return Err(not_found(&name, &store, config_path));
        }
        file.set_current(&name);
        Ok(())
    })?;
    stderrln!("The current profile is now `{name}`.");
    Ok(())
}
