//! What `configure set` writes for each credential mode: the flags of each mode, what a change of
//! mode removes, and what a profile of each mode must hold before it is saved. Names and fields
//! are the official CLI's (PROTOCOL.md §9), so either tool can use the profile.

use std::path::Path;

use anyhow::{Result, anyhow};
use serde_json::Value;

use crate::cli::{ProfileMode, SetArgs};
use crate::cloud::roles::{MIN_DURATION, check_arn, check_session_name};
use crate::error::{UsageError, with_hint};
use crate::profile::chain::chain;
use crate::profile::{ConfigFile, check_region};

/// One field to write: `None` removes it. `flag` names it in messages.
#[derive(Debug, Clone)]
pub struct Change {
    pub key: &'static str,
    pub value: Option<Value>,
    pub flag: &'static str,
    /// The modes the flag applies to; empty means any.
    pub modes: &'static [&'static str],
}

const ROLE_MODES: &[&str] = &["ChainableRamRoleArn", "RamRoleArn", "OIDC"];
/// The cached STS credentials of OAuth and role profiles (and the keys of AK-like ones).
const CREDENTIAL_KEYS: [&str; 4] = [
    "access_key_id",
    "access_key_secret",
    "sts_token",
    "sts_expiration",
];
/// An OAuth session.
const OAUTH_KEYS: [&str; 5] = [
    "oauth_access_token",
    "oauth_refresh_token",
    "oauth_access_token_expire",
    "oauth_refresh_token_expire",
    "alicli_account_id",
];
/// Modes whose credential fields hold the user's own keys, not a cache.
const KEYS_OF_THEIR_OWN: [&str; 3] = ["AK", "StsToken", "RamRoleArn"];

fn usage(text: impl Into<String>) -> anyhow::Error {
    UsageError(text.into()).into()
}

/// The mode-specific flags as changes, each value checked.
pub fn mode_changes(args: &SetArgs) -> Result<Vec<Change>> {
    if let Some(mode) = args.mode {
        refuse_unsupported(mode).map_err(|e| usage(e.to_string()))?;
    }
    let mut changes = Vec::new();
    let mut push = |key, flag, modes, text: &Option<String>, value: fn(&str) -> Result<Value>| {
        if let Some(text) = text {
            let value = match text.trim() {
                "" => None,
                text => Some(value(text).map_err(|e| usage(format!("--{flag}: {e}")))?),
            };
            changes.push(Change {
                key,
                value,
                flag,
                modes,
            });
        }
        Ok::<(), anyhow::Error>(())
    };
    let plain = |text: &str| Ok(Value::from(text));
    push(
        "source_profile",
        "source-profile",
        &["ChainableRamRoleArn"],
        &args.source_profile,
        plain,
    )?;
    push(
        "ram_role_arn",
        "ram-role-arn",
        ROLE_MODES,
        &args.ram_role_arn,
        |t| check_arn(t, "role").map(|()| Value::from(t)),
    )?;
    push(
        "ram_session_name",
        "role-session-name",
        ROLE_MODES,
        &args.role_session_name,
        |t| check_session_name(t).map(|()| Value::from(t)),
    )?;
    push(
        "external_id",
        "external-id",
        &["ChainableRamRoleArn", "RamRoleArn"],
        &args.external_id,
        plain,
    )?;
    push(
        "expired_seconds",
        "expired-seconds",
        ROLE_MODES,
        &args.expired_seconds,
        |t| match t.parse::<i64>() {
            Ok(n) if n >= MIN_DURATION => Ok(Value::from(n)),
            _ => Err(anyhow!(
                "`{t}` is not a number of seconds of at least {MIN_DURATION}"
            )),
        },
    )?;
    push("sts_region", "sts-region", &[], &args.sts_region, |t| {
        check_region(t).map(|()| Value::from(t))
    })?;
    push(
        "ram_role_name",
        "ram-role-name",
        &["EcsRamRole"],
        &args.ram_role_name,
        |t| {
            if t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                Ok(Value::from(t))
            } else {
                Err(anyhow!("`{}` is not a RAM role name", t.escape_debug()))
            }
        },
    )?;
    push(
        "oidc_provider_arn",
        "oidc-provider-arn",
        &["OIDC"],
        &args.oidc_provider_arn,
        |t| check_arn(t, "oidc-provider").map(|()| Value::from(t)),
    )?;
    push(
        "oidc_token_file",
        "oidc-token-file",
        &["OIDC"],
        &args.oidc_token_file,
        |t| {
            // Stored absolute: later commands run from other directories.
            let path = std::path::absolute(Path::new(t))?;
            Ok(Value::from(path.to_string_lossy().into_owned()))
        },
    )?;
    push(
        "process_command",
        "process-command",
        &["External"],
        &args.process_command,
        |t| match shlex::split(t) {
            Some(words) if !words.is_empty() => Ok(Value::from(t)),
            _ => Err(anyhow!("it cannot be split into words (check its quotes)")),
        },
    )?;
    Ok(changes)
}

