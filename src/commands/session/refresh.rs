//! `alicli session refresh`: refresh the access token and exchange it for new STS credentials now,
//! under the profile store's lock, whatever their expiry.

use anyhow::Result;
use serde_json::json;

use super::{Found, describe, status_json};
use crate::cli::RefreshArgs;
use crate::clock;
use crate::commands::output;
use crate::commands::settings::Settings;
use crate::error::{SignInNeeded, with_hint};
use crate::http::Http;
use crate::renew::force_renew;
use crate::session::status::SessionTimes;

/// Runs `session refresh`.
pub async fn run(args: RefreshArgs, settings: &Settings, http: &Http) -> Result<()> {
    let mut found = Found::load(settings, &args.profile)?;
    let net = settings.network(http);
    let (_, report) = force_renew(&found.store, &found.name, &net, clock::now_unix())
        .await
        .map_err(|error| match error.downcast_ref::<SignInNeeded>() {
            Some(_) => with_hint(error, format!("sign in again with `{}`", found.relogin())),
            None => error,
        })?;
    found.reload()?;
    let now = clock::now_unix();
    let times = SessionTimes::of(&found.profile);
    let verdict = times.verdict(now);
    if args.json {
        let mut value = status_json(&found.name, &times, verdict, now);
        value["refreshed"] = json!({
            "access_token": report.refreshed_token,
            "sts_credentials": report.exchanged,
        });
        output::print_json(&value)?;
    }
    stderrln!("Refreshed. {}", describe(&found.name, &times, verdict, now));
    Ok(())
}
