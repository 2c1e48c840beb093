//! Arguments of `alicli configure`: the sign-in and the profile management subcommands.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum, ValueHint};

use super::{ProfileArgs, StorageArg, profile_names};

/// The credential mode `configure` sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Browser sign-in; STS credentials renewed from the OAuth tokens.
    #[value(name = "OAuth")]
    OAuth,
}

/// The credential modes `configure set --mode` knows, by their official names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileMode {
    /// Browser sign-in (`alicli configure --mode OAuth`).
    #[value(name = "OAuth")]
    OAuth,
    /// A role assumed with the credentials of another profile (--source-profile).
    #[value(name = "ChainableRamRoleArn")]
    ChainableRamRoleArn,
    /// A role assumed with the profile's own AccessKey (which alicli never stores).
    #[value(name = "RamRoleArn")]
    RamRoleArn,
    /// A role assumed with an OIDC token read from a file, for CI jobs.
    #[value(name = "OIDC")]
    Oidc,
    /// The RAM role of the ECS instance, from its metadata service.
    #[value(name = "EcsRamRole")]
    EcsRamRole,
    /// Credentials printed by a command (--process-command).
    #[value(name = "External")]
    External,
    /// Cloud SSO, signed in with the official CLI.
    #[value(name = "CloudSSO")]
    CloudSso,
    /// A long-term AccessKey, which alicli never stores.
    #[value(name = "AK")]
    Ak,
    /// Fixed STS credentials, which alicli never stores.
    #[value(name = "StsToken")]
    StsToken,
}

impl ProfileMode {
    /// The official name, as stored in `mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileMode::OAuth => "OAuth",
            ProfileMode::ChainableRamRoleArn => "ChainableRamRoleArn",
            ProfileMode::RamRoleArn => "RamRoleArn",
            ProfileMode::Oidc => "OIDC",
            ProfileMode::EcsRamRole => "EcsRamRole",
            ProfileMode::External => "External",
            ProfileMode::CloudSso => "CloudSSO",
            ProfileMode::Ak => "AK",
            ProfileMode::StsToken => "StsToken",
        }
    }
}

/// The language stored in the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Language {
    /// English.
    En,
    /// Chinese.
    Zh,
}

impl Language {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Zh => "zh",
        }
    }
}

/// The longest sign-in wait `--timeout` accepts: a day.
const MAX_TIMEOUT_SECS: u64 = 86_400;

/// `alicli configure`: the sign-in, or one of the management subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ConfigureArgs {
    /// A management command instead of the sign-in.
    #[command(subcommand)]
    pub action: Option<ConfigureAction>,
    /// The credential mode; alicli signs in with OAuth, the only mode it sets up.
    #[arg(long, value_enum, ignore_case = true, default_value = "OAuth")]
    pub mode: Mode,
    /// What the sign-in needs.
    #[command(flatten)]
    pub sign_in: SignInArgs,
}

/// The sign-in's options, shared by `alicli login` and `alicli configure`.
#[derive(Debug, Args)]
pub struct SignInArgs {
    /// The profile to sign in [default: $ALIBABACLOUD_PROFILE, $ALIBABA_CLOUD_PROFILE,
    /// $ALICLOUD_PROFILE, the file's `current`, or `default`]. A new profile's name is 1 to 64
    /// letters, digits, `-`, `_`, `.` or `@`, not starting with `-` or `.`.
    #[arg(short = 'p', long, value_name = "NAME", add = profile_names())]
    pub profile: Option<String>,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub config_path: Option<PathBuf>,
    /// The site: CN (or 0) for Alibaba Cloud China, INTL (or 1) for International [default: the
    /// profile's site; asked on a terminal for a new profile, else CN].
    #[arg(long, value_name = "CN|INTL")]
    pub oauth_site_type: Option<String>,
    /// The default region, e.g. cn-hangzhou [default: the profile's; asked on a terminal for a
    /// new profile].
    #[arg(long, value_name = "ID")]
    pub region: Option<String>,
    /// The language stored in the profile [default: the profile's, or en].
    #[arg(long, value_enum, ignore_case = true)]
    pub language: Option<Language>,
    /// The loopback port for the browser's redirect; 0 picks any free port [default: the first
    /// free of 12345-12349, the ports Alibaba's sign-in accepts].
    #[arg(long, value_name = "PORT")]
    pub callback_port: Option<u16>,
    /// How long to wait for the browser sign-in, in seconds (at most 86400, a day); 0 waits
    /// without a limit (Ctrl-C still stops it).
    // Bounded: the deadline is `now + timeout`, and a huge value overflowed the clock (a panic).
    #[arg(long, value_name = "SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(0..=MAX_TIMEOUT_SECS))]
    pub timeout: u64,
    /// Do not open a browser: print the URL, then finish through SSH port forwarding or by
    /// pasting the address the browser ended on. Automatic over SSH or without a display (unless
    /// BROWSER is set), and when the browser fails to open.
    #[arg(long)]
    pub no_browser: bool,
    /// Replace the profile without asking when the new sign-in is to another account.
    #[arg(long)]
    pub force: bool,
    /// Where to keep the session [default: where the profile keeps it now, or file].
    #[arg(long, value_enum)]
    pub storage: Option<StorageArg>,
}

