//! The one place that decides which profile file, which profile, and which command signs it in
//! again. Every command asks here; `credentials.rs` adds the single entry into renewal.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::settings::Settings;
use super::storage::{Sessions, keychain_hint};
use crate::cli::ProfileArgs;
use crate::error::{Hint, NotSignedIn, SignInNeeded, with_hint};
use crate::http::retry::Outage;
use crate::profile::{ConfigFile, Mode, Profile, Store, chain};
use crate::renew::require_profile;
use crate::session::state::State;
use crate::shellword::shell_word;
use crate::site::Site;

/// Where the profile name came from, so messages can say which setting to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    /// `--profile`.
    Flag,
    /// This environment variable (`ALIBABACLOUD_PROFILE`, `ALIBABA_CLOUD_PROFILE`,
    /// `ALICLOUD_PROFILE`: the first one set).
    Env(&'static str),
    /// The file's `current`.
    Current,
    /// Nothing chose one: `default` (sign-in and `configure set` only).
    Default,
}

impl NameSource {
    /// How the name was chosen, for messages (`named by ALIBABA_CLOUD_PROFILE`).
    pub fn describe(self) -> String {
        match self {
            NameSource::Flag => "named by --profile".into(),
            NameSource::Env(var) => format!("named by {var}"),
            NameSource::Current => "the current profile".into(),
            NameSource::Default => "no profile is selected".into(),
        }
    }
}

/// The profile name: the flag, then the environment, then the file's `current`.
pub fn choose_name(
    flag: Option<&str>,
    settings: &Settings,
    file: &ConfigFile,
) -> Option<(String, NameSource)> {
    if let Some(name) = flag {
        return Some((name.to_owned(), NameSource::Flag));
    }
    if let Some((var, name)) = &settings.profile_env {
        return Some((name.clone(), NameSource::Env(var)));
    }
    file.current()
        .map(|name| (name.to_owned(), NameSource::Current))
}

/// The same, falling back to `default`: what a sign-in and `configure set` write to.
pub fn choose_name_or_default(
    flag: Option<&str>,
    settings: &Settings,
    file: &ConfigFile,
) -> (String, NameSource) {
    choose_name(flag, settings, file).unwrap_or_else(|| ("default".to_owned(), NameSource::Default))
}

/// The profile file: `--config-path`, else `ALIBABA_CLOUD_CONFIG_FILE`, else the default; and
/// the path hints must name, which is set when the file is not the default one.
pub fn choose_file(settings: &Settings, flag: Option<&Path>) -> Result<(Store, Option<PathBuf>)> {
    let store = settings.store(flag)?;
    let default = settings.home.as_deref().map(Store::default_path);
    let named = (default.as_deref() != Some(store.path())).then(|| store.path().to_owned());
    Ok((store, named))
}

/// The command that signs profile `name` in again on `site`, quoted for the shell, with
/// `--config-path` when the file is not the default one. The site is named only when it is not
/// the default (a profile keeps its own; the flag matters when another tool dropped it).
pub fn relogin_command(name: &str, site: Site, config_path: Option<&Path>) -> String {
    login_command(Some(name), site, config_path)
}

/// `alicli login`, for profile `name` (or the one login would choose), quoted for the shell.
pub fn login_command(name: Option<&str>, site: Site, config_path: Option<&Path>) -> String {
    let mut command = "alicli login".to_owned();
    if let Some(name) = name {
        command.push_str(&format!(" --profile {}", shell_word(name)));
    }
    if site != Site::Cn {
        command.push_str(&format!(" --oauth-site-type {site}"));
    }
    if let Some(path) = config_path {
        command.push_str(&format!(
            " --config-path {}",
            shell_word(&path.to_string_lossy())
        ));
    }
    command
}

/// The command that signs `profile` in again: alicli's OAuth sign-in on its site, or the official
/// CLI's for a CloudSSO profile.
pub fn relogin_for(profile: &Profile, config_path: Option<&Path>) -> String {
    match profile.mode {
        Mode::CloudSso => format!(
            "aliyun configure --profile {} --mode CloudSSO",
            shell_word(&profile.name)
        ),
        _ => relogin_command(
            &profile.name,
            profile.site().unwrap_or(Site::Cn),
            config_path,
        ),
    }
}

