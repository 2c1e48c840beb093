//! `alicli configure list|get|set|delete|switch`: managing profiles without signing in. None of
//! these makes a request, so they run without the async runtime, TLS or an HTTP client: `list`
//! must stay a few milliseconds even over a hundred profiles.

pub(crate) mod delete;
mod get;
mod list;
mod modes;
mod moving;
mod set;
mod switch;

use std::path::Path;

use anyhow::{Result, anyhow};

use super::settings::Settings;
use crate::cli::ConfigureAction;
use crate::error::with_hint;
use crate::profile::Store;
use crate::shellword::shell_word;

/// Runs one management command.
pub fn run(action: ConfigureAction, settings: &Settings) -> Result<()> {
    match action {
        ConfigureAction::List(args) => list::run(args, settings),
        ConfigureAction::Get(args) => get::run(args, settings),
        ConfigureAction::Set(args) => set::run(*args, settings),
        ConfigureAction::Delete(args) => delete::run(args, settings),
        ConfigureAction::Switch(args) => switch::run(args, settings),
    }
}

/// A profile that is not in the file, with the command that shows which ones are.
fn not_found(name: &str, store: &Store, config_path: Option<&Path>) -> anyhow::Error {
    let mut list = "alicli configure list".to_owned();
    if let Some(path) = config_path {
        list.push_str(&format!(
            " --config-path {}",
            shell_word(&path.to_string_lossy())
        ));
    }
    with_hint(
        anyhow!("profile `{name}` not found in `{}`", store.path().display()),
        format!("see the profiles with `{list}`"),
    )
}
