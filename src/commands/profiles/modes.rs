//! What `configure set` writes for each credential mode: the flags of each mode, what a change of
//! mode removes, and what a profile of each mode must hold before it is saved. Names and fields
//! are the official CLI's (docs/protocol.md §10), so either tool can use the profile.

use std::path::Path;

use anyhow::{Result, anyhow};
use serde_json::Value;

use crate::cli::{ProfileMode, SetArgs};
use crate::cloud::roles::{MIN_DURATION, check_arn, check_session_name};
use crate::error::{UsageError, with_hint};
use crate::profile::chain::chain;
use crate::profile::{ConfigFile, Mode, check_region, keys};

/// One field to write: `None` removes it. `flag` names it in messages.
#[derive(Debug, Clone)]
pub struct Change {
    /// The profile key.
    pub key: &'static str,
    /// The new value, or `None` to remove the key.
    pub value: Option<Value>,
    /// The flag, without `--`.
    pub flag: &'static str,
    /// The modes the flag applies to; empty means any.
    pub modes: &'static [Mode],
}

const CHAINED: &[Mode] = &[Mode::ChainableRamRoleArn];
const ROLES: &[Mode] = &[Mode::ChainableRamRoleArn, Mode::RamRoleArn, Mode::Oidc];
const ROLES_WITH_IDS: &[Mode] = &[Mode::ChainableRamRoleArn, Mode::RamRoleArn];

/// The cached STS credentials of OAuth and role profiles (and the keys of AK-like ones).
const CREDENTIAL_KEYS: [&str; 4] = [
    keys::ACCESS_KEY_ID,
    keys::ACCESS_KEY_SECRET,
    keys::STS_TOKEN,
    keys::STS_EXPIRATION,
];

/// True for modes whose credential fields hold keys the user stored, not a cache.
fn holds_own_keys(mode: &Mode) -> bool {
    matches!(mode, Mode::Ak | Mode::StsToken | Mode::RamRoleArn)
}

fn usage(text: impl Into<String>) -> anyhow::Error {
    UsageError(text.into()).into()
}

/// The mode `--mode` names; modes alicli does not write are refused with where to go instead.
pub fn chosen_mode(mode: ProfileMode) -> Result<Mode> {
    let refusal = match mode {
        ProfileMode::CloudSso => {
            "CloudSSO profiles are signed in with the official CLI: `aliyun configure --profile NAME --mode CloudSSO`"
                .to_owned()
        }
        ProfileMode::Ak | ProfileMode::StsToken => format!(
            "alicli never stores an AccessKey; sign in with `alicli login --profile NAME`, or store keys with `aliyun configure --mode {}`",
            mode.as_str()
        ),
        _ => return Ok(Mode::parse(mode.as_str())),
    };
    Err(usage(refusal))
}

/// A value given to a flag, checked; an empty one removes the key.
type Check = fn(&str) -> Result<Value>;

fn plain(text: &str) -> Result<Value> {
    Ok(Value::from(text))
}

fn role_arn(text: &str) -> Result<Value> {
    check_arn(text, "role").map(|()| Value::from(text))
}

fn session_name(text: &str) -> Result<Value> {
    check_session_name(text).map(|()| Value::from(text))
}

fn seconds(text: &str) -> Result<Value> {
    match text.parse::<i64>() {
        Ok(n) if n >= MIN_DURATION => Ok(Value::from(n)),
        _ => Err(anyhow!(
            "`{text}` is not a number of seconds of at least {MIN_DURATION}"
        )),
    }
}

fn region(text: &str) -> Result<Value> {
    check_region(text).map(|()| Value::from(text))
}

fn role_name(text: &str) -> Result<Value> {
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        Ok(Value::from(text))
    } else {
        Err(anyhow!("`{}` is not a RAM role name", text.escape_debug()))
    }
}

fn provider_arn(text: &str) -> Result<Value> {
    check_arn(text, "oidc-provider").map(|()| Value::from(text))
}

/// Stored absolute: later commands run from other directories.
fn token_file(text: &str) -> Result<Value> {
    let path = std::path::absolute(Path::new(text))?;
    Ok(Value::from(path.to_string_lossy().into_owned()))
}

fn command(text: &str) -> Result<Value> {
    match shlex::split(text) {
        Some(words) if !words.is_empty() => Ok(Value::from(text)),
        _ => Err(anyhow!("it cannot be split into words (check its quotes)")),
    }
}

