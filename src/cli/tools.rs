//! Arguments of the commands that hand credentials to other programs, and of shell integration.

use std::ffi::OsString;

use clap::{Args, ValueEnum, ValueHint};

use super::ProfileArgs;

/// `alicli export-credentials`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Renew first when the credentials have less than this left: seconds, or with a unit
    /// (900, 900s, 15m, 1h). OAuth profiles are renewed at 5 minutes in any case.
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    pub min_ttl: i64,
    /// The output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Env)]
    pub format: ExportFormat,
    /// Which families of variables the shell formats set.
    #[command(flatten)]
    pub families: FamiliesArg,
}

/// `--families`, shared by `export-credentials` and `exec`.
#[derive(Debug, Args)]
pub struct FamiliesArg {
    /// The families of variables to set, comma-separated (all by default). Variables of a family
    /// left out stay as they are; ALIBABA_CLOUD_PROFILE always names the profile.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "FAMILY,...",
        default_values_t = [VarFamily::Alibaba, VarFamily::Alicloud, VarFamily::Oss]
    )]
    pub families: Vec<VarFamily>,
}

/// A family of environment variables, named after the tools that read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VarFamily {
    /// ALIBABA_CLOUD_* keys, token, region and expiry, and ALIBABA_CLOUD_IGNORE_PROFILE=TRUE: the
    /// official CLI and SDKs.
    Alibaba,
    /// ALICLOUD_ACCESS_KEY, ALICLOUD_SECRET_KEY, ALICLOUD_SECURITY_TOKEN, ALICLOUD_REGION:
    /// Terraform, Ansible, Pulumi.
    Alicloud,
    /// OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_SESSION_TOKEN: oss2, the OSS SDK v2, ossutil.
    Oss,
}

/// `--format` of `export-credentials`. (No `"` or `$` in these docs: clap_complete copies them
/// into double-quoted strings of the fish script, where they would expand.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// `export NAME='value'` lines for bash, zsh and sh, to eval or to save and source.
    Env,
    /// `NAME='value'` lines without `export`.
    EnvNoExport,
    /// `set -gx NAME 'value'` lines for fish; pipe them to `source`.
    Fish,
    /// `Env:NAME = 'value'` assignments for PowerShell; pipe them to `Invoke-Expression`.
    Powershell,
    /// `set` lines for cmd.exe: save them as a .cmd file and `call` it.
    WindowsCmd,
    /// `NAME=value` lines for dotenv readers and `docker run --env-file`.
    Dotenv,
    /// One JSON object: profile, access_key_id, access_key_secret, security_token, region_id,
    /// expiration (RFC 3339; null when the keys do not expire).
    Json,
    /// The JSON an `External` profile's process_command prints, for the official CLI and SDKs.
    External,
}

/// `alicli exec`
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Renew first when the credentials have less than this left: seconds, or with a unit
    /// (900, 900s, 15m, 1h). With --server: what the endpoint keeps at least (or half the
    /// credentials' lifetime when that is shorter).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    pub min_ttl: i64,
    /// Serve renewing credentials on 127.0.0.1 (ALIBABA_CLOUD_CREDENTIALS_URI) instead of static
    /// keys, for jobs that outlive one set of credentials.
    #[arg(long)]
    pub server: bool,
    /// Which families of variables the command gets.
    #[command(flatten)]
    pub families: FamiliesArg,
    /// The command and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND",
        value_hint = ValueHint::CommandWithArguments
    )]
    pub command: Vec<OsString>,
}

/// `alicli prompt`
#[derive(Debug, Args)]
pub struct PromptArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// `alicli completion`
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// Shells with completion scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
}

/// `alicli man`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `exec` or `session validate` [default: alicli's own].
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

fn parse_duration(text: &str) -> Result<i64, String> {
    crate::timefmt::parse_duration(text)
}
