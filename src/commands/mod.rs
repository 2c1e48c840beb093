//! One module per user action. Commands read settings, call the core, and print: data on stdout,
//! people on stderr. They are the only layer that knows about terminals and the environment.

pub(crate) mod completion;
mod configure;
mod console;
mod credentials;
mod doctor;
mod exec;
mod export;
pub(crate) mod interrupt;
mod logging;
pub(crate) mod man;
mod output;
mod profiles;
mod prompt;
mod resolve;
mod session;
mod settings;
pub(crate) mod shell;
mod storage;
mod sts;

use std::future::Future;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, ConfigureArgs, SessionAction, StsAction};
use crate::clock;
use crate::error::{UsageError, with_hint};
use crate::http::Http;
use crate::profile::name::{NameError, RULE};
pub use settings::Settings;

/// Runs one parsed command line; returns the exit code on success (`exec` passes on its child's).
pub fn run(cli: Cli) -> Result<u8> {
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
    let result = dispatch(cli.command, &settings, &http);
    // A server that refused us while its clock and ours disagree: name the clock as the cause.
    result.map_err(|error| crate::skew::explain(error, http.server_date(), clock::now_unix()))
}

/// Commands that can answer from the profile file run without an async runtime; the others build
/// one through [`block_on`], and only when a request is really needed.
fn dispatch(command: Command, settings: &Settings, http: &Http) -> Result<u8> {
    match command {
        Command::Configure(ConfigureArgs {
            action: Some(action),
            ..
        }) => profiles::run(action, settings).map(|()| 0),
        Command::ExportCredentials(args) => export::run(args, settings, http).map(|()| 0),
        Command::Exec(args) => exec::run(args, settings, http),
        Command::Prompt(args) => shell::prompt(args, settings).map(|()| 0),
        Command::Completion(args) => completion::script(args).map(|()| 0),
        Command::Man(args) => man::run(args).map(|()| 0),
        Command::Configure(args) => {
            block_on(configure::run(args.sign_in, settings, http))?.map(|()| 0)
        }
        Command::Login(args) => block_on(configure::run(args, settings, http))?.map(|()| 0),
        Command::Sts(args) => match args.action {
            StsAction::GetCallerIdentity(args) => {
                block_on(sts::get_caller_identity(args, settings, http))?.map(|()| 0)
            }
        },
        Command::Session(args) => block_on(async {
            match args.action {
                SessionAction::Validate(args) => session::validate::run(args, settings, http).await,
                SessionAction::Refresh(args) => session::refresh::run(args, settings, http).await,
                SessionAction::Export(args) => session::export::run(args, settings).await,
                SessionAction::Import(args) => session::import::run(args, settings).await,
                SessionAction::Terminate(args) => {
                    session::terminate::run(args, settings, http).await
                }
            }
        })?
        .map(|()| 0),
        Command::Logout(args) => {
            block_on(session::terminate::run(args, settings, http))?.map(|()| 0)
        }
        Command::Doctor(args) => block_on(doctor::run(args, settings, http))?.map(|()| 0),
        Command::Console(args) => block_on(console::run(args, settings, http))?.map(|()| 0),
    }
}

/// A profile name refused by the name rule: a usage error whose hint states the rule.
pub(crate) fn invalid_name(error: NameError) -> anyhow::Error {
    with_hint(
        UsageError(error.to_string()),
        format!("pick another name; {RULE}"),
    )
}

/// Runs a future on a runtime built for it.
pub(crate) fn block_on<F: Future>(future: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    Ok(runtime.block_on(future))
}
