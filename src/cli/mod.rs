//! The command line, as clap types only. Doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};
use clap_complete::ArgValueCandidates;

mod configure;
mod session;
mod tools;

pub use configure::*;
pub use session::*;
pub use tools::*;

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
    #[arg(long, global = true, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub ca_bundle: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in through the browser (OAuth with PKCE) and save the profile: the same as
    /// `alicli configure`.
    ///
    /// The profile is --profile, else $ALIBABACLOUD_PROFILE, $ALIBABA_CLOUD_PROFILE,
    /// $ALICLOUD_PROFILE, else the file's `current`, else `default`. A profile that already has
    /// its site and region is signed in again without a question.
    Login(SignInArgs),
    /// Sign in through the browser (the same as `alicli login`); or manage profiles with `list`,
    /// `get`, `set`, `delete` and `switch`.
    Configure(ConfigureArgs),
    /// Call the STS API with a profile's credentials, renewing them first when needed.
    Sts(StsArgs),
    /// Check, renew, move to another machine, or end a signed-in session.
    Session(SessionArgs),
    /// End a session and keep the profile's settings: the same as `alicli session terminate`.
    Logout(TerminateArgs),
    /// Print a profile's credentials for a shell, a file or another program, renewing them first
    /// when they are closer to expiry than --min-ttl.
    ///
    /// eval "$(alicli export-credentials --profile work)" sets ALIBABA_CLOUD_ACCESS_KEY_ID,
    /// ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN, ALIBABA_CLOUD_REGION_ID and
    /// ALIBABA_CLOUD_CREDENTIALS_EXPIRATION. An `External` profile whose process_command is
    /// `alicli export-credentials --profile work --format external` lends the profile to the
    /// official CLI and SDKs.
    #[command(name = "export-credentials")]
    ExportCredentials(ExportArgs),
    /// Run a command with a profile's credentials in its environment; returns its exit code.
    ///
    /// Without --server the command gets the same variables as `export-credentials` (they do not
    /// renew themselves). With --server it gets ALIBABA_CLOUD_CREDENTIALS_URI instead: a local
    /// endpoint that keeps serving fresh credentials for as long as the command runs.
    Exec(ExecArgs),
    /// A short offline status for shell prompts, like `work 53m` or `work expired`.
    ///
    /// Shows the selected profile and how long its cached credentials last. Never touches the
    /// network; prints nothing when no profile is selected.
    Prompt(PromptArgs),
    /// Print a shell completion script.
    ///
    /// bash: `alicli completion bash > ~/.local/share/bash-completion/completions/alicli`;
    /// zsh: `alicli completion zsh > "${fpath[1]}/_alicli"`; fish: `alicli completion fish >
    /// ~/.config/fish/completions/alicli.fish`; PowerShell: `alicli completion powershell |
    /// Out-String | Invoke-Expression`.
    Completion(CompletionArgs),
    /// Print a manual page (roff), e.g. `alicli man | man -l -` or `alicli man session validate |
    /// man -l -`; `--out-dir DIR` writes them all as files.
    Man(ManArgs),
    /// Open the Alibaba Cloud web console in the browser, signed in as the profile.
    ///
    /// Trades the profile's STS credentials for a one-time sign-in token at Alibaba's federation
    /// endpoint, just before the browser opens (the token lasts 30 s). Works for role profiles
    /// (ChainableRamRoleArn, RamRoleArn, OIDC, EcsRamRole); Alibaba documents console federation
    /// for role sessions, so a signed-in user's own STS credentials may be refused.
    Console(ConsoleArgs),
    /// Check the setup and print each problem with its fix.
    ///
    /// Checks the profile file (permissions, parse, current profile), each endpoint (DNS, TCP,
    /// TLS, HTTP, through the proxy in use), the clock against the servers' `Date`, the profile's
    /// expiry, the browser, and the callback ports. Changes nothing. Exit status 1 if a check
    /// fails.
    Doctor(DoctorArgs),
}

/// Completes `--profile` with the names in the profile file (see `commands::completion`).
fn profile_names() -> ArgValueCandidates {
    ArgValueCandidates::new(crate::commands::completion::profile_names)
}

/// `alicli console`
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The console page to open, an https URL on an Alibaba Cloud domain
    /// [default: the console home of the profile's site].
    #[arg(long, value_name = "URL")]
    pub destination: Option<String>,
    /// Print the sign-in URL on stdout instead of opening a browser. It works once, within 30 s.
    #[arg(long)]
    pub print: bool,
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

/// Where a profile's OAuth session is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StorageArg {
    /// In config.json, which the official CLI and SDKs read natively.
    File,
    /// In the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager);
    /// config.json gets an External profile that runs alicli, with no secret in it.
    Keychain,
}

/// Which profile, in which file.
#[derive(Debug, Clone, Args)]
pub struct ProfileArgs {
    /// The profile to use [default: $ALIBABACLOUD_PROFILE, $ALIBABA_CLOUD_PROFILE,
    /// $ALICLOUD_PROFILE, or the file's `current`].
    #[arg(short = 'p', long, value_name = "NAME", add = profile_names())]
    pub profile: Option<String>,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub config_path: Option<PathBuf>,
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
