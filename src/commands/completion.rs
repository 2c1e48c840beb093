//! Shell completion. The scripts that `alicli completion SHELL` prints call alicli back on each
//! TAB (clap_complete's dynamic completion), so that `--profile <TAB>` offers the profiles in the
//! profile file as it is now. Answering reads that file and nothing else: no request, no lock.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::CommandFactory;
use clap_complete::CompletionCandidate;
use clap_complete::env::{Bash, CompleteEnv, EnvCompleter, Fish, Powershell, Zsh};

use super::output;
use super::settings::Settings;
use crate::cli::{Cli, CompletionArgs, CompletionShell};
use crate::error::UsageError;
use crate::profile::name::check_carried_name;

/// The variable that turns a run of alicli into a completion answer (set by the scripts). Not
/// clap's default `COMPLETE`, which is too common a name to trust in a user's environment.
const VAR: &str = "_ALICLI_COMPLETE";

/// The files `--out-dir` writes: one per shell, named as each shell's completion directory wants.
const FILES: [(CompletionShell, &str); 4] = [
    (CompletionShell::Bash, "alicli.bash"),
    (CompletionShell::Zsh, "_alicli"),
    (CompletionShell::Fish, "alicli.fish"),
    (CompletionShell::Powershell, "alicli.ps1"),
];

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

/// Prints the script for one shell, or writes all of them to `--out-dir` for packaging.
pub fn script(args: CompletionArgs) -> Result<()> {
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory `{}`", dir.display()))?;
        for (shell, file) in FILES {
            // Installed scripts find alicli on PATH, wherever it was built.
            let path = dir.join(file);
            std::fs::write(&path, registration(shell, "alicli")?)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
        stderrln!(
            "Wrote the completion scripts for bash, zsh, fish and PowerShell to {}.",
            dir.display()
        );
        return Ok(());
    }
    let Some(shell) = args.shell else {
        bail!(UsageError(
            "name a shell (bash, zsh, fish or powershell), or give --out-dir DIR".into()
        ));
    };
    output::print_stdout(&registration(
        shell,
        &completer(std::env::args_os().next()),
    )?)
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

fn registration(shell: CompletionShell, completer: &str) -> Result<String> {
    let adapter: &dyn EnvCompleter = match shell {
        CompletionShell::Bash => &Bash,
        CompletionShell::Zsh => &Zsh,
        CompletionShell::Fish => &Fish,
        CompletionShell::Powershell => &Powershell,
    };
    let mut script = Vec::new();
    adapter.write_registration(VAR, "alicli", "alicli", completer, &mut script)?;
    script.flush()?;
    Ok(String::from_utf8_lossy(&script).into_owned())
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
