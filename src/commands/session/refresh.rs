//! `alicli session refresh`: refresh the access token and exchange it for new STS credentials now,
//! under the profile store's lock, whatever their expiry.

use anyhow::Result;
use serde_json::json;

use super::{describe, status_json, status_word};
use crate::cli::RefreshArgs;
use crate::clock;
use crate::commands::output;
use crate::commands::resolve::Target;
use crate::commands::settings::Settings;
use crate::http::Http;
use crate::session::state::{Margins, SessionTimes};

/// Runs `session refresh`.
pub async fn run(args: RefreshArgs, settings: &Settings, http: &Http) -> Result<()> {
    let mut target = Target::locate(settings, &args.profile)?;
    let profile = target.oauth_profile()?;
    let report = target.renew_now(settings, http, &profile).await?;
    let profile = target.reload()?;
    let now = clock::now_unix();
    let times = SessionTimes::of(&profile.oauth_session());
    let state = profile.state(now, Margins::DEFAULT);
    if args.json {
        let mut value = status_json(&target.name, &times, status_word(state, now), now);
        value["refreshed"] = json!({
            "access_token": report.refreshed_token,
            "sts_credentials": report.exchanged,
        });
        output::print_json(&value)?;
    }
    stderrln!("Refreshed. {}", describe(&target.name, &times, state, now));
    Ok(())
}
