//! The credentials a profile signs with: from the file when they are fresh enough, from an
//! External profile's command, and over the network only when an OAuth renewal is due. The HTTP
//! client and the async runtime are built only in that last case, so answering from the file
//! stays a matter of milliseconds.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};

use super::settings::{Settings, relogin_for};
use crate::cli::ProfileArgs;
use crate::clock;
use crate::cloud::credentials::Credentials;
use crate::error::{SignInNeeded, with_hint};
use crate::external;
use crate::http::Http;
use crate::profile::{ConfigFile, Profile, Store};
use crate::renew::{credentials_for, offline_credentials, require_profile};

/// The profile a command works on, and where it lives.
pub struct Target {
    /// The profile file.
    pub store: Store,
    /// The profile name.
    pub name: String,
    /// `--config-path`, for hints.
    pub config_path: Option<PathBuf>,
}

/// What the file alone gives: credentials, or the profile whose renewal is due.
enum Local {
    Ready(Resolved),
    Due(Profile),
}

/// Credentials ready to use, with the profile they came from.
pub struct Resolved {
    /// The profile as read.
    pub profile: Profile,
    /// The credentials.
    pub credentials: Credentials,
    /// True when they were just obtained from the network (not from the file).
    pub renewed: bool,
}

impl Target {
    /// Finds the profile from the flags, the environment and the file's `current`.
    pub fn locate(settings: &Settings, args: &ProfileArgs) -> Result<(Self, ConfigFile)> {
        let store = settings.store(args.config_path.as_deref())?;
        let file = store.load()?;
        let name = settings.profile_name(args.profile.as_deref(), &file, &store)?;
        let target = Self {
            store,
            name,
            config_path: args.config_path.clone(),
        };
        Ok((target, file))
    }

    /// The profile, or an error whose hint says how to create it.
    pub fn profile(&self, file: &ConfigFile) -> Result<Profile> {
        require_profile(file, &self.store, &self.name).map_err(|e| {
            with_hint(
                e,
                format!(
                    "sign in with `alicli configure --profile {} --mode OAuth`",
                    self.name
                ),
            )
        })
    }

    /// Credentials with at least `min_ttl` seconds left, renewing over the network only when due.
    /// For commands that have no runtime of their own: one is built only for a renewal.
    pub fn resolve_blocking(
        &self,
        settings: &Settings,
        http: &Http,
        file: &ConfigFile,
        min_ttl: i64,
    ) -> Result<Resolved> {
        match self.without_network(settings, file, min_ttl)? {
            Local::Ready(resolved) => Ok(resolved),
            Local::Due(profile) => {
                super::block_on(self.renew(settings, http, file, profile, min_ttl))?
            }
        }
    }

    /// The same, inside a runtime. `file` is the profile file as the caller last read it
    /// (long-running commands re-read it before each call).
    pub async fn resolve(
        &self,
        settings: &Settings,
        http: &Http,
        file: &ConfigFile,
        min_ttl: i64,
    ) -> Result<Resolved> {
        match self.without_network(settings, file, min_ttl)? {
            Local::Ready(resolved) => Ok(resolved),
            Local::Due(profile) => self.renew(settings, http, file, profile, min_ttl).await,
        }
    }

    /// The credentials when no request is needed, or the profile whose renewal is due.
    fn without_network(
        &self,
        settings: &Settings,
        file: &ConfigFile,
        min_ttl: i64,
    ) -> Result<Local> {
        let profile = self.profile(file)?;
        match self.local(settings, &profile, clock::now_unix(), min_ttl)? {
            Some(credentials) => Ok(Local::Ready(Resolved {
                profile,
                credentials,
                renewed: false,
            })),
            None => Ok(Local::Due(profile)),
        }
    }

    /// Credentials obtained without the network, or `None` when an OAuth renewal is due.
    fn local(
        &self,
        settings: &Settings,
        profile: &Profile,
        now: i64,
        min_ttl: i64,
    ) -> Result<Option<Credentials>> {
        if profile.mode == "External" {
            return self.run_external(settings, profile, now).map(Some);
        }
        offline_credentials(profile, now, min_ttl)
    }

    async fn renew(
        &self,
        settings: &Settings,
        http: &Http,
        file: &ConfigFile,
        profile: Profile,
        min_ttl: i64,
    ) -> Result<Resolved> {
        let net = settings.network(http);
        let now = clock::now_unix();
        let (credentials, report) =
            credentials_for(&self.store, file, &self.name, &net, now, min_ttl)
                .await
                .map_err(|e| self.sign_in_hint(e, &profile))?;
        Ok(Resolved {
            profile,
            credentials,
            renewed: report.exchanged,
        })
    }

    /// Adds the exact sign-in command to an error that needs one.
    pub fn sign_in_hint(&self, error: anyhow::Error, profile: &Profile) -> anyhow::Error {
        if error.downcast_ref::<SignInNeeded>().is_none() {
            return error;
        }
        with_hint(
            error,
            format!("sign in again with `{}`", self.relogin(profile)),
        )
    }

    /// The command that signs this profile in again.
    pub fn relogin(&self, profile: &Profile) -> String {
        relogin_for(profile, self.config_path.as_deref())
    }

    fn run_external(
        &self,
        settings: &Settings,
        profile: &Profile,
        now: i64,
    ) -> Result<Credentials> {
        let name = &self.name;
        let path = self.store.path().display();
        let command = profile
            .process_command
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| {
                anyhow!("profile `{name}` has mode `External` but no `process_command` in `{path}`")
            })?;
        if let Some(exposure) = self.store.exposure() {
            return Err(with_hint(
                anyhow!(
                    "refusing to run the `process_command` of profile `{name}`: {}, and whoever \
                     can change it can run commands as you",
                    exposure.problem
                ),
                format!("run `{}`, then run the command again", exposure.fix),
            ));
        }
        if settings.depth >= external::MAX_DEPTH {
            return Err(with_hint(
                anyhow!(
                    "refusing to run the `process_command` of profile `{name}`: alicli is already \
                     nested {depth} deep ({var}={depth}), so External profiles are calling each \
                     other in a loop, most likely `{name}` itself",
                    depth = settings.depth,
                    var = external::DEPTH_VAR,
                ),
                format!(
                    "make `process_command` of profile `{name}` in `{path}` ask for another \
                     profile, e.g. `alicli export-credentials --profile OTHER --format external`"
                ),
            ));
        }
        let what = || format!("the `process_command` of profile `{name}` failed");
        let stdout =
            external::run(command, settings.depth + 1, external::TIMEOUT).with_context(what)?;
        external::parse_output(&stdout, now).with_context(what)
    }
}
