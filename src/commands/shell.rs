//! `alicli prompt`: the status for shell prompts. It runs before every prompt, so it makes no
//! request and only reads the profile file.

use anyhow::Result;

use super::output;
use super::settings::Settings;
use crate::cli::PromptArgs;
use crate::profile::Profile;
use crate::{clock, timefmt};

/// Prints `NAME STATUS` for the selected profile, or nothing when none is selected.
pub fn prompt(args: PromptArgs, settings: &Settings) -> Result<()> {
    let Ok(store) = settings.store(args.profile.config_path.as_deref()) else {
        return Ok(());
    };
    // A broken file is worth an error; a missing one just means "not signed in".
    let file = store.load()?;
    let Some(name) = args
        .profile
        .profile
        .clone()
        .or_else(|| settings.profile.clone())
        .or_else(|| file.current().map(str::to_owned))
    else {
        return Ok(());
    };
    let Some(profile) = file.profile(&name, store.path())? else {
        return Ok(());
    };
    output::print_stdout(&format!("{}\n", status(&profile, clock::now_unix())))
}

/// `work 53m`, `work expired`, or just `work` for keys that do not expire (or that only an
/// External command knows about).
pub fn status(profile: &Profile, now: i64) -> String {
    let name = &profile.name;
    let expiry = match profile.mode.as_str() {
        "OAuth" if !profile.sts_token.is_empty() => Some(profile.sts_expiration),
        "OAuth" => Some(0),
        _ => None,
    };
    match expiry {
        Some(at) if at > now => format!("{name} {}", timefmt::compact(at - now)),
        Some(_) => format!("{name} expired"),
        None => name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn status_shows_time_left_or_expired() {
        let mut profile = Profile {
            name: "work".into(),
            mode: "OAuth".into(),
            sts_token: Secret::new("t"),
            sts_expiration: 1000 + 53 * 60 + 10,
            ..Profile::default()
        };
        assert_eq!(status(&profile, 1000), "work 53m");
        assert_eq!(status(&profile, 1000 + 3600), "work expired");
        profile.sts_token = Secret::default();
        assert_eq!(status(&profile, 1000), "work expired");
        profile.mode = "AK".into();
        assert_eq!(status(&profile, 1000), "work");
    }
}
