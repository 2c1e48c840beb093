//! `alicli session …`: check, renew, move and end a signed-in OAuth session. One file per command;
//! this one holds what they share: finding the profile, and describing a session to people
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

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use serde_json::{Value, json};

use super::prompt;
use super::settings::{Settings, relogin_for};
use crate::cli::ProfileArgs;
use crate::error::with_hint;
use crate::profile::{ConfigFile, Profile, Store};
use crate::secret::Secret;
use crate::session::status::{RefreshToken, SessionTimes, Verdict};
use crate::timefmt::{self, relative, to_rfc3339};

/// An OAuth profile found for a session command.
pub struct Found {
    /// Its store.
    pub store: Store,
    /// `--config-path`, for the commands shown in hints.
    pub config_path: Option<PathBuf>,
    /// The profile name.
    pub name: String,
    /// The profile as read.
    pub profile: Profile,
    /// The whole profile file as read with it.
    pub file: ConfigFile,
}

impl Found {
    /// Finds the profile named by the flags, the environment or `current`; it must be OAuth.
    pub fn load(settings: &Settings, args: &ProfileArgs) -> Result<Self> {
        let store = settings.store(args.config_path.as_deref())?;
        let file = store.load()?;
        let name = settings.profile_name(args.profile.as_deref(), &file, &store)?;
        let Some(profile) = file.profile(&name, store.path())? else {
            return Err(with_hint(
                anyhow!("profile `{name}` not found in `{}`", store.path().display()),
                format!("sign in with `alicli configure --profile {name} --mode OAuth`"),
            ));
        };
        if profile.mode != "OAuth" {
            bail!(
                "profile `{name}` has mode `{}`; session commands work on OAuth profiles, made by \
                 `alicli configure --mode OAuth`",
                profile.mode
            );
        }
        Ok(Self {
            store,
            config_path: args.config_path.clone(),
            name,
            profile,
            file,
        })
    }

    /// The command that signs this profile in again.
    pub fn relogin(&self) -> String {
        relogin_for(&self.profile, self.config_path.as_deref())
    }

    /// Re-reads the profile (after a renewal changed it).
    pub fn reload(&mut self) -> Result<()> {
        self.file = self.store.load()?;
        if let Some(profile) = self.file.profile(&self.name, self.store.path())? {
            self.profile = profile;
        }
        Ok(())
    }
}

fn expiry_json(at: Option<i64>, now: i64) -> Value {
    match at {
        Some(at) => json!({"expires_at": to_rfc3339(at), "expires_in": at.saturating_sub(now)}),
        None => json!({"expires_at": null, "expires_in": null}),
    }
}

/// The shared part of the `--json` object (see the module docs).
pub fn status_json(name: &str, times: &SessionTimes, verdict: Verdict, now: i64) -> Value {
    let refresh = match times.refresh_token {
        RefreshToken::Absent => Value::Null,
        RefreshToken::Present { expires_at } => expiry_json(expires_at, now),
    };
    json!({
        "profile": name,
        "status": verdict.as_str(),
        "valid_until": times.sts_expires_at.map(to_rfc3339),
        "renewable_until": times.renewable_until().map(to_rfc3339),
        "sts_credentials": times.sts_expires_at.map(|at| expiry_json(Some(at), now)),
        "access_token": times.access_expires_at.map(|at| expiry_json(Some(at), now)),
        "refresh_token": refresh,
    })
}

/// "2026-11-22T10:00:00Z (in 53 min)"
pub fn when(at: i64, now: i64) -> String {
    if !timefmt::is_sane(at) {
        return timefmt::shown(at);
    }
    format!("{} ({})", to_rfc3339(at), relative(at, now))
}

/// How long the session can be renewed, as the end of a sentence.
pub fn renewal_clause(times: &SessionTimes, now: i64) -> String {
    match times.refresh_token {
        RefreshToken::Absent => "it cannot be renewed (no refresh token)".to_owned(),
        RefreshToken::Present { expires_at: None } => {
            "renewable with its refresh token (its expiry was not recorded)".to_owned()
        }
        RefreshToken::Present {
            expires_at: Some(at),
        } if at <= now => format!("its refresh token expired at {}", when(at, now)),
        RefreshToken::Present {
            expires_at: Some(at),
        } => format!("renewable until {}", when(at, now)),
    }
}

/// The sentence for a session that is not expired.
pub fn describe(name: &str, times: &SessionTimes, verdict: Verdict, now: i64) -> String {
    match (verdict, times.sts_expires_at) {
        (Verdict::Valid, Some(at)) => format!(
            "Session `{name}` is valid until {}; {}.",
            when(at, now),
            renewal_clause(times, now)
        ),
        (_, Some(at)) => format!(
            "Session `{name}`: its STS credentials expired at {}; {}. alicli renews them on the \
             next use, or now with `alicli session refresh --profile {name}`.",
            when(at, now),
            renewal_clause(times, now)
        ),
        (_, None) => format!(
            "Session `{name}` holds no STS credentials; {}. alicli gets them on the next use, or \
             now with `alicli session refresh --profile {name}`.",
            renewal_clause(times, now)
        ),
    }
}

/// Why an expired session is expired, for the error line.
pub fn expired_reason(times: &SessionTimes, now: i64) -> String {
    match times.usable_until() {
        Some(at) if at > 0 => format!("the session expired at {}", when(at, now)),
        _ => "the session holds no usable credentials".to_owned(),
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