/// Modes that alicli does not write: it never stores an AccessKey, and Cloud SSO has its own
/// sign-in in the official CLI.
fn refuse_unsupported(mode: ProfileMode) -> Result<()> {
    match mode {
        ProfileMode::CloudSso => Err(anyhow!(
            "CloudSSO profiles are signed in with the official CLI: `aliyun configure --profile NAME --mode CloudSSO`"
        )),
        ProfileMode::Ak | ProfileMode::StsToken => Err(anyhow!(
            "alicli never stores an AccessKey; sign in with `alicli configure --profile NAME --mode OAuth`, or store keys with `aliyun configure --mode {}`",
            mode.as_str()
        )),
        _ => Ok(()),
    }
}

/// Refuses a flag that the profile's mode does not read.
pub fn check_fits(changes: &[Change], mode: &str, name: &str) -> Result<()> {
    for change in changes {
        if !change.modes.is_empty() && !change.modes.contains(&mode) {
            return Err(usage(format!(
                "--{} applies to {} profiles only; profile `{name}` has mode `{mode}` (`--mode` \
                 changes it)",
                change.flag,
                change.modes.join(", ")
            )));
        }
    }
    Ok(())
}

/// Prepares `name` for a change of mode from `old` to `new`: the old mode's cached credentials and
/// OAuth session go (they would be mistaken for the new mode's), but keys the user stored are
/// never removed. Returns whether an OAuth session was removed.
pub fn change_mode(file: &mut ConfigFile, name: &str, old: &str, new: &str) -> Result<bool> {
    if KEYS_OF_THEIR_OWN.contains(&old) && !KEYS_OF_THEIR_OWN.contains(&new) {
        return Err(with_hint(
            usage(format!(
                "profile `{name}` of mode `{old}` holds an AccessKey, which changing its mode to `{new}` would remove"
            )),
            format!(
                "make a new profile instead, e.g. `alicli configure set --profile {name}-role --mode {new} …`"
            ),
        ));
    }
    if !KEYS_OF_THEIR_OWN.contains(&old) {
        file.remove_fields(name, &CREDENTIAL_KEYS);
    }
    let signed_out = old == "OAuth"
        && file
            .raw_profile(name)
            .is_some_and(|p| p.contains_key("oauth_refresh_token"));
    if old == "OAuth" {
        file.remove_fields(name, &OAUTH_KEYS);
    }
    Ok(signed_out)
}

fn has(file: &ConfigFile, name: &str, key: &str) -> bool {
    file.raw_profile(name)
        .and_then(|p| p.get(key))
        .and_then(Value::as_str)
        .is_some_and(|v| !v.trim().is_empty())
}

/// Checks that the profile, as it would be written, can produce credentials in its mode.
pub fn check_complete(file: &ConfigFile, name: &str, mode: &str) -> Result<()> {
    let required: &[(&str, &str)] = match mode {
        "ChainableRamRoleArn" => &[
            ("source_profile", "--source-profile"),
            ("ram_role_arn", "--ram-role-arn"),
        ],
        "OIDC" => &[
            ("ram_role_arn", "--ram-role-arn"),
            ("oidc_provider_arn", "--oidc-provider-arn"),
            ("oidc_token_file", "--oidc-token-file"),
        ],
        "External" => &[("process_command", "--process-command")],
        "RamRoleArn" => &[("ram_role_arn", "--ram-role-arn")],
        _ => &[],
    };
    if let Some((key, flag)) = required.iter().find(|(key, _)| !has(file, name, key)) {
        return Err(usage(format!(
            "a {mode} profile needs `{key}`: pass `{flag}`"
        )));
    }
    if mode == "RamRoleArn"
        && !(has(file, name, "access_key_id") && has(file, name, "access_key_secret"))
    {
        return Err(with_hint(
            usage(format!(
                "a RamRoleArn profile needs an AccessKey in `{name}`, and alicli never stores one"
            )),
            format!(
                "chain the role on a signed-in profile instead: `alicli configure set --profile {name} --mode ChainableRamRoleArn --source-profile SOURCE …`"
            ),
        ));
    }
    if mode == "ChainableRamRoleArn" {
        chain(file, name).map_err(|e| usage(e.to_string()))?;
    }
    Ok(())
}
