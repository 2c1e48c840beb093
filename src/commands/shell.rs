//! Shell integration: completion scripts, the man page, and the prompt status. None of these makes
//! a request; `prompt` runs before every shell prompt, so it only reads the profile file.

use anyhow::{Result, bail};
use clap::CommandFactory;
use clap_complete::Shell;

use super::output;
use super::resolve::{choose_file, choose_name};
use super::settings::Settings;
use crate::cli::{Cli, CompletionArgs, CompletionShell, ManArgs, PromptArgs};
use crate::error::UsageError;
use crate::profile::{Profile, storage};
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
    // Rendered to memory first: the generator panics on write errors such as a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "alicli", &mut script);
    output::print_stdout(&String::from_utf8_lossy(&script))
}

/// Prints the man page of alicli, or of one command.
pub fn man(args: ManArgs) -> Result<()> {
    let mut command = Cli::command();
    command.build();
    let page = match args.command.as_deref() {
        None => command,
        Some(name) => {
            let Some(sub) = command.find_subcommand(name) else {
                bail!(UsageError(format!(
                    "no command `{name}`; `alicli man` lists them under COMMANDS"
                )));
            };
            // clap names are `&'static str`; the process prints one page and exits.
            let full: &'static str = format!("alicli-{}", sub.get_name()).leak();
            sub.clone().name(full).bin_name(full)
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff)?;
    output::print_stdout(&String::from_utf8_lossy(&roff))
}

/// Prints `NAME STATUS` for the selected profile, or nothing when none is selected.
pub fn prompt(args: PromptArgs, settings: &Settings) -> Result<()> {
    let Ok((store, _)) = choose_file(settings, args.profile.config_path.as_deref()) else {
        return Ok(());
    };
    // A broken file is worth an error; a missing one just means "not signed in".
    let file = store.load()?;
    let Some((name, _)) = choose_name(args.profile.profile.as_deref(), settings, &file) else {
        return Ok(());
    };
    let Some(mut profile) = file.profile(&name, store.path())? else {
        return Ok(());
    };
    // A keychain that does not answer leaves just the name: a prompt shows no errors.
    let _ = storage::load(&mut profile, store.path());
    output::print_stdout(&format!("{}\n", status(&profile, clock::now_unix())))
}

/// `work 53m` (the credentials' time left), `work renewable` (the next command renews them),
/// `work expired` (a sign-in is needed), `work signed out`, or just `work` for keys that do not
/// expire or whose expiry only an External command knows.
pub fn status(profile: &Profile, now: i64) -> String {
    let name = &profile.name;
    match profile.state(now, Margins::DEFAULT) {
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
        _ => name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Mode;
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
        assert_eq!(status(&profile, 1000), "work 53m");
        assert_eq!(status(&profile, 1000 + 3600), "work renewable");
        profile.oauth_refresh_token = Secret::default();
        assert_eq!(status(&profile, 1000 + 3600), "work expired");
        profile.sts_token = Secret::default();
        assert_eq!(status(&profile, 1000), "work signed out");
        profile.mode = Mode::Ak;
        assert_eq!(status(&profile, 1000), "work");
    }
}
