//! Shell completion. The scripts that `alicli completion SHELL` prints call alicli back on each
//! TAB (clap_complete's dynamic completion), so that `--profile <TAB>` offers the profiles in the
//! profile file as it is now. Answering reads that file and nothing else: no request, no lock.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::CompletionCandidate;
use clap_complete::Shell;
use clap_complete::env::{Bash, CompleteEnv, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use super::output;
use super::settings::Settings;
use crate::cli::{Cli, CompletionArgs, CompletionShell};
use crate::profile::name::check_carried_name;

/// The variable that turns a run of alicli into a completion answer (set by the scripts). Not
/// clap's default `COMPLETE`, which is too common a name to trust in a user's environment.
const VAR: &str = "_ALICLI_COMPLETE";

/// Answers the completion script when it called this process; `None` for every other run. The
/// check is one environment lookup, so ordinary commands pay nothing for it.
pub fn serve() -> Option<ExitCode> {
    std::env::var_os(VAR)?;
    let current_dir = std::env::current_dir().ok();
    match CompleteEnv::with_factory(Cli::command)
        .var(VAR)
        .try_complete(std::env::args_os(), current_dir.as_deref())
    {
        Ok(true) => Some(ExitCode::SUCCESS),
        Ok(false) => None,
        Err(error) => {
            let _ = error.print();
            Some(ExitCode::from(crate::error::exit::USAGE))
        }
    }
}

/// Prints the script for one shell.
pub fn script(args: CompletionArgs) -> Result<()> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    let completer = completer(std::env::args_os().next());
    output::print_stdout(&String::from_utf8_lossy(&registration(shell, &completer)))
}

/// The script for `shell` as packaging installs it (`cargo xtask assets`): it finds `alicli` on
/// PATH, wherever it was built.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    registration(shell, "alicli")
}

/// The program the script calls back: alicli as it was started, made absolute when it was started
/// by a path (`./target/release/alicli`), and left to PATH when by name.
fn completer(argv0: Option<OsString>) -> String {
    let program = argv0.unwrap_or_else(|| "alicli".into());
    let path = Path::new(&program);
    if path.components().count() > 1
        && let Ok(dir) = std::env::current_dir()
    {
        return dir.join(path).to_string_lossy().into_owned();
    }
    path.to_string_lossy().into_owned()
}

/// The script that registers the completion function and calls `completer` back on each TAB.
fn registration(shell: Shell, completer: &str) -> Vec<u8> {
    let adapter: &dyn EnvCompleter = match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::PowerShell => &Powershell,
        Shell::Elvish => &Elvish,
        // A shell clap_complete adds later: its static script, without profile names.
        _ => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "alicli", &mut script);
            return script;
        }
    };
    // Rendered to memory (which cannot fail), so that a closed stdout is an error, not a panic.
    let mut script = Vec::new();
    let _ = adapter.write_registration(VAR, "alicli", "alicli", completer, &mut script);
    script
}

/// The candidates for `--profile`: the profiles in the file that `ALIBABA_CLOUD_CONFIG_FILE` or
/// the home directory names, each with its mode and region. A missing or broken file offers none;
/// names that cannot be shown safely (control characters) are left out.
pub fn profile_names() -> Vec<CompletionCandidate> {
    let settings = Settings::from_env();
    let Ok(file) = settings.store(None).and_then(|store| store.load()) else {
        return Vec::new();
    };
    file.raw_profiles()
        .filter_map(|profile| {
            let name = profile.get("name")?.as_str()?;
            check_carried_name(name).ok()?;
            let text = |key: &str| profile.get(key).and_then(|v| v.as_str()).unwrap_or("");
            let about = format!("{} {}", text("mode"), text("region_id"));
            let about = about.trim();
            let candidate = CompletionCandidate::new(name);
            Some(if about.is_empty() || check_carried_name(about).is_err() {
                candidate
            } else {
                candidate.help(Some(about.to_owned().into()))
            })
        })
        .collect()
}
