//! `alicli prompt`: the status for shell prompts. It runs before every prompt, so it makes no
//! request and only reads the profile file. (Completion scripts are in `completion`, manual pages
//! in `man`.)

use anyhow::Result;

use super::output;
use super::resolve::{NameSource, choose_file, choose_name};
use super::settings::Settings;
use super::storage::Sessions;
use crate::cli::PromptArgs;
use crate::session::state::State;
use crate::{clock, timefmt};

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
        // A keychain that does not answer leaves just the name: a prompt shows no errors.
        None => status(
            &name,
            Sessions::new(&file, store.path()).state(&name, now),
            now,
        ),
    };
    output::print_for_people(&format!("{line}\n"))
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
    use crate::session::state::Margins;

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