/// Points an outage (a service that did not answer, retries included) at `alicli doctor`, unless
/// the error already names a better fix.
pub fn outage_hint(error: anyhow::Error) -> anyhow::Error {
    if error.downcast_ref::<Outage>().is_none() || error.downcast_ref::<Hint>().is_some() {
        return error;
    }
    with_hint(
        error,
        "nothing was lost: the next command works once the service answers again; \
         check the network and the service with `alicli doctor`",
    )
}

/// No profile named anywhere: no flag or variable, and no `current` (or no file at all). Signing in
/// is what is needed (exit 4).
fn nothing_selected(store: &Store, config_hint: Option<&Path>) -> anyhow::Error {
    let path = store.path().display();
    if !store.path().exists() {
        return with_hint(
            NotSignedIn(format!(
                "not signed in: there is no profile file `{path}` yet"
            )),
            format!(
                "sign in with `{}`",
                login_command(None, Site::Cn, config_hint)
            ),
        );
    }
    with_hint(
        NotSignedIn(format!(
            "no profile selected: `{path}` has no current profile"
        )),
        format!(
            "sign in with `{}`, or name a profile with `--profile NAME` (`alicli configure list` \
             shows them)",
            login_command(None, Site::Cn, config_hint)
        ),
    )
}

/// The profile a command works on: the file as read, the name and where it came from.
#[derive(Clone)]
pub struct Target {
    /// The profile file.
    pub store: Store,
    /// The file as read when the command started (renewals re-read it under the lock).
    pub file: ConfigFile,
    /// The profile name.
    pub name: String,
    /// Where the name came from.
    pub source: NameSource,
    /// The file to name in hints (when not the default one).
    config_hint: Option<PathBuf>,
}

impl Target {
    /// Reads the file and picks the profile from the flags, the environment and `current`.
    pub fn locate(settings: &Settings, args: &ProfileArgs) -> Result<Self> {
        let (store, config_hint) = choose_file(settings, args.config_path.as_deref())?;
        let file = store.load()?;
        let Some((name, source)) = choose_name(args.profile.as_deref(), settings, &file) else {
            return Err(nothing_selected(&store, config_hint.as_deref()));
        };
        Ok(Self {
            store,
            file,
            name,
            source,
            config_hint,
        })
    }

    /// The profile, or an error whose hint says how to create it.
    pub fn profile(&self) -> Result<Profile> {
        self.profile_in(&self.file)
    }

    /// The profile in `file` (read again by a long-running command), with its session wherever
    /// it is kept. A missing one needs a sign-in (exit 4); when an environment variable named it,
    /// the message says which.
    pub fn profile_in(&self, file: &ConfigFile) -> Result<Profile> {
        let Some(settings) = file.profile(&self.name, self.store.path())? else {
            return Err(self.not_found());
        };
        require_profile(file, &self.store, &self.name).map_err(|e| {
            // A keychain that failed: the profile is there, on its own site.
            let relogin = self.relogin_on(settings.site().unwrap_or(Site::Cn));
            match keychain_hint(&e, &relogin) {
                Some(hint) => with_hint(e, hint),
                None => e,
            }
        })
    }

    /// The profile's settings without its session: no keychain is read, for a command that
    /// gets its credentials through [`Target::credentials`] and needs the rest of the profile.
    pub fn settings(&self) -> Result<Profile> {
        self.file
            .profile(&self.name, self.store.path())?
            .ok_or_else(|| self.not_found())
    }

    /// The error for a profile that is not in the file.
    fn not_found(&self) -> anyhow::Error {
        let name = &self.name;
        let path = self.store.path().display();
        let login = self.relogin_on(Site::Cn);
        match self.source {
            NameSource::Env(var) => with_hint(
                NotSignedIn(format!(
                    "profile `{name}`, named by `{var}`, is not in `{path}`"
                )),
                format!("sign in with `{login}`, or unset {var} to use the current profile"),
            ),
            NameSource::Current => with_hint(
                NotSignedIn(format!("the current profile `{name}` is not in `{path}`")),
                format!(
                    "sign in with `{login}`, or make another profile current with `alicli \
                     configure switch --profile NAME`"
                ),
            ),
            _ => with_hint(
                NotSignedIn(format!("profile `{name}` is not in `{path}`")),
                format!("sign in with `{login}`"),
            ),
        }
    }