/// The mode-specific flags as changes, each value checked.
pub fn mode_changes(args: &SetArgs) -> Result<Vec<Change>> {
    type Flag<'a> = (
        &'a Option<String>,
        &'static str,
        &'static str,
        &'static [Mode],
        Check,
    );
    let flags: [Flag<'_>; 10] = [
        (
            &args.source_profile,
            keys::SOURCE_PROFILE,
            "source-profile",
            CHAINED,
            plain,
        ),
        (
            &args.ram_role_arn,
            keys::RAM_ROLE_ARN,
            "ram-role-arn",
            ROLES,
            role_arn,
        ),
        (
            &args.role_session_name,
            keys::RAM_SESSION_NAME,
            "role-session-name",
            ROLES,
            session_name,
        ),
        (
            &args.external_id,
            keys::EXTERNAL_ID,
            "external-id",
            ROLES_WITH_IDS,
            plain,
        ),
        (
            &args.expired_seconds,
            keys::EXPIRED_SECONDS,
            "expired-seconds",
            ROLES,
            seconds,
        ),
        (
            &args.sts_region,
            keys::STS_REGION,
            "sts-region",
            &[],
            region,
        ),
        (
            &args.ram_role_name,
            keys::RAM_ROLE_NAME,
            "ram-role-name",
            &[Mode::EcsRamRole],
            role_name,
        ),
        (
            &args.oidc_provider_arn,
            keys::OIDC_PROVIDER_ARN,
            "oidc-provider-arn",
            &[Mode::Oidc],
            provider_arn,
        ),
        (
            &args.oidc_token_file,
            keys::OIDC_TOKEN_FILE,
            "oidc-token-file",
            &[Mode::Oidc],
            token_file,
        ),
        (
            &args.process_command,
            keys::PROCESS_COMMAND,
            "process-command",
            &[Mode::External],
            command,
        ),
    ];
    let mut changes = Vec::new();
    for (given, key, flag, modes, check) in flags {
        let Some(text) = given else { continue };
        let value = match text.trim() {
            "" => None,
            text => Some(check(text).map_err(|e| usage(format!("--{flag}: {e}")))?),
        };
        changes.push(Change {
            key,
            value,
            flag,
            modes,
        });
    }
    Ok(changes)
}

/// Refuses a flag that the profile's mode does not read.
pub fn check_fits(changes: &[Change], mode: &Mode, name: &str) -> Result<()> {
    for change in changes {
        if !change.modes.is_empty() && !change.modes.contains(mode) {
            let names: Vec<&str> = change.modes.iter().map(Mode::as_str).collect();
            return Err(usage(format!(
                "--{} applies to {} profiles only; profile `{name}` has mode `{mode}` (`--mode` \
                 changes it)",
                change.flag,
                names.join(", ")
            )));
        }
    }
    Ok(())
}

/// Prepares `name` for a change of mode from `old` to `new`: the old mode's cached credentials and
/// OAuth session go (they would be mistaken for the new mode's), but keys the user stored are
/// never removed. Returns whether an OAuth sign-in was removed.
pub fn change_mode(file: &mut ConfigFile, name: &str, old: &Mode, new: &Mode) -> Result<bool> {
    if holds_own_keys(old) && !holds_own_keys(new) {
        return Err(with_hint(
            usage(format!(
                "profile `{name}` of mode `{old}` holds an AccessKey, which changing its mode to `{new}` would remove"
            )),
            format!(
                "make a new profile instead, e.g. `alicli configure set --profile {name}-role --mode {new} …`"
            ),
        ));
    }
    let signed_out = *old == Mode::OAuth
        && (has(file, name, keys::OAUTH_REFRESH_TOKEN)
            || has(file, name, keys::OAUTH_ACCESS_TOKEN));
    if *old == Mode::OAuth {
        file.remove_session(name);
    }
    if !holds_own_keys(old) {
        drop_cached_credentials(file, name);
    }
    Ok(signed_out)
}

/// Removes the role credentials cached in a profile: after its role or source changed they
/// belong to another session.
pub fn drop_cached_credentials(file: &mut ConfigFile, name: &str) {
    for key in CREDENTIAL_KEYS {
        file.remove_field(name, key);
    }
}

fn has(file: &ConfigFile, name: &str, key: &str) -> bool {
    file.raw_profile(name)
        .and_then(|p| p.get(key))
        .and_then(Value::as_str)
        .is_some_and(|v| !v.trim().is_empty())
}

/// Checks that the profile, as it would be written, can produce credentials in its mode.
pub fn check_complete(file: &ConfigFile, name: &str, mode: &Mode) -> Result<()> {
    let required: &[(&str, &str)] = match mode {
        Mode::ChainableRamRoleArn => &[
            (keys::SOURCE_PROFILE, "--source-profile"),
            (keys::RAM_ROLE_ARN, "--ram-role-arn"),
        ],
        Mode::Oidc => &[
            (keys::RAM_ROLE_ARN, "--ram-role-arn"),
            (keys::OIDC_PROVIDER_ARN, "--oidc-provider-arn"),
            (keys::OIDC_TOKEN_FILE, "--oidc-token-file"),
        ],
        Mode::External => &[(keys::PROCESS_COMMAND, "--process-command")],
        Mode::RamRoleArn => &[(keys::RAM_ROLE_ARN, "--ram-role-arn")],
        _ => &[],
    };
    if let Some((key, flag)) = required.iter().find(|(key, _)| !has(file, name, key)) {
        return Err(usage(format!(
            "a {mode} profile needs `{key}`: pass `{flag}`"
        )));
    }
    let has_key = has(file, name, keys::ACCESS_KEY_ID) && has(file, name, keys::ACCESS_KEY_SECRET);
    if *mode == Mode::RamRoleArn && !has_key {
        return Err(with_hint(
            usage(format!(
                "a RamRoleArn profile needs an AccessKey in `{name}`, and alicli never stores one"
            )),
            format!(
                "chain the role on a signed-in profile instead: `alicli configure set --profile {name} --mode ChainableRamRoleArn --source-profile SOURCE …`"
            ),
        ));
    }
    if *mode == Mode::ChainableRamRoleArn {
        chain(file, name).map_err(|e| usage(e.to_string()))?;
    }
    Ok(())
}
