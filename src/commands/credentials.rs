//! The single entry into renewal: the credentials a profile signs with, from the file when they
//! are fresh enough, from an External profile's command, and over the network only when a
//! renewal is due: an OAuth session's, or a role's. A role chain is walked from the profile down
//! to the first profile that has credentials without a request (or to its root, which renews),
//! then each role above it is assumed in turn, each under the lock and kept in its own profile.
//! The HTTP client and the async runtime are built only when a request is due, so answering
//! from the file stays a matter of milliseconds.

use anyhow::{Context, Result, anyhow};

use super::resolve::{Target, outage_hint};
use super::settings::Settings;
use crate::clock;
use crate::cloud::credentials::Credentials;
use crate::cloud::credentials_uri;
use crate::error::{SignInNeeded, with_hint};
use crate::external;
use crate::http::Http;
use crate::offload::blocking;
use crate::profile::chain::{ChainError, chain};
use crate::profile::{ConfigFile, Mode, Profile};
use crate::renew::{Demand, RenewalReport, offline_credentials, renew, require_profile};
use crate::roles::renew_role;
use crate::session::state::Margins;
use crate::shellword::shell_word;

/// A role chain walked down from the target: `names[0]` is the target, the last is the root.
struct Walk {
    names: Vec<String>,
    /// The root's profile (when nothing on the way had credentials, the one to renew).
    root: Profile,
    /// The index and credentials of the first profile that had them without a request.
    found: Option<(usize, Credentials)>,
}

