//! `alicli session validate [--local] [--json]`: exit 0 when the session works, 4 when it needs a
//! new sign-in, 1 on other errors.
//!
//! `--local` reads the profile file and the clock, nothing else: no HTTP client is built, so it
//! costs a few milliseconds. Without it the session is used as any command would use it (renewed
//! first when needed) and checked with GetCallerIdentity.

use anyhow::Result;
use serde_json::{Value, json};

use super::{Found, describe, expired_reason, status_json};
use crate::cli::ValidateArgs;
use crate::clock;
use crate::cloud::endpoints::sts_endpoint;
use crate::cloud::sts::{ServiceError, SignatureVersion, get_caller_identity, new_nonce};
use crate::commands::output;
use crate::commands::settings::Settings;
use crate::error::{SignInNeeded, with_hint};
use crate::http::Http;
use crate::renew::credentials_for;
use crate::session::status::{SessionTimes, Verdict};

/// Runs `session validate`.
pub async fn run(args: ValidateArgs, settings: &Settings, http: &Http) -> Result<()> {
    let mut found = Found::load(settings, &args.profile)?;
    let now = clock::now_unix();
    if args.local {
        let times = SessionTimes::of(&found.profile);
        return finish(
            &found,
            &times,
            times.verdict(now),
            now,
            "local",
            None,
            args.json,
        );
    }

    let endpoint = sts_endpoint(
        None,
        found.profile.sts_endpoint.as_deref(),
        settings.sts_endpoint.as_deref(),
        None,
    )?;
    let net = settings.network(http);
    let renewed = credentials_for(&found.store, &found.file, &found.name, &net, now, 0).await;
    let (credentials, report) = match renewed {
        Ok(ok) => ok,
        Err(error) if error.downcast_ref::<SignInNeeded>().is_some() => {
            found.reload()?;
            return Err(expired(&found, args.json, now, error));
        }
        Err(error) => return Err(error),
    };
    let now = clock::now_unix();
    let identity = get_caller_identity(
        http,
        &endpoint,
        &credentials,
        SignatureVersion::V3,
        now,
        &new_nonce(),
    )
    .await;
    found.reload()?;
    let times = SessionTimes::of(&found.profile);
    let identity = match identity {
        Ok(identity) => identity,
        Err(error) => {
            let refused = ServiceError::refused_credentials(&error);
            if !refused {
                return Err(error.context("checking the session with GetCallerIdentity failed"));
            }
            let refusal = SignInNeeded {
                profile: found.name.clone(),
                reason: format!("STS refused its credentials: {error}"),
            };
            return Err(expired(&found, args.json, now, refusal.into()));
        }
    };
    if report.exchanged {
        stderrln!("Renewed the session's STS credentials before checking.");
    }
    let summary = json!({
        "account_id": identity.get("AccountId"),
        "arn": identity.get("Arn"),
        "identity_type": identity.get("IdentityType"),
    });
    finish(
        &found,
        &times,
        times.verdict(now),
        now,
        "server",
        Some(summary),
        args.json,
    )?;
    let field = |key: &str| identity.get(key).and_then(Value::as_str).unwrap_or("?");
    stderrln!(
        "Checked with GetCallerIdentity: {} (account {}).",
        field("Arn"),
        field("AccountId")
    );
    Ok(())
}

/// A session the server would not renew or accept: the `--json` verdict (when asked), then the
/// error with the sign-in command.
fn expired(found: &Found, json: bool, now: i64, error: anyhow::Error) -> anyhow::Error {
    let times = SessionTimes::of(&found.profile);
    if let Err(printing) = print_json_if(json, found, &times, Verdict::Expired, now, "server", None)
    {
        return printing;
    }
    with_hint(error, format!("sign in again with `{}`", found.relogin()))
}

fn print_json_if(
    json: bool,
    found: &Found,
    times: &SessionTimes,
    verdict: Verdict,
    now: i64,
    checked: &str,
    identity: Option<Value>,
) -> Result<()> {
    if !json {
        return Ok(());
    }
    let mut value = status_json(&found.name, times, verdict, now);
    value["checked"] = checked.into();
    value["identity"] = identity.unwrap_or(Value::Null);
    output::print_json(&value)
}

fn finish(
    found: &Found,
    times: &SessionTimes,
    verdict: Verdict,
    now: i64,
    checked: &str,
    identity: Option<Value>,
    json: bool,
) -> Result<()> {
    print_json_if(json, found, times, verdict, now, checked, identity)?;
    if verdict == Verdict::Expired {
        return Err(with_hint(
            SignInNeeded {
                profile: found.name.clone(),
                reason: expired_reason(times, now),
            },
            format!("sign in again with `{}`", found.relogin()),
        ));
    }
    stderrln!("{}", describe(&found.name, times, verdict, now));
    Ok(())
}
