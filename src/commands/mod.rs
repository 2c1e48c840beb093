//! One module per user action. Commands read settings, call the core, and print: data on stdout,
//! people on stderr. They are the only layer that knows about terminals and the environment.

mod configure;
mod interrupt;
mod output;
mod profiles;
mod prompt;
mod settings;
mod sts;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, ConfigureArgs, StsAction};
pub use settings::Settings;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let settings = Settings::from_env();
    // Profile management makes no request: no runtime, no TLS, no HTTP client.
    let command = match cli.command {
        Command::Configure(ConfigureArgs {
            action: Some(action),
            ..
        }) => return profiles::run(action, &settings),
        other => other,
    };
    // Only commands that do I/O get here, so the runtime is never built for `--version`/`--help`.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(async {
        match command {
            Command::Configure(args) => configure::run(args, &settings).await,
            Command::Sts(args) => match args.action {
                StsAction::GetCallerIdentity(args) => {
                    sts::get_caller_identity(args, &settings).await
                }
            },
        }
    })
}
