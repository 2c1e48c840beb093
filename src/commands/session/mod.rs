//! `alicli session …`: check, renew, move and end a signed-in OAuth session. One file per command;
//! this one holds what they share: describing a session to people
//! (stderr) and to scripts (`--json` on stdout).
//!
//! The `--json` object of `validate` and `refresh` (stable; keys are only ever added):
//!
//! ```json
//! {
//!   "profile": "work",
//!   "status": "valid",                       // "valid" | "renewable" | "expired"
//!   "valid_until": "2026-11-22T10:00:00Z",   // STS credentials' expiry (may be past), or null
//!   "renewable_until": "2026-12-22T09:00:00Z", // refresh token's expiry, or null (none/unknown)
//!   "sts_credentials": {"expires_at": "…", "expires_in": 3599},  // or null when none stored
//!   "access_token": {"expires_at": "…", "expires_in": 3599},     // or null
//!   "refresh_token": {"expires_at": "…", "expires_in": 2591999}, // or null; both null inside
//!                                                                // when its expiry is unknown
//!   // validate only:
//!   "checked": "local",                      // "local" (--local) | "server" (GetCallerIdentity)
//!   "identity": {"account_id": "…", "arn": "…", "identity_type": "…"}  // or null (local)
//!   // refresh only:
//!   "refreshed": {"access_token": true, "sts_credentials": true}
//! }
//! ```
//!
//! `expires_in` is in seconds from now, negative once past.

pub mod export;
pub mod import;
pub mod refresh;
pub mod terminate;
pub mod validate;

use anyhow::{Result, anyhow, bail};
use serde_json::{Value, json};

use super::prompt;
use super::settings::Settings;
use crate::error::with_hint;
use crate::secret::Secret;
use crate::session::state::{RefreshToken, SessionTimes, State};
use crate::timefmt::{relative, to_rfc3339};

/// The `status` word of `--json`: `valid`, `renewable`, `expired` (a sign-in, or new keys, are
/// needed), or `unknown` (credentials from a command or a URL, not checked with the server).
pub fn status_word(state: State, now: i64) -> &'static str {
    match state {
        State::Fresh { .. } | State::StaticKeys { expires_at: None } => "valid",
        State::StaticKeys {
            expires_at: Some(at),
        } if at > now => "valid",
        State::Renewable { .. } => "renewable",
        State::Elsewhere => "unknown",
        _ => "expired",
    }
}

fn expiry_json(at: Option<i64>, now: i64) -> Value {
    match at {
        Some(at) => json!({"expires_at": to_rfc3339(at), "expires_in": at.saturating_sub(now)}),
        None => json!({"expires_at": null, "expires_in": null}),
    }
}

/// The shared part of the `--json` object (see the module docs); `status` from [`status_word`].
pub fn status_json(name: &str, times: &SessionTimes, status: &str, now: i64) -> Value {
    let refresh = match times.refresh_token {
        RefreshToken::Absent => Value::Null,
        RefreshToken::Present { expires_at } => expiry_json(expires_at, now),
    };
    json!({
        "profile": name,
        "status": status,
        "valid_until": times.sts_expires_at.map(to_rfc3339),
        "renewable_until": times.refresh_expires_at().map(to_rfc3339),
        "sts_credentials": times.sts_expires_at.map(|at| expiry_json(Some(at), now)),
        "access_token": times.access_expires_at.map(|at| expiry_json(Some(at), now)),
        "refresh_token": refresh,
    })
}

/// "2026-11-22T10:00:00Z (in 53 min)"
pub fn when(at: i64, now: i64) -> String {
    format!("{} ({})", to_rfc3339(at), relative(at, now))
}

/// How long the session can be renewed, as the end of a sentence.
pub fn renewal_clause(times: &SessionTimes, now: i64) -> String {
    let access_alive = times.access_expires_at.filter(|&at| at > now);
    match (times.refresh_token, access_alive) {
        (RefreshToken::Present { expires_at: None }, _) => {
            "renewable with its refresh token (its expiry was not recorded)".to_owned()
        }
        (
            RefreshToken::Present {
                expires_at: Some(at),
            },
            _,
        ) if at > now => format!("renewable until {}", when(at, now)),
        (_, Some(at)) => format!(
            "renewable with its access token until {}, then a sign-in is needed",
            when(at, now)
        ),
        (RefreshToken::Absent, None) => "it cannot be renewed (no refresh token)".to_owned(),
        (
            RefreshToken::Present {
                expires_at: Some(at),
            },
            None,
        ) => format!("its refresh token expired at {}", when(at, now)),
    }
}

/// The sentence for a session that does not need a sign-in.
pub fn describe(name: &str, times: &SessionTimes, state: State, now: i64) -> String {
    let renew = format!(
        "alicli renews them on the next use, or now with `alicli session refresh --profile {}`",
        crate::shellword::shell_word(name)
    );
    match (state, times.sts_expires_at) {
        (State::Fresh { sts_expires_at, .. }, _) => format!(
            "Session `{name}` is valid until {}; {}.",
            when(sts_expires_at, now),
            renewal_clause(times, now)
        ),
        (_, Some(at)) => format!(
            "Session `{name}`: its STS credentials {} at {}; {}. {renew}.",
            if at <= now {
                "expired"
            } else {
                "are due for renewal, expiring"
            },
            when(at, now),
            renewal_clause(times, now)
        ),
        (_, None) => format!(
            "Session `{name}` holds no STS credentials; {}. {renew}.",
            renewal_clause(times, now)
        ),
    }
}

/// The archive passphrase: `ALICLI_SESSION_PASSPHRASE`, else asked on the terminal (twice when
/// `confirm`, for export). Never asked without a terminal, so automation cannot hang.
pub fn archive_passphrase(settings: &Settings, confirm: bool) -> Result<Secret> {
    if let Some(passphrase) = &settings.session_passphrase {
        return Ok(passphrase.clone());
    }
    if !prompt::terminal_attached() {
        return Err(with_hint(
            anyhow!("no passphrase for the session archive: there is no terminal to ask on"),
            "set it in the environment: `ALICLI_SESSION_PASSPHRASE=… alicli session …`",
        ));
    }
    for _ in 0..3 {
        let first = prompt::passphrase("Passphrase for the session archive: ")?;
        if first.is_empty() {
            stderrln!("The passphrase cannot be empty.");
            continue;
        }
        if !confirm {
            return Ok(first);
        }
        let second = prompt::passphrase("The same passphrase again: ")?;
        if first == second {
            return Ok(first);
        }
        stderrln!("The two passphrases differ; try again.");
    }
    bail!("no passphrase was given after three tries")
}
