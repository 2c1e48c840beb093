//! `configure set --storage file|keychain`: moving a signed-in session between config.json and
//! the OS keychain, as it is, without signing in again.

use anyhow::{Result, anyhow};

use crate::cli::ProfileArgs;
use crate::commands::resolve::Target;
use crate::commands::settings::Settings;
use crate::commands::storage::{ensure_usable, place, tidy};
use crate::profile::{Mode, Storage, storage};
use crate::renew::require_profile;

/// `configure set --storage`: moves the profile's session, as it is, to `to`, under the lock (no
/// renewal can interleave). The keychain is written before config.json, and an old keychain item
/// is removed only once config.json no longer needs it.
pub fn move_session(args: &ProfileArgs, to: Storage, settings: &Settings) -> Result<()> {
    let target = Target::locate(settings, args)?;
    let profile = target.oauth_profile()?;
    let (name, path) = (&target.name, target.store.path());
    if profile.storage == to {
        stderrln!(
            "Profile `{name}` already keeps its session in {}.",
            place(to)
        );
        return Ok(());
    }
    ensure_usable(to, path)?;
    let before = target.store.update(|file| {
        let profile = require_profile(file, &target.store, name)?;
        if profile.mode != Mode::OAuth {
            return Err(anyhow!("profile `{name}` is no longer an OAuth profile"));
        }
        storage::save(file, path, name, to, &profile.oauth_session())
    })?;
    tidy(before, to, path, name);
    stderrln!(
        "Moved the session of profile `{name}` to {}.{}",
        place(to),
        match to {
            Storage::Keychain =>
                " config.json now holds no secret of it; the official CLI and \
                 SDKs get its credentials by running alicli (its `process_command`).",
            Storage::File => "",
        }
    );
    Ok(())
}
