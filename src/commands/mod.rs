//! One module per user action. Commands read settings, call the core, and print: data on stdout,
//! people on stderr. They are the only layer that knows about terminals and the environment.

mod configure;
mod output;
mod prompt;
mod session;
mod settings;
mod sts;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, SessionAction, StsAction};
pub use settings::Settings;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let settings = Settings::from_env();
    // Only commands that do I/O get here, so the runtime is never built for `--version`/`--help`.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(async {
        match cli.command {
            Command::Configure(args) => configure::run(args, &settings).await,
            Command::Sts(args) => match args.action {
                StsAction::GetCallerIdentity(args) => {
                    sts::get_caller_identity(args, &settings).await
                }
            },
            Command::Session(args) => match args.action {
                SessionAction::Validate(args) => session::validate::run(args, &settings).await,
                SessionAction::Refresh(args) => session::refresh::run(args, &settings).await,
                SessionAction::Export(args) => session::export::run(args, &settings).await,
                SessionAction::Import(args) => session::import::run(args, &settings).await,
                SessionAction::Terminate(args) => session::terminate::run(args, &settings).await,
            },
            Command::Logout(args) => session::terminate::run(args, &settings).await,
        }
    })
}
