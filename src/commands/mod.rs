//! One module per user action. Commands read settings, call the core, and print: data on stdout,
//! people on stderr. They are the only layer that knows about terminals and the environment.

mod configure;
mod doctor;
mod logging;
mod output;
mod prompt;
mod settings;
mod sts;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, StsAction};
use crate::clock;
use crate::http::Http;
pub use settings::Settings;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let rust_log = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    logging::init(cli.debug, rust_log.as_deref());
    let mut settings = Settings::from_env();
    if let Some(path) = cli.ca_bundle {
        settings.net.ca_bundle = Some(path);
    }
    // No I/O yet: clients and trust roots are set up on the first request that needs them.
    let http = Http::new(settings.net.clone());
    // Only commands that do I/O get here, so the runtime is never built for `--version`/`--help`.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let result = runtime.block_on(async {
        match cli.command {
            Command::Configure(args) => configure::run(args, &settings, &http).await,
            Command::Sts(args) => match args.action {
                StsAction::GetCallerIdentity(args) => {
                    sts::get_caller_identity(args, &settings, &http).await
                }
            },
            Command::Doctor(args) => doctor::run(args, &settings, &http).await,
        }
    });
    // A server that refused us while its clock and ours disagree: name the clock as the cause.
    result.map_err(|error| crate::skew::explain(error, http.server_date(), clock::now_unix()))
}