/// The target must keep `--min-ttl`; its sources only need to outlast the requests they sign.
fn chain_margins(index: usize, min_ttl: i64) -> Margins {
    if index == 0 {
        Margins::with_min_ttl(min_ttl)
    } else {
        Margins::DEFAULT
    }
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

    /// The same, from the file as it is now, for long-running commands: reading the file (and
    /// running an External command) happen off the runtime, which goes on serving meanwhile.
    pub async fn current_credentials(
        &self,
        settings: &Settings,
        http: &Http,
        min_ttl: i64,
    ) -> Result<Resolved> {
        let (target, env) = (self.clone(), settings.clone());
        let local = blocking(move || {
            let file = target.store.load()?;
            target.without_network(&env, &file, min_ttl)
        })
        .await?;
        match local {
            Local::Ready(resolved) => Ok(resolved),
            Local::Due(profile) => self.renew_due(settings, http, profile, min_ttl).await,
        }
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
            .map_err(|e| self.add_hint(e, profile))
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
        let local = self.local(settings, &profile, now, Margins::with_min_ttl(min_ttl))?;
        Ok(match local {
            Some(credentials) => Local::Ready(Resolved {
                profile,
                credentials,
                renewed: false,
            }),
            None => Local::Due(profile),
        })
    }

    /// Credentials from the file (or an External command) alone, or `None` when a request is due.
    fn local(
        &self,
        settings: &Settings,
        profile: &Profile,
        now: i64,
        margins: Margins,
    ) -> Result<Option<Credentials>> {
        match profile.mode {
            Mode::External => self.run_external(settings, profile, now).map(Some),
            // Asked at every use, as the official CLI does: the endpoint decides when to renew.
            Mode::CredentialsUri => Ok(None),
            _ => offline_credentials(profile, now, margins),
        }
    }

    async fn renew_due(
        &self,
        settings: &Settings,
        http: &Http,
        profile: Profile,
        min_ttl: i64,
    ) -> Result<Resolved> {
        let (credentials, report) = self.renew_chain(settings, http, min_ttl).await?;
        Ok(Resolved {
            profile,
            credentials,
            renewed: report.exchanged,
        })
    }

    /// Walks the role chain down to the first profile with credentials of its own (renewing the
    /// root when none has), then assumes each role above it. The target must keep `min_ttl`;
    /// the sources only need to outlast the requests they sign.
    async fn renew_chain(
        &self,
        settings: &Settings,
        http: &Http,
        min_ttl: i64,
    ) -> Result<(Credentials, RenewalReport)> {
        // The file as it is now (a long-running command's copy may be old), read off the runtime
        // like any External command on the way.
        let (target, env) = (self.clone(), settings.clone());
        let walk = blocking(move || target.walk_down(&env, min_ttl)).await?;
        let mut report = RenewalReport::default();
        let (start, mut credentials) = match walk.found {
            Some(found) => found,
            None => {
                let root = walk.names.len() - 1;
                let (credentials, renewal) = self
                    .renew_root(settings, http, &walk.root, chain_margins(root, min_ttl))
                    .await
                    .map_err(|e| self.add_hint(e, &walk.root))?;
                report = renewal;
                (root, credentials)
            }
        };
        let net = settings.role_network(http)?;
        for index in (0..start).rev() {
            let margin = chain_margins(index, min_ttl).sts;
            let (assumed, renewal) = renew_role(
                &self.store,
                &walk.names[index],
                &net,
                clock::now_unix(),
                margin,
                Some(&credentials),
            )
            .await
            .map_err(outage_hint)?;
            report.exchanged |= renewal.exchanged;
            credentials = assumed;
        }
        Ok((credentials, report))
    }

    /// The chain from this profile to its root, and the first profile on it (by index) whose
    /// credentials need no request of its own.
    fn walk_down(&self, settings: &Settings, min_ttl: i64) -> Result<Walk> {
        let file = self.store.load()?;
        let names = chain(&file, &self.name).map_err(|e| self.chain_hint(e))?;
        let now = clock::now_unix();
        for (index, name) in names.iter().enumerate() {
            let profile = require_profile(&file, &self.store, name)?;
            let margins = chain_margins(index, min_ttl);
            if let Some(credentials) = self.local(settings, &profile, now, margins)? {
                return Ok(Walk {
                    root: profile,
                    found: Some((index, credentials)),
                    names,
                });
            }
        }
        let root = require_profile(&file, &self.store, names.last().expect("never empty"))?;
        Ok(Walk {
            root,
            found: None,
            names,
        })
    }

    /// Renews the profile at the end of a chain (or a profile on its own).
    async fn renew_root(
        &self,
        settings: &Settings,
        http: &Http,
        profile: &Profile,
        margins: Margins,
    ) -> Result<(Credentials, RenewalReport)> {
        let now = clock::now_unix();
        match &profile.mode {
            Mode::OAuth => {
                let demand = Demand {
                    margins,
                    force: false,
                };
                renew(
                    &self.store,
                    &profile.name,
                    &settings.network(http),
                    now,
                    demand,
                )
                .await
            }
            Mode::RamRoleArn | Mode::Oidc | Mode::EcsRamRole => {
                let net = settings.role_network(http)?;
                renew_role(&self.store, &profile.name, &net, now, margins.sts, None).await
            }
            Mode::CredentialsUri => {
                let credentials = self.fetch_from_uri(http, profile).await?;
                let report = RenewalReport {
                    exchanged: true,
                    ..RenewalReport::default()
                };
                Ok((credentials, report))
            }
            Mode::CloudSso => Err(SignInNeeded {
                profile: profile.name.clone(),
                reason: "its CloudSSO credentials have expired, and only the official CLI signs \
                         CloudSSO in"
                    .into(),
            }
            .into()),
            other => Err(anyhow!(
                "profile `{}` has mode `{other}`, which alicli does not sign with",
                profile.name
            )),
        }
    }

    /// A chain that cannot be followed, with the command that repairs it.
    fn chain_hint(&self, error: ChainError) -> anyhow::Error {
        let broken = match &error {
            ChainError::NoSource(name) | ChainError::MissingSource { from: name, .. } => name,
            ChainError::Cycle(names) | ChainError::TooDeep(names) => &names[0],
        }
        .clone();
        with_hint(
            error,
            format!(
                "point it at a profile that has credentials: `alicli configure set --profile {} \
                 --source-profile NAME`",
                shell_word(&broken)
            ),
        )
    }

    /// Fetches a `CredentialsURI` profile's credentials.
    async fn fetch_from_uri(&self, http: &Http, profile: &Profile) -> Result<Credentials> {
        let name = &profile.name;
        let text = profile
            .credentials_uri
            .as_deref()
            .filter(|uri| !uri.trim().is_empty())
            .ok_or_else(|| {
                anyhow!(
                    "profile `{name}` has mode `CredentialsURI` but no `credentials_uri` in `{}`",
                    self.store.path().display()
                )
            })?;
        let context = || format!("profile `{name}` gets no credentials from its `credentials_uri`");
        let uri = credentials_uri::parse_uri(text).with_context(context)?;
        credentials_uri::fetch(http, &uri)
            .await
            .with_context(context)
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
