//! `alicli logout` (and `alicli session terminate`): end a session. The refresh token is revoked
//! at the server first when a revocation endpoint is configured (`ALICLI_REVOKE_URL`, RFC 7009;
//! Alibaba's own endpoint is unconfirmed, docs/protocol.md §2), then the tokens and STS credentials
//! are removed from the profile (a keychain profile's keychain item is removed). The profile's
//! settings stay, so `alicli login` signs straight back in (`--storage` changes where it keeps
//! its next session); `--delete-profile` removes the profile too, and `current` then moves as
//! with `configure delete`.
//!
//! `--json` prints:
//!
//! ```json
//! {"profile": "work", "profile_removed": false,
//!  "removed": ["refresh_token", "access_token", "sts_credentials"],  // what the profile held
//!  "revocation": "revoked",        // "revoked" | "not_configured" | "skipped" | "nothing_to_revoke"
//!  "issued_credentials_valid_until": "2026-11-22T10:00:00Z"}  // or null when none are valid
//! ```

use anyhow::{Result, anyhow};
use serde_json::json;

use super::when;
use crate::cli::TerminateArgs;
use crate::clock;
use crate::cloud::endpoints::parse_endpoint;
use crate::commands::output;
use crate::commands::profiles::delete::{Moved, remove_profile};
use crate::commands::resolve::Target;
use crate::commands::settings::Settings;
use crate::commands::storage::{ensure_usable, place, tidy};
use crate::error::with_hint;
use crate::http::{Http, RequestError};
use crate::oauth::revoke::{TokenKind, revoke};
use crate::profile::{Profile, Storage, storage};
use crate::session::record::OAuthSession;
use crate::shellword::shell_word;
use crate::site::Site;
use crate::timefmt::to_rfc3339;

/// Runs `session terminate`.
pub async fn run(args: TerminateArgs, settings: &Settings, http: &Http) -> Result<()> {
    let target = Target::locate(settings, &args.profile)?;
    let name = target.name.clone();
    if target.file.raw_profile(&name).is_none() {
        // Nothing to end; a sign-in is not what the user asked for, so this is no exit 4.
        return Err(with_hint(
            anyhow!(
                "profile `{name}` is not in `{}`; there is no session to end",
                target.store.path().display()
            ),
            "see the profiles with `alicli configure list`",
        ));
    }
    let profile = &target.oauth_profile()?;
    // Where the signed-out profile keeps its next session: where it keeps this one, unless told.
    let to = args.storage.map_or(profile.storage, Storage::from);
    if !args.delete_profile {
        ensure_usable(to, target.store.path())?;
    }
    let revocation = revoke_first(&args, settings, http, profile, &name).await?;
    let moved = remove(&target, profile, args.delete_profile, to)?;

    let now = clock::now_unix();
    let session = profile.oauth_session();
    let issued = session.sts_keeping(now, 0).and_then(|sts| sts.expiration);
    let removed = held(&session);
    if args.json {
        output::print_json(&json!({
            "profile": name,
            "profile_removed": args.delete_profile,
            "removed": removed,
            "revocation": revocation,
            "issued_credentials_valid_until": issued.map(to_rfc3339),
        }))?;
    }
    let what = describe(&removed);
    let store = target.store.path().display();
    if args.delete_profile {
        stderrln!("Signed out of `{name}` and deleted the profile from {store} ({what}).");
        if let Some(moved) = moved {
            moved.announce();
        }
    } else {
        let from = match profile.storage {
            Storage::File => store.to_string(),
            Storage::Keychain => place(Storage::Keychain).to_owned(),
        };
        stderrln!("Signed out of `{name}`: removed {what} from {from}.");
        if to != profile.storage {
            stderrln!("Its next session will be kept in {}.", place(to));
        }
        stderrln!(
            "The profile's settings stay; sign back in with `{}`.",
            target.relogin(profile)
        );
    }
    tell_what_stays(revocation, &session, issued, removed.is_empty(), now);
    Ok(())
}