    /// The profile, which must be an OAuth one (session commands).
    pub fn oauth_profile(&self) -> Result<Profile> {
        let profile = self.profile()?;
        if profile.mode != Mode::OAuth {
            bail!(
                "profile `{}` has mode `{}`; session commands work on OAuth profiles, made by \
                 `alicli login`",
                self.name,
                profile.mode
            );
        }
        Ok(profile)
    }

    /// What the profile's credentials are good for at `now`, its role chain included.
    pub fn state(&self, now: i64) -> State {
        Sessions::new(&self.file, self.store.path()).state(&self.name, now)
    }

    /// The profile a new sign-in is made for: the end of the role chain (the profile itself when
    /// it is not a chained role, or when the chain cannot be followed).
    pub fn signs_in(&self) -> Result<Profile> {
        let root = chain::chain(&self.file, &self.name)
            .ok()
            .and_then(|names| names.last().cloned())
            .unwrap_or_else(|| self.name.clone());
        require_profile(&self.file, &self.store, &root)
    }

    /// "sign in again with `…`" for this profile (its chain's root, for a chained role).
    pub fn sign_in_again(&self) -> String {
        match self.signs_in() {
            Ok(root) => format!("sign in again with `{}`", self.relogin(&root)),
            Err(_) => format!("sign in again with `{}`", self.relogin_on(Site::Cn)),
        }
    }

    /// Reads the file again (after a renewal changed it) and returns the profile.
    pub fn reload(&mut self) -> Result<Profile> {
        self.file = self.store.load()?;
        self.profile()
    }

    /// The command that signs `profile` in again (the target, or the root of its role chain):
    /// on its site, or with the official CLI for a CloudSSO profile.
    pub fn relogin(&self, profile: &Profile) -> String {
        relogin_for(profile, self.config_hint.as_deref())
    }

    fn relogin_on(&self, site: Site) -> String {
        relogin_command(&self.name, site, self.config_hint.as_deref())
    }

    /// Adds the fix to an error of a renewal: the exact sign-in command when one is needed,
    /// `alicli doctor` for an outage.
    pub fn add_hint(&self, error: anyhow::Error, profile: &Profile) -> anyhow::Error {
        if error.downcast_ref::<SignInNeeded>().is_none() {
            return outage_hint(error);
        }
        with_hint(
            error,
            format!("sign in again with `{}`", self.relogin(profile)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_hint_is_quoted_and_names_what_is_not_the_default() {
        assert_eq!(
            relogin_command("work", Site::Cn, None),
            "alicli login --profile work"
        );
        assert_eq!(
            relogin_command("a b", Site::Intl, Some(Path::new("/tmp/c.json"))),
            "alicli login --profile 'a b' --oauth-site-type INTL --config-path /tmp/c.json"
        );
        assert_eq!(
            login_command(None, Site::Cn, Some(Path::new("/tmp/my files/c.json"))),
            "alicli login --config-path '/tmp/my files/c.json'"
        );
    }

    #[test]
    fn the_name_comes_from_the_flag_the_environment_then_current() {
        let file =
            ConfigFile::parse(br#"{"current":"cur","profiles":[]}"#, Path::new("c")).unwrap();
        let mut settings = Settings::default();
        assert_eq!(
            choose_name(None, &settings, &file),
            Some(("cur".into(), NameSource::Current))
        );
        settings.profile_env = Some(("ALIBABA_CLOUD_PROFILE", "env".into()));
        assert_eq!(
            choose_name(None, &settings, &file),
            Some(("env".into(), NameSource::Env("ALIBABA_CLOUD_PROFILE")))
        );
        assert_eq!(
            choose_name(Some("flag"), &settings, &file),
            Some(("flag".into(), NameSource::Flag))
        );
        assert_eq!(
            choose_name_or_default(None, &Settings::default(), &ConfigFile::empty()),
            ("default".into(), NameSource::Default)
        );
    }
}
