//! `alicli session terminate` (and `alicli logout`): end a session. The refresh token is revoked
//! at the server first when a revocation endpoint is configured (`ALICLI_REVOKE_URL`, RFC 7009;
//! Alibaba's own endpoint is unconfirmed, PROTOCOL.md §2), then the tokens and STS credentials
//! are removed from the profile, and the profile too unless `--keep-profile`.
//!
//! `--json` prints:
//!
//! ```json
//! {"profile": "work", "profile_removed": true,
//!  "revocation": "revoked",        // "revoked" | "not_configured" | "skipped" | "nothing_to_revoke"
//!  "issued_credentials_valid_until": "2026-11-22T10:00:00Z"}  // or null when none are valid
//! ```

use anyhow::Result;
use serde_json::json;

use super::when;
use crate::cli::TerminateArgs;
use crate::clock;
use crate::cloud::endpoints::parse_endpoint;
use crate::commands::output;
use crate::commands::resolve::Target;
use crate::commands::settings::Settings;
use crate::error::with_hint;
use crate::http::{Http, RequestError};
use crate::keychain;
use crate::oauth::revoke::{TokenKind, revoke};
use crate::profile::{Storage, storage};
use crate::session::record::OAuthSession;
use crate::site::Site;
use crate::timefmt::to_rfc3339;

/// Runs `session terminate`.
pub async fn run(args: TerminateArgs, settings: &Settings, http: &Http) -> Result<()> {
    let target = Target::locate(settings, &args.profile)?;
    let profile = &target.oauth_profile()?;
    let session = profile.oauth_session();
    let name = target.name.clone();
    let revocation = match (&settings.revoke_url, args.no_revoke) {
        (_, true) => "skipped",
        (None, false) => "not_configured",
        (Some(url), false) => {
            let token = [
                (session.refresh_secret(), TokenKind::RefreshToken),
                (session.access_secret(), TokenKind::AccessToken),
            ]
            .into_iter()
            .find_map(|(token, kind)| token.map(|token| (token, kind)));
            match token {
                None => "nothing_to_revoke",
                Some((token, kind)) => {
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
                                     `alicli session terminate --profile {name} --no-revoke`"
                                ),
                            )
                        })?;
                    "revoked"
                }
            }
        }
    };

    let path = target.store.path();
    target.store.update(|file| {
        if args.keep_profile {
            storage::save(file, path, &name, profile.storage, &OAuthSession::default())?;
        } else {
            // The keychain item first: if it cannot be removed, the profile stays to say so.
            if profile.storage == Storage::Keychain {
                storage::forget(path, &name)?;
            }
            file.remove(&name);
            if file.current() == Some(name.as_str()) {
                file.set_current("");
            }
        }
        Ok(())
    })?;

    let now = clock::now_unix();
    let issued = session.sts_keeping(now, 0).and_then(|sts| sts.expiration);
    if args.json {
        output::print_json(&json!({
            "profile": name,
            "profile_removed": !args.keep_profile,
            "revocation": revocation,
            "issued_credentials_valid_until": issued.map(to_rfc3339),
        }))?;
    }
    let store = path.display();
    let kept = match profile.storage {
        Storage::File => store.to_string(),
        Storage::Keychain => keychain::STORE.to_owned(),
    };
    if args.keep_profile {
        stderrln!(
            "Session `{name}` ended: its tokens and STS credentials were removed from {kept}; \
             the profile's settings were kept."
        );
    } else if profile.storage == Storage::Keychain {
        stderrln!(
            "Session `{name}` ended: its tokens and STS credentials were removed from {kept}, \
             and profile `{name}` from {store}."
        );
    } else {
        stderrln!("Session `{name}` ended: profile `{name}` was removed from {store}.");
    }
    match revocation {
        "revoked" => stderrln!("Its refresh token was revoked at the server."),
        "skipped" => stderrln!("It was not revoked at the server (--no-revoke)."),
        "nothing_to_revoke" => {}
        _ => stderrln!(
            "It was not revoked at the server (no revocation endpoint is configured: \
             ALICLI_REVOKE_URL), so its refresh token stays valid there until it expires; \
             this machine no longer holds it."
        ),
    }
    if let Some(at) = issued {
        stderrln!(
            "STS credentials already issued stay valid until {}: programs that copied them keep \
             working until then.",
            when(at, now)
        );
    }
    Ok(())
}
