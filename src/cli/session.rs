//! Arguments of `alicli session …` and `alicli logout`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueHint};

use super::{ProfileArgs, StorageArg, profile_names};

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
    /// End a session: forget its tokens and credentials (revoked first when an endpoint is set)
    /// and keep the profile's settings, so `alicli login` signs straight back in.
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
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub output_file: PathBuf,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `alicli session import`
#[derive(Debug, Args)]
pub struct SessionImportArgs {
    /// The archive made by `alicli session export`; `-` reads it from stdin.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub session_archive: PathBuf,
    /// The name to import as [default: the name in the archive].
    #[arg(short = 'p', long, value_name = "NAME", add = profile_names())]
    pub profile: Option<String>,
    /// The profile file [default: $ALIBABA_CLOUD_CONFIG_FILE or ~/.aliyun/config.json].
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub config_path: Option<PathBuf>,
    /// Replace a profile of the same name.
    #[arg(long)]
    pub force: bool,
    /// Where to keep the session [default: asked on a terminal, else file].
    #[arg(long, value_enum)]
    pub storage: Option<StorageArg>,
}

/// `alicli session terminate` / `alicli logout`
#[derive(Debug, Args)]
pub struct TerminateArgs {
    /// Which profile, in which file.
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Also remove the profile (site, region, language); `current` then moves as with
    /// `alicli configure delete`.
    #[arg(long)]
    pub delete_profile: bool,
    /// Keep the profile's settings: what terminate does anyway (kept for older scripts).
    #[arg(long, hide = true, conflicts_with = "delete_profile")]
    pub keep_profile: bool,
    /// Where the profile keeps its next session: in config.json, or in the OS keychain [default:
    /// where it keeps this one].
    #[arg(long, value_enum, conflicts_with = "delete_profile")]
    pub storage: Option<StorageArg>,
    /// Do not revoke the refresh token, even when ALICLI_REVOKE_URL is set.
    #[arg(long)]
    pub no_revoke: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}
