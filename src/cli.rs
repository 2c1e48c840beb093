//! The command line, as clap types only. Doc comments are the `--help` text.

use std::ffi::OsString;
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
    /// Sign in through the browser (OAuth with PKCE) and save the profile; or manage profiles
    /// with `list`, `get`, `set`, `delete` and `switch`.
    Configure(ConfigureArgs),
    /// Call the STS API with a profile's credentials, renewing them first when needed.
    Sts(StsArgs),
    /// Check, renew, move to another machine, or end a signed-in session.
    Session(SessionArgs),
    /// End a session: the same as `alicli session terminate`.
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
    /// Print the manual page (roff), e.g. `alicli man | man -l -`.
    Man(ManArgs),
    /// Check the setup and print each problem with its fix.
    ///
    /// Checks the profile file (permissions, parse, current profile), each endpoint (DNS, TCP,
    /// TLS, HTTP, through the proxy in use), the clock against the servers' `Date`, the profile's
    /// expiry, the browser, and the callback ports. Changes nothing. Exit status 1 if a check
    /// fails.
    Doctor(DoctorArgs),
}

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
    /// The command and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
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
    /// A command whose page to print instead, e.g. `exec`.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

fn parse_duration(text: &str) -> Result<i64, String> {
    crate::timefmt::parse_duration(text)
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

/// `alicli configure`: the sign-in, or one of the management subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ConfigureArgs {
    /// A management command instead of the sign-in.
    #[command(subcommand)]
    pub action: Option<ConfigureAction>,
    /// The profile to sign in [default: default].
    #[arg(short = 'p', long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE")]
    pub config_path: Option<PathBuf>,
    /// The credential mode; alicli signs in with OAuth.
    #[arg(long, value_enum, ignore_case = true, required = true)]
    pub mode: Option<Mode>,
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
    /// Do not open a browser: print the URL, then finish through SSH port forwarding or by
    /// pasting the address the browser ended on. Automatic over SSH or without a display (unless
    /// BROWSER is set), and when the browser fails to open.
    #[arg(long)]
    pub no_browser: bool,
    /// Replace the profile without asking when the new sign-in is to another account.
    #[arg(long)]
    pub force: bool,
}

/// `alicli configure list|get|set|delete|switch`
#[derive(Debug, Subcommand)]
pub enum ConfigureAction {
    /// List the profiles: mode, site, region, how long they stay valid, and the account. The
    /// current profile is marked `*`.
    List(ListArgs),
    /// Print a profile as JSON, or `KEY=VALUE` lines for the named keys. Secrets are masked.
    Get(GetArgs),
    /// Write profile fields without signing in. The profile is chosen as everywhere, else
    /// `default`; one that does not exist is created as an OAuth profile, ready for
    /// `alicli configure --profile NAME --mode OAuth`.
    Set(SetArgs),
    /// Delete a profile. When it was the current one, the first remaining profile becomes current.
    Delete(NamedProfileArgs),
    /// Make a profile the current one.
    Switch(NamedProfileArgs),
}

/// `alicli configure list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE")]
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
}

/// `alicli configure delete|switch`: a profile named on the command line.
#[derive(Debug, Args)]
pub struct NamedProfileArgs {
    /// The profile.
    #[arg(short = 'p', long, value_name = "NAME", required = true)]
    pub profile: String,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE")]
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

/// `alicli session …`
#[derive(Debug, Args)]
pub struct SessionArgs {
    /// What to do with the session.
    #[command(subcommand)]
    pub action: SessionAction,
}

/// Session actions.
#[derive(Debug, Subcommand)]
pub enum SessionAction {
    /// Check that a session works; exit 0 if valid, 4 if expired (sign in again), 1 on errors.
    Validate(ValidateArgs),
    /// Refresh the token and get new STS credentials now.
    Refresh(RefreshArgs),
    /// Write the session to a passphrase-encrypted archive, to import on another machine.
    Export(SessionExportArgs),
    /// Bring a session archive into the profile store.
    Import(SessionImportArgs),
    /// End a session: forget its tokens and credentials, and revoke it when an endpoint is set.
    Terminate(TerminateArgs),
}

/// `alicli session validate`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Check expiry offline only; without it, the session is used (renewed when needed) and
    /// checked with GetCallerIdentity.
    #[arg(long)]
    pub local: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `alicli session refresh`
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `alicli session export`
#[derive(Debug, Args)]
pub struct SessionExportArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// The archive to write (mode 0600); `-` writes it to stdout.
    #[arg(long, value_name = "FILE")]
    pub output_file: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `alicli session import`
#[derive(Debug, Args)]
pub struct SessionImportArgs {
    /// The archive made by `alicli session export`; `-` reads it from stdin.
    #[arg(long, value_name = "FILE")]
    pub session_archive: PathBuf,
    /// The name to import as [default: the name in the archive].
    #[arg(short = 'p', long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE")]
    pub config_path: Option<PathBuf>,
    /// Replace a profile of the same name.
    #[arg(long)]
    pub force: bool,
}

/// `alicli session terminate` / `alicli logout`
#[derive(Debug, Args)]
pub struct TerminateArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Keep the profile entry (site, region, language); remove only its tokens and credentials.
    #[arg(long)]
    pub keep_profile: bool,
    /// Do not revoke the refresh token, even when ALICLI_REVOKE_URL is set.
    #[arg(long)]
    pub no_revoke: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}
