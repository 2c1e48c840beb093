//! `alicli session validate [--local] [--json]`: exit 0 when the session works, 4 when it needs a
//! new sign-in, 1 on other errors. Any profile can be checked: an OAuth session, a role (and the
//! chain behind it), keys, or a command's credentials.
//!
//! `--local` reads the profile file and the clock, nothing else: no HTTP client is built, so it
//! costs a few milliseconds. Without it the session is used as any command would use it (renewed
//! first when needed) and checked with GetCallerIdentity.

use anyhow::Result;
use serde_json::{Value, json};

use super::{describe, status_json, status_word, when};
use crate::cli::ValidateArgs;
use crate::clock;
use crate::cloud::endpoints::StsEndpointChoice;
use crate::cloud::sts::{ServiceError, SignatureVersion, get_caller_identity_retried};
use crate::commands::output;
use crate::commands::resolve::{Target, outage_hint};
use crate::commands::settings::Settings;
use crate::error::{SignInNeeded, with_hint};
use crate::http::Http;
use crate::profile::{Mode, Profile};
use crate::session::state::{SessionTimes, State};

/// What is printed about the session.
struct Report<'a> {
    target: &'a Target,
    profile: &'a Profile,
    now: i64,
    checked: &'static str,
    json: bool,
}

/// Runs `session validate`.
pub async fn run(args: ValidateArgs, settings: &Settings, http: &Http) -> Result<()> {
    let mut target = Target::locate(settings, &args.profile)?;
    let profile = target.profile()?;
    let now = clock::now_unix();
    if args.local {
        let report = Report {
            target: &target,
            profile: &profile,
            now,
            checked: "local",
            json: args.json,
        };
        return report.finish(target.state(now), None);
    }

    let endpoint = StsEndpointChoice {
        profile: profile.sts_endpoint.as_deref(),
        env: settings.sts_endpoint.as_deref(),
        profile_region: profile.sts_region.as_deref(),
        ..Default::default()
    }
    .resolve()?;
    let renewed = target.credentials(settings, http, 0).await;
    let resolved = match renewed {
        Ok(resolved) => resolved,
        Err(error) if error.downcast_ref::<SignInNeeded>().is_some() => {
            let profile = target.reload()?;
            return Err(expired(&target, &profile, args.json, now, error));
        }
        Err(error) => return Err(error),
    };
    let identity = get_caller_identity_retried(
        http,
        &endpoint,
        &resolved.credentials,
        SignatureVersion::V3,
        clock::now_unix,
    )
    .await;
    let now = clock::now_unix();
    let profile = target.reload()?;
    let identity = match identity {
        Ok(identity) => identity,
        Err(error) => {
            if !ServiceError::refused_credentials(&error) {
                let error = error.context("checking the session with GetCallerIdentity failed");
                return Err(outage_hint(error));
            }
            let refusal = SignInNeeded {
                profile: target.name.clone(),
                reason: format!("STS refused its credentials: {error}"),
            };
            return Err(expired(&target, &profile, args.json, now, refusal.into()));
        }
    };
    if resolved.renewed {
        stderrln!("Renewed the session's STS credentials before checking.");
    }
    let summary = json!({
        "account_id": identity.get("AccountId"),
        "arn": identity.get("Arn"),
        "identity_type": identity.get("IdentityType"),
    });
    let report = Report {
        target: &target,
        profile: &profile,
        now,
        checked: "server",
        json: args.json,
    };
    let state = match target.state(now) {
        // The server accepted credentials the profile alone says nothing about (a command's).
        State::Elsewhere => State::StaticKeys {
            expires_at: resolved.credentials.expiration,
        },
        state => state,
    };
    report.finish(state, Some(summary))?;
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
fn expired(
    target: &Target,
    profile: &Profile,
    json: bool,
    now: i64,
    error: anyhow::Error,
) -> anyhow::Error {
    let report = Report {
        target,
        profile,
        now,
        checked: "server",
        json,
    };
    if let Err(printing) = report.print_json("expired", None) {
        return printing;
    }
    with_hint(error, target.sign_in_again())
}

impl Report<'_> {
    fn print_json(&self, status: &str, identity: Option<Value>) -> Result<()> {
        if !self.json {
            return Ok(());
        }
        let times = SessionTimes::of(&self.profile.oauth_session());
        let mut value = status_json(&self.target.name, &times, status, self.now);
        value["checked"] = self.checked.into();
        value["identity"] = identity.unwrap_or(Value::Null);
        output::print_json(&value)
    }

    fn finish(&self, state: State, identity: Option<Value>) -> Result<()> {
        self.print_json(status_word(state, self.now), identity)?;
        if let Some(reason) = state.sign_in_reason() {
            return Err(with_hint(
                SignInNeeded {
                    profile: self.target.name.clone(),
                    reason,
                },
                self.target.sign_in_again(),
            ));
        }
        let times = SessionTimes::of(&self.profile.oauth_session());
        let text = match self.profile.mode {
            Mode::OAuth => describe(&self.target.name, &times, state, self.now),
            _ => describe_other(self.profile, state, self.now),
        };
        stderrln!("{text}");
        Ok(())
    }
}

/// The sentence for a profile of another mode that does not need a sign-in.
fn describe_other(profile: &Profile, state: State, now: i64) -> String {
    let name = &profile.name;
    let mode = &profile.mode;
    let until = |until: Option<i64>| match until {
        Some(at) => format!("renewable until {}", when(at, now)),
        None => "alicli obtains new ones when they are due".to_owned(),
    };
    match state {
        State::Fresh {
            sts_expires_at,
            until: renewable,
        } => format!(
            "Profile `{name}` ({mode}) has credentials valid until {}; {}.",
            when(sts_expires_at, now),
            until(renewable)
        ),
        State::Renewable {
            until: renewable, ..
        } => format!(
            "Profile `{name}` ({mode}) has no fresh credentials stored; {}.",
            until(renewable)
        ),
        State::StaticKeys { expires_at: None } => {
            format!("Profile `{name}` ({mode}) signs with keys that do not expire.")
        }
        State::StaticKeys {
            expires_at: Some(at),
        } => format!(
            "Profile `{name}` ({mode}) has credentials valid until {}.",
            when(at, now)
        ),
        _ => format!(
            "Profile `{name}` ({mode}) gets its credentials elsewhere; check them with the server by leaving out `--local`."
        ),
    }
}
