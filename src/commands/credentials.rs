//! The single entry into renewal: the credentials a profile signs with, from the file when they
//! are fresh enough, from an External profile's command, and over the network only when an
//! OAuth renewal is due. The HTTP client and the async runtime are built only in that last case,
//! so answering from the file stays a matter of milliseconds.

use anyhow::{Context, Result, anyhow};

use super::resolve::Target;
use super::settings::Settings;
use crate::clock;
use crate::cloud::credentials::Credentials;
use crate::error::with_hint;
use crate::external;
use crate::http::Http;
use crate::profile::{ConfigFile, Mode, Profile};
use crate::renew::{Demand, RenewalReport, offline_credentials, renew};
use crate::session::state::Margins;

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
    /// Credentials with at least `min_ttl` seconds left, renewing over the network only when due.
    /// For commands that have no runtime of their own: one is built only for a renewal.
    pub fn credentials_blocking(
        &self,
        settings: &Settings,
        http: &Http,
        min_ttl: i64,
    ) -> Result<Resolved> {
        match self.without_network(settings, &self.file, min_ttl)? {
            Local::Ready(resolved) => Ok(resolved),
            Local::Due(profile) => {
                super::block_on(self.renew_due(settings, http, profile, min_ttl))?
            }
        }
    }

    /// The same, inside a runtime, from the file as read when the command started.
    pub async fn credentials(
        &self,
        settings: &Settings,
        http: &Http,
        min_ttl: i64,
    ) -> Result<Resolved> {
        self.credentials_from(&self.file, settings, http, min_ttl)
            .await
    }

    /// The same, from the file as it is now (for long-running commands).
    pub async fn current_credentials(
        &self,
        settings: &Settings,
        http: &Http,
        min_ttl: i64,
    ) -> Result<Resolved> {
        let file = self.store.load()?;
        self.credentials_from(&file, settings, http, min_ttl).await
    }

    async fn credentials_from(
        &self,
        file: &ConfigFile,
        settings: &Settings,
        http: &Http,
        min_ttl: i64,
    ) -> Result<Resolved> {
        match self.without_network(settings, file, min_ttl)? {
            Local::Ready(resolved) => Ok(resolved),
            Local::Due(profile) => self.renew_due(settings, http, profile, min_ttl).await,
        }
    }

    /// Refreshes and exchanges now, whatever the expiry (`session refresh`).
    pub async fn renew_now(
        &self,
        settings: &Settings,
        http: &Http,
        profile: &Profile,
    ) -> Result<RenewalReport> {
        let demand = Demand {
            margins: Margins::DEFAULT,
            force: true,
        };
        let net = settings.network(http);
        renew(&self.store, &self.name, &net, clock::now_unix(), demand)
            .await
            .map(|(_, report)| report)
            .map_err(|e| self.sign_in_hint(e, profile))
    }

    /// The credentials when no request is needed, or the profile whose renewal is due.
    fn without_network(
        &self,
        settings: &Settings,
        file: &ConfigFile,
        min_ttl: i64,
    ) -> Result<Local> {
        let profile = self.profile_in(file)?;
        let now = clock::now_unix();
        let local = if profile.mode == Mode::External {
            Some(self.run_external(settings, &profile, now)?)
        } else {
            offline_credentials(&profile, now, Margins::with_min_ttl(min_ttl))?
        };
        Ok(match local {
            Some(credentials) => Local::Ready(Resolved {
                profile,
                credentials,
                renewed: false,
            }),
            None => Local::Due(profile),
        })
    }

    async fn renew_due(
        &self,
        settings: &Settings,
        http: &Http,
        profile: Profile,
        min_ttl: i64,
    ) -> Result<Resolved> {
        let demand = Demand {
            margins: Margins::with_min_ttl(min_ttl),
            force: false,
        };
        let net = settings.network(http);
        let (credentials, report) = renew(&self.store, &self.name, &net, clock::now_unix(), demand)
            .await
            .map_err(|e| self.sign_in_hint(e, &profile))?;
        Ok(Resolved {
            profile,
            credentials,
            renewed: report.exchanged,
        })
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