/// `alicli configure list|get|set|delete|switch`
#[derive(Debug, Subcommand)]
pub enum ConfigureAction {
    /// List the profiles: mode, site, region, how long they stay valid, and the account. The
    /// current profile is marked `*`.
    List(ListArgs),
    /// Print a profile as JSON, or `KEY=VALUE` lines for the named keys. Secrets are masked.
    Get(GetArgs),
    /// Write profile fields without signing in, with the official CLI's flags. The profile is
    /// chosen as everywhere, else `default`; one that does not exist is created (as an OAuth
    /// profile, ready for `alicli login --profile NAME`, unless --mode says otherwise). An empty
    /// value removes a field.
    ///
    /// A role on a signed-in profile: `alicli configure set --profile prod --mode
    /// ChainableRamRoleArn --source-profile work --ram-role-arn acs:ram::123:role/admin
    /// --role-session-name me`.
    Set(Box<SetArgs>),
    /// Delete a profile. When it was the current one, the first remaining profile becomes current.
    Delete(NamedProfileArgs),
    /// Make a profile the current one.
    Switch(NamedProfileArgs),
}

/// `alicli configure list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub config_path: Option<PathBuf>,
    /// `table` for people, `json` for scripts.
    #[arg(long, short = 'o', value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
}

/// `configure list --output`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns.
    Table,
    /// One JSON object (see README).
    Json,
}

/// `alicli configure get`
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Keys to print, e.g. `region_id mode` (`-` and `_` are interchangeable; `region` means
    /// `region_id`, `site` means `oauth_site_type`) [default: the whole profile, as JSON].
    #[arg(value_name = "KEY")]
    pub keys: Vec<String>,
    /// Print tokens and secrets in full instead of `****` and their last 4 characters.
    #[arg(long)]
    pub show_secrets: bool,
}

/// `alicli configure set`
#[derive(Debug, Args)]
pub struct SetArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The default region, e.g. cn-hangzhou.
    #[arg(long, value_name = "ID")]
    pub region: Option<String>,
    /// The language stored in the profile.
    #[arg(long, value_enum, ignore_case = true)]
    pub language: Option<Language>,
    /// The site of an OAuth profile: CN (or 0) or INTL (or 1).
    #[arg(long, value_name = "CN|INTL")]
    pub oauth_site_type: Option<String>,
    /// The STS endpoint this profile calls: a host (HTTPS) or a full URL; an empty value removes it.
    #[arg(long, value_name = "URL")]
    pub sts_endpoint: Option<String>,
    /// The credential mode; changing it removes the credentials cached for the old one.
    #[arg(long, value_enum)]
    pub mode: Option<ProfileMode>,
    /// The profile whose credentials assume the role (ChainableRamRoleArn).
    #[arg(long, value_name = "NAME")]
    pub source_profile: Option<String>,
    /// The role to assume, e.g. acs:ram::123456789012:role/admin (ChainableRamRoleArn,
    /// RamRoleArn, OIDC).
    #[arg(long, value_name = "ARN")]
    pub ram_role_arn: Option<String>,
    /// The role session's name, shown in the role's ARN and audit logs [default: alicli-<time>].
    #[arg(long, value_name = "NAME")]
    pub role_session_name: Option<String>,
    /// The ExternalId the role's trust policy asks for (ChainableRamRoleArn, RamRoleArn).
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// How long each role session lasts, in seconds (at least 900) [default: 3600].
    #[arg(long, value_name = "SECS")]
    pub expired_seconds: Option<String>,
    /// The region of the STS endpoint for role sessions (sts.<ID>.aliyuncs.com).
    #[arg(long, value_name = "ID")]
    pub sts_region: Option<String>,
    /// The instance's RAM role (EcsRamRole) [default: the one the metadata service names].
    #[arg(long, value_name = "NAME")]
    pub ram_role_name: Option<String>,
    /// The OIDC identity provider, e.g. acs:ram::123456789012:oidc-provider/ci (OIDC).
    #[arg(long, value_name = "ARN")]
    pub oidc_provider_arn: Option<String>,
    /// The file holding the OIDC token, read again at each renewal (OIDC).
    #[arg(long, value_name = "FILE")]
    pub oidc_token_file: Option<String>,
    /// The command that prints credentials (External).
    #[arg(long, value_name = "COMMAND")]
    pub process_command: Option<String>,
    /// Move the profile's session: into the OS keychain, or back into config.json.
    #[arg(long, value_enum)]
    pub storage: Option<StorageArg>,
}

/// `alicli configure delete|switch`: a profile named on the command line.
#[derive(Debug, Args)]
pub struct NamedProfileArgs {
    /// The profile.
    #[arg(short = 'p', long, value_name = "NAME", required = true, add = profile_names())]
    pub profile: String,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub config_path: Option<PathBuf>,
}
