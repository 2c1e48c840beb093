//! The command that `exec` runs: its environment (static keys, or the credentials URI of
//! `--server`), how it is started, and how its exit status becomes alicli's exit code.

use std::ffi::OsString;
use std::process::Command;

use anyhow::Result;

use crate::cloud::credentials::Credentials;
use crate::commands::settings::{EXEC_VAR, Settings};
use crate::error::CannotRun;
use crate::export::{
    ACCESS_KEY_ID, ACCESS_KEY_SECRET, CREDENTIALS_URI, EXPIRATION, REGION_ID, SECURITY_TOKEN, Var,
    credential_vars,
};
use crate::external::DEPTH_VAR;

/// The SDKs' switch for their CLI-profile provider, which precedes `CredentialsURI` in the chain.
const CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// The SDKs' switch for the ECS metadata probe, which also precedes `CredentialsURI`.
const ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";

/// The child's variables with static keys: the credentials, and no credentials URI (it would
/// compete with them in some tools' chains).
pub fn static_vars(credentials: &Credentials, region: &str) -> Vec<Var> {
    let mut vars = credential_vars(credentials, Some(region));
    vars.push((CREDENTIALS_URI, None));
    vars
}

/// The child's variables with `--server`: the URI, and none of the static keys, because the SDKs
/// look at environment keys, the CLI profile file and ECS metadata before the URI (PROTOCOL.md §7,
/// python-sdk notes §4) and would otherwise never ask the endpoint.
pub fn server_vars(uri: &str, region: &str) -> Vec<Var> {
    let mut vars: Vec<Var> = vec![
        (CREDENTIALS_URI, Some(uri.to_owned())),
        (ACCESS_KEY_ID, None),
        (ACCESS_KEY_SECRET, None),
        (SECURITY_TOKEN, None),
        (EXPIRATION, None),
        (CLI_PROFILE_DISABLED, Some("true".into())),
        (ECS_METADATA_DISABLED, Some("true".into())),
    ];
    if !region.is_empty() {
        vars.push((REGION_ID, Some(region.to_owned())));
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