/// Removes the session (and with `delete_profile` the profile), leaving a kept profile to keep
/// its next session in `to`. A keychain item goes before config.json changes when the profile
/// goes, and once config.json no longer points at it when the profile stays.
fn remove(
    target: &Target,
    profile: &Profile,
    delete_profile: bool,
    to: Storage,
) -> Result<Option<Moved>> {
    let (name, path) = (&target.name, target.store.path());
    let (moved, before) = target.store.update(|file| {
        if delete_profile {
            // If the item cannot be removed, the profile stays to say so.
            if profile.storage == Storage::Keychain {
                storage::forget(path, name)?;
            }
            return Ok((remove_profile(file, name).flatten(), Storage::File));
        }
        let before = storage::save(file, path, name, to, &OAuthSession::default())?;
        Ok((None, before))
    })?;
    tidy(before, to, path, name);
    Ok(moved)
}

/// What stays valid after the sign-out: the refresh token at the server unless revoked, and STS
/// credentials already issued.
fn tell_what_stays(
    revocation: &str,
    session: &OAuthSession,
    issued: Option<i64>,
    nothing_removed: bool,
    now: i64,
) {
    match revocation {
        "revoked" => stderrln!("Its refresh token was revoked at the server."),
        "skipped" => stderrln!("It was not revoked at the server (--no-revoke)."),
        "nothing_to_revoke" => {}
        _ if session.refresh_token.is_none() => {}
        _ => stderrln!(
            "It was not revoked at the server (no revocation endpoint is configured: \
             ALICLI_REVOKE_URL), so its refresh token stays valid there until it expires; \
             this machine no longer holds it."
        ),
    }
    match issued {
        Some(at) => stderrln!(
            "STS credentials already issued stay valid until {}: programs that copied them keep \
             working until then.",
            when(at, now)
        ),
        None if !nothing_removed => {
            stderrln!("No credentials issued from it are still valid.")
        }
        None => {}
    }
}

/// The parts of a session the profile held, by their `--json` names.
fn held(session: &OAuthSession) -> Vec<&'static str> {
    [
        (session.refresh_token.is_some(), "refresh_token"),
        (session.access_token.is_some(), "access_token"),
        (session.sts.is_some(), "sts_credentials"),
    ]
    .into_iter()
    .filter_map(|(held, what)| held.then_some(what))
    .collect()
}

/// "its refresh token, access token and STS credentials", or "nothing: it held no session".
fn describe(removed: &[&str]) -> String {
    let words: Vec<&str> = removed
        .iter()
        .map(|part| match *part {
            "refresh_token" => "refresh token",
            "access_token" => "access token",
            _ => "STS credentials",
        })
        .collect();
    match words.as_slice() {
        [] => "nothing: it held no session".to_owned(),
        [one] => format!("its {one}"),
        [init @ .., last] => format!("its {} and {last}", init.join(", ")),
    }
}

/// Revokes the refresh token (else the access token) at `ALICLI_REVOKE_URL`, unless told not to;
/// the `revocation` word of `--json`. A failed revocation stops the command before anything is
/// removed.
async fn revoke_first(
    args: &TerminateArgs,
    settings: &Settings,
    http: &Http,
    profile: &Profile,
    name: &str,
) -> Result<&'static str> {
    let url = match (&settings.revoke_url, args.no_revoke) {
        (_, true) => return Ok("skipped"),
        (None, false) => return Ok("not_configured"),
        (Some(url), false) => url,
    };
    // A keychain profile's tokens are in its session, not in its fields.
    let session = profile.oauth_session();
    let token = [
        (session.refresh_secret(), TokenKind::RefreshToken),
        (session.access_secret(), TokenKind::AccessToken),
    ]
    .into_iter()
    .find_map(|(token, kind)| token.map(|token| (token, kind)));
    let Some((token, kind)) = token else {
        return Ok("nothing_to_revoke");
    };
    let url = parse_endpoint(url)?;
    let client_id = profile.site().unwrap_or(Site::Cn).client_id();
    revoke(http, &url, client_id, token, kind)
        .await
        .map_err(|error| {
            let error = match error {
                RequestError::Server(server) => anyhow::Error::new(server),
                RequestError::Other(other) => other,
            };
            with_hint(
                error.context(format!(
                    "revoking the session of profile `{name}` failed; nothing was removed"
                )),
                format!(
                    "try again, or end it on this machine only with \
                     `alicli logout --profile {} --no-revoke`",
                    shell_word(name)
                ),
            )
        })?;
    Ok("revoked")
}
