//! Shell integration: completion scripts, the man page, and the prompt status. None of these makes
//! a request; `prompt` runs before every shell prompt, so it only reads the profile file.

use anyhow::{Result, bail};
use clap::CommandFactory;
use clap_complete::Shell;

use super::output;
use super::resolve::{NameSource, choose_file, choose_name};
use super::settings::Settings;
use crate::cli::{Cli, CompletionArgs, CompletionShell, ManArgs, PromptArgs};
use crate::error::UsageError;
use crate::profile::chain;
use crate::session::state::{Margins, State};
use crate::{clock, timefmt};

/// Prints a completion script.
pub fn completion(args: CompletionArgs) -> Result<()> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    output::print_stdout(&String::from_utf8_lossy(&completion_script(shell)))
}

/// The completion script for `shell`; packaging (`cargo xtask assets`) writes the same ones.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    // Rendered to memory: the generator panics on write errors such as a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "alicli", &mut script);
    script
}

/// Prints the man page of alicli, or of one command (`alicli man session validate`).
pub fn man(args: ManArgs) -> Result<()> {
    let mut page = documented_command();
    for name in &args.command {
        let Some(sub) = page.find_subcommand(name) else {
            bail!(UsageError(format!(
                "no command `{}`; `alicli man` lists them under SUBCOMMANDS",
                args.command.join(" ")
            )));
        };
        page = sub.clone();
    }
    output::print_stdout(&String::from_utf8_lossy(&render(page)?))
}

/// Every man page, as (file name, roff): `alicli.1`, then `alicli-COMMAND[-SUBCOMMAND].1` for each
/// command, the same pages `alicli man [COMMAND…]` prints. Packaging installs them.
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    fn walk(command: &clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
        let name = clap_mangen::Man::new(command.clone()).get_filename();
        pages.push((name, render(command.clone())?));
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, pages)?;
        }
        Ok(())
    }
    let mut pages = Vec::new();
    walk(&documented_command(), &mut pages)?;
    Ok(pages)
}

/// The command tree the pages describe. Building it names each subcommand `alicli-exec`,
/// `alicli-session-validate`…, the page titles; clap's `help` command needs no page.
fn documented_command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

fn render(page: clap::Command) -> Result<Vec<u8>> {
    let mut roff = Vec::new();
    // The footer names the program, not the subcommand (`validate 0.1.0` otherwise).
    let source = format!("alicli {}", env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(page)
        .source(source)
        .render(&mut roff)?;
    Ok(roff)
}

/// Prints `NAME STATUS` for the selected profile, or nothing when none is selected.
///
/// Inside `alicli exec` and after `eval "$(alicli export-credentials)"`, `ALIBABA_CLOUD_PROFILE`
/// names the profile whose keys this shell holds, and `ALIBABA_CLOUD_CREDENTIALS_EXPIRATION` says
/// when those very keys expire, which can be earlier than the copy the file holds by now.
pub fn prompt(args: PromptArgs, settings: &Settings) -> Result<()> {
    let Ok((store, _)) = choose_file(settings, args.profile.config_path.as_deref()) else {
        return Ok(());
    };
    // A broken file is worth an error; a missing one just means "not signed in".
    let file = store.load()?;
    let Some((name, source)) = choose_name(args.profile.profile.as_deref(), settings, &file) else {
        return Ok(());
    };
    if file.profile(&name, store.path())?.is_none() {
        return Ok(());
    }
    let now = clock::now_unix();
    let exported = settings
        .exported_expiration
        .as_deref()
        .filter(|_| matches!(source, NameSource::Env(_)))
        .and_then(|text| timefmt::parse_rfc3339(text).ok());
    let line = match exported {
        Some(at) => time_left(&name, at, now),
        None => status(
            &name,
            chain::state(&file, &name, now, Margins::DEFAULT),
            now,
        ),
    };
    output::print_stdout(&format!("{line}\n"))
}

/// `work 53m` while `at` is ahead, `work expired` after.
fn time_left(name: &str, at: i64, now: i64) -> String {
    if at > now {
        format!("{name} {}", timefmt::compact(at - now))
    } else {
        format!("{name} expired")
    }
}

/// `work 53m` (the credentials' time left), `work renewable` (the next command renews them),
/// `work expired` (a sign-in is needed), `work signed out`, or just `work` for keys that do not
/// expire or whose expiry only an External command knows.
pub fn status(name: &str, state: State, now: i64) -> String {
    match state {
        State::Fresh {
            sts_expires_at: at, ..
        }
        | State::StaticKeys {
            expires_at: Some(at),
        } if at > now => format!("{name} {}", timefmt::compact(at - now)),
        State::Renewable { .. } => format!("{name} renewable"),
        State::SignedOut => format!("{name} signed out"),
        State::SignInNeeded(_)
        | State::StaticKeys {
            expires_at: Some(_),
        } => {
            format!("{name} expired")
        }
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Mode, Profile};
    use crate::secret::Secret;

    #[test]
    fn status_shows_time_left_renewable_or_expired() {
        let mut profile = Profile {
            name: "work".into(),
            mode: Mode::OAuth,
            access_key_id: "STS.x".into(),
            access_key_secret: Secret::new("s"),
            sts_token: Secret::new("t"),
            sts_expiration: 1000 + 53 * 60 + 10,
            oauth_refresh_token: Secret::new("rt"),
            ..Profile::default()
        };
        assert_eq!(
            status("work", profile.state(1000, Margins::DEFAULT), 1000),
            "work 53m"
        );
        assert_eq!(
            status(
                "work",
                profile.state(1000 + 3600, Margins::DEFAULT),
                1000 + 3600
            ),
            "work renewable"
        );
        profile.oauth_refresh_token = Secret::default();
        assert_eq!(
            status(
                "work",
                profile.state(1000 + 3600, Margins::DEFAULT),
                1000 + 3600
            ),
            "work expired"
        );
        profile.sts_token = Secret::default();
        assert_eq!(
            status("work", profile.state(1000, Margins::DEFAULT), 1000),
            "work signed out"
        );
        profile.mode = Mode::Ak;
        assert_eq!(
            status("work", profile.state(1000, Margins::DEFAULT), 1000),
            "work"
        );
    }
}
