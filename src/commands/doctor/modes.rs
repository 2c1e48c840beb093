//! The expiry check of profiles that are not OAuth sessions: a role (and the chain behind it),
//! OIDC and ECS roles, CloudSSO, keys and commands. The OAuth check is in `local.rs`.

use std::path::Path;

use super::Check;
use crate::commands::resolve::relogin_for;
use crate::commands::storage::Sessions;
use crate::profile::chain::chain;
use crate::profile::{Mode, Profile};
use crate::session::state::State;
use crate::shellword::shell_word;
use crate::timefmt::{relative, to_rfc3339};

const CHECK: &str = "profile expiry";

/// Whether the profile can give credentials without a new sign-in, following its role chain.
pub fn expiry_check(
    sessions: &mut Sessions,
    profile: &Profile,
    config_path: Option<&Path>,
    now: i64,
) -> Check {
    let file = sessions.file();
    let name = &profile.name;
    let names = match chain(file, name) {
        Ok(names) => names,
        Err(error) => {
            return Check::fail(
                CHECK,
                error.to_string(),
                format!(
                    "point it at a profile that has credentials: `alicli configure set --profile {} --source-profile NAME`",
                    shell_word(name)
                ),
            );
        }
    };
    if let Some(fail) = token_file_check(profile) {
        return fail;
    }
    let at = |unix: i64| format!("{} ({})", relative(unix, now), to_rfc3339(unix));
    let via = match names.as_slice() {
        [_, sources @ .., root] => {
            let mut through: Vec<&str> = sources.iter().map(String::as_str).collect();
            through.push(root);
            format!(
                "; its sources: `{}` ({})",
                through.join("` -> `"),
                mode_of(sessions, root)
            )
        }
        _ => String::new(),
    };
    match sessions.state(name, now) {
        State::Fresh { sts_expires_at, .. } => Check::pass(
            CHECK,
            format!("credentials valid until {}{via}", at(sts_expires_at)),
        ),
        State::Renewable { .. } => Check::pass(
            CHECK,
            format!("no fresh credentials stored; alicli obtains new ones on the next use{via}"),
        ),
        State::StaticKeys { expires_at: None } => {
            Check::pass(CHECK, "a long-term AccessKey; it does not expire")
        }
        State::StaticKeys { .. } | State::Elsewhere => Check::skip(
            CHECK,
            format!(
                "alicli does not check the expiry of mode `{}`",
                profile.mode
            ),
        ),
        needs => {
            let root = names.last().and_then(|root| sessions.profile(root));
            let relogin = root
                .as_ref()
                .map(|root| relogin_for(root, config_path))
                .unwrap_or_default();
            Check::fail(
                CHECK,
                format!(
                    "a new sign-in is needed: {}{via}",
                    needs.sign_in_reason().unwrap_or_default()
                ),
                format!("sign in again with `{relogin}`"),
            )
        }
    }
}

fn mode_of(sessions: &mut Sessions, name: &str) -> String {
    sessions
        .profile(name)
        .map(|p| p.mode.to_string())
        .unwrap_or_default()
}

/// An OIDC profile whose token file cannot be read fails before any request would.
fn token_file_check(profile: &Profile) -> Option<Check> {
    if profile.mode != Mode::Oidc {
        return None;
    }
    let path = profile.oidc_token_file.as_deref().unwrap_or_default();
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => None,
        _ => Some(Check::fail(
            CHECK,
            format!("the OIDC token file `{path}` cannot be read"),
            format!(
                "point the profile at the file your CI writes: `alicli configure set --profile {} --oidc-token-file FILE`",
                shell_word(&profile.name)
            ),
        )),
    }
}
