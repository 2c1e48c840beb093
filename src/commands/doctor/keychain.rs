//! The keychain check of a profile whose session is kept there: is the keychain reachable and
//! unlocked, and does it hold the session? Shown only for such profiles; a file profile opens no
//! keychain, here as everywhere.

use std::path::Path;

use super::Check;
use crate::commands::storage::fault_hint;
use crate::keychain::{Item, STORE};
use crate::profile::{Profile, storage};

/// Reads the profile's session from the keychain (a read only: doctor writes nothing), leaving
/// it in `profile` for the expiry check that follows.
pub fn keychain_check(profile: &mut Profile, config: &Path, relogin: &str) -> Check {
    let check = "keychain";
    let item = Item::of(config, &profile.name);
    match storage::load(profile, config) {
        Err(fault) => Check::fail(check, fault.to_string(), fault_hint(&fault)),
        Ok(()) if profile.oauth_session().is_signed_out() => Check::fail(
            check,
            format!(
                "{STORE} answers, but holds no session under `{}`",
                item.account()
            ),
            format!("sign in again with `{relogin}`"),
        ),
        Ok(()) => Check::pass(
            check,
            format!("the session is in {STORE}, under `{}`", item.account()),
        ),
    }
}
