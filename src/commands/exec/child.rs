//! The command that `exec` runs: its environment (static keys, or the credentials URI of
//! `--server`), how it is started, and how its exit status becomes alicli's exit code.

use std::ffi::OsString;
use std::process::Command;

use anyhow::Result;

use crate::cloud::credentials::Credentials;
use crate::commands::settings::{EXEC_VAR, Settings};
use crate::error::CannotRun;
use crate::export::vars::{
    CREDENTIALS_URI, Family, IGNORE_PROFILE, REGION_ID, Var, credential_vars, names_of,
};
use crate::external::DEPTH_VAR;

/// The SDKs' switch for their CLI-profile provider, which precedes `CredentialsURI` in the chain.
const CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// The SDKs' switch for the ECS metadata probe, which also precedes `CredentialsURI`.
const ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";

/// Whose credentials the child gets, and which families of variables carry them.
pub struct Handover<'a> {
    /// The credentials (with `--server`: the first ones, for the families that cannot renew).
    pub credentials: &'a Credentials,
    /// The profile's region, empty when it has none.
    pub region: &'a str,
    /// The profile name.
    pub profile: &'a str,
    /// The families `--families` picked.
    pub families: &'a [Family],
}

/// The child's variables with static keys: the credentials, and no credentials URI (it would
/// compete with them in some tools' chains).
pub fn static_vars(handover: &Handover<'_>) -> Vec<Var> {
    let mut vars = credential_vars(
        handover.credentials,
        Some(handover.region),
        handover.profile,
        handover.families,
    );
    vars.push((CREDENTIALS_URI, None));
    vars
}

/// The child's variables with `--server`: the URI, and none of the `ALIBABA_CLOUD_*` keys,
/// because the SDKs look at environment keys, the CLI profile file and ECS metadata before the URI
/// (docs/protocol.md §7) and would otherwise never ask the endpoint. Nor
/// `ALIBABA_CLOUD_IGNORE_PROFILE`: the official CLI does not read the URI, so it must find the
/// profile, which `ALIBABA_CLOUD_PROFILE` names. The other families cannot fetch from an endpoint:
/// they get the first credentials, as without `--server`.
pub fn server_vars(uri: &str, handover: &Handover<'_>) -> Vec<Var> {
    let others: Vec<Family> = handover
        .families
        .iter()
        .copied()
        .filter(|family| *family != Family::Alibaba)
        .collect();
    let mut vars = credential_vars(
        handover.credentials,
        Some(handover.region),
        handover.profile,
        &others,
    );
    vars.push((CREDENTIALS_URI, Some(uri.to_owned())));
    vars.extend(names_of(Family::Alibaba).map(|name| (name, None)));
    vars.extend([
        (IGNORE_PROFILE, None),
        (CLI_PROFILE_DISABLED, Some("true".into())),
        (ECS_METADATA_DISABLED, Some("true".into())),
    ]);
    if handover.families.contains(&Family::Alibaba) {
        let region = Some(handover.region).filter(|r| !r.is_empty());
        vars.push((REGION_ID, region.map(str::to_owned)));
    }
    vars
}

/// The command with its environment: the variables, plus the markers that let a nested exec warn
/// and the recursion guard count.
pub fn child_command(
    argv: &[OsString],
    vars: &[Var],
    settings: &Settings,
    profile: &str,
) -> Command {
    let mut command = Command::new(&argv[0]);
    command.args(&argv[1..]);
    for (name, value) in vars {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command
        .env(EXEC_VAR, profile)
        .env(DEPTH_VAR, (settings.depth + 1).to_string());
    command
}

/// The exit code a shell reports for a status: the code, or 128 + the signal that killed it.
pub fn exit_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return (code & 0xff) as u8;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return (128 + signal).min(255) as u8;
        }
    }
    1
}

#[cfg(unix)]
pub fn run_as_child_or_replace(mut command: Command, program: &OsString) -> Result<u8> {
    use std::os::unix::process::CommandExt;
    // Only returns on failure. std resets SIGPIPE and the signal mask for the new program.
    let error = command.exec();
    Err(CannotRun {
        program: program.to_string_lossy().into_owned(),
        source: error,
    }
    .into())
}

#[cfg(not(unix))]
pub fn run_as_child_or_replace(mut command: Command, program: &OsString) -> Result<u8> {
    let status = command.status().map_err(|source| CannotRun {
        program: program.to_string_lossy().into_owned(),
        source,
    })?;
    Ok(exit_code(status))
}
