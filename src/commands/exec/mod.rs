//! `alicli exec -- COMMAND`: runs a command with a profile's credentials in its environment.
//!
//! With static keys alicli has nothing left to do once the command starts, so on Unix it becomes
//! the command (`execvp`): signals, the exit status and job control are then exactly those of the
//! command run directly, and the only cost is alicli's start-up. With `--server` alicli stays as
//! the parent to serve renewing credentials (see `server.rs`).

mod child;
mod server;

use anyhow::Result;

use child::{Handover, child_command, run_as_child_or_replace, static_vars};

use super::export::{families, warn_if_short};
use super::resolve::Target;
use super::settings::Settings;
use crate::cli::ExecArgs;
use crate::http::Http;

/// Runs the command; returns its exit code (when alicli did not become the command).
pub fn run(args: ExecArgs, settings: &Settings, http: &Http) -> Result<u8> {
    let target = Target::locate(settings, &args.profile)?;
    if let Some(outer) = &settings.exec_profile {
        stderrln!(
            "warning: `alicli exec` is running inside another `alicli exec` (profile `{outer}`); \
             profile `{}` replaces its credentials for this command",
            target.name
        );
    }
    if args.server {
        return server::run(args, settings, target);
    }
    let resolved = target.credentials_blocking(settings, http, args.min_ttl)?;
    warn_if_short(&target.name, &resolved, args.min_ttl);
    let vars = static_vars(&Handover {
        credentials: &resolved.credentials,
        region: &resolved.profile.region_id,
        profile: &target.name,
        families: &families(&args.families),
    });
    let command = child_command(&args.command, &vars, settings, &target.name);
    run_as_child_or_replace(command, &args.command[0])
}
