//! The command line, as clap types only. Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sign in to Alibaba Cloud through the browser and hand short-lived STS credentials to everything
/// that needs them. Profiles live in ~/.aliyun/config.json, shared with the official `aliyun` CLI
/// and SDKs.
#[derive(Debug, Parser)]
#[command(
    name = "alicli",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Log each request (method, URL without secrets, status, time) and each decision to stderr.
    /// RUST_LOG does the same with finer control, e.g. RUST_LOG=alicli=debug.
    #[arg(long, global = true)]
    pub debug: bool,
    /// Also trust the CA certificates in FILE (PEM), e.g. those of a TLS-inspecting proxy
    /// [default: $ALIBABA_CLOUD_CA_BUNDLE].
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_bundle: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in through the browser (OAuth with PKCE) and save the profile.
    Configure(ConfigureArgs),
    /// Call the STS API with a profile's credentials, renewing them first when needed.
    Sts(StsArgs),
    /// Check the setup and print each problem with its fix.
    ///
    /// Checks the profile file (permissions, parse, current profile), each endpoint (DNS, TCP,
    /// TLS, HTTP, through the proxy in use), the clock against the servers' `Date`, the profile's
    /// expiry, the browser, and the callback ports. Changes nothing. Exit status 1 if a check
    /// fails.
    Doctor(DoctorArgs),
}

/// `alicli doctor`
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print the checks as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Which profile, in which file.
#[derive(Debug, Clone, Args)]
pub struct ProfileArgs {
    /// The profile to use [default: $ALIBABACLOUD_PROFILE, $ALIBABA_CLOUD_PROFILE,
    /// $ALICLOUD_PROFILE, or the file's `current`].
    #[arg(short = 'p', long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE")]
    pub config_path: Option<PathBuf>,
}

/// The credential mode `configure` sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Browser sign-in; STS credentials renewed from the OAuth tokens.
    #[value(name = "OAuth")]
    OAuth,
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

/// `alicli configure`
#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// The profile to sign in [default: default].
    #[arg(short = 'p', long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE")]
    pub config_path: Option<PathBuf>,
    /// The credential mode; alicli signs in with OAuth.
    #[arg(long, value_enum, ignore_case = true)]
    pub mode: Mode,
    /// The site: CN (or 0) for Alibaba Cloud China, INTL (or 1) for International [default: the
    /// profile's site, or CN; asked on a terminal].
    #[arg(long, value_name = "CN|INTL")]
    pub oauth_site_type: Option<String>,
    /// The default region, e.g. cn-hangzhou [default: the profile's; asked on a terminal].
    #[arg(long, value_name = "ID")]
    pub region: Option<String>,
    /// The language stored in the profile [default: the profile's, or en].
    #[arg(long, value_enum, ignore_case = true)]
    pub language: Option<Language>,
    /// The loopback port for the browser's redirect; 0 picks any free port [default: the first
    /// free of 12345-12349, the ports Alibaba's sign-in accepts].
    #[arg(long, value_name = "PORT")]
    pub callback_port: Option<u16>,
    /// How long to wait for the browser sign-in, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub timeout: u64,
}

/// `alicli sts …`
#[derive(Debug, Args)]
pub struct StsArgs {
    /// The STS action.
    #[command(subcommand)]
    pub action: StsAction,
}

/// STS actions.
#[derive(Debug, Subcommand)]
pub enum StsAction {
    /// Print who the profile's credentials belong to, as JSON.
    #[command(name = "GetCallerIdentity", alias = "get-caller-identity")]
    GetCallerIdentity(CallArgs),
}

/// Options of an API call.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The STS endpoint: a host (HTTPS) or a full URL [default: the profile's `sts_endpoint`,
    /// $ALIBABA_CLOUD_STS_ENDPOINT, or sts.aliyuncs.com].
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Use the regional endpoint sts.<ID>.aliyuncs.com.
    #[arg(long, value_name = "ID")]
    pub region: Option<String>,
    /// The request signature: v3 (ACS3-HMAC-SHA256) or v1 (RPC HMAC-SHA1).
    #[arg(long, value_enum, default_value_t = SignatureArg::V3)]
    pub signature_version: SignatureArg,
}

/// `--signature-version`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignatureArg {
    /// ACS3-HMAC-SHA256.
    V3,
    /// RPC HMAC-SHA1.
    V1,
}
