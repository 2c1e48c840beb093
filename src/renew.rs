//! Keeping a profile's credentials fresh. What to do is decided by the session's
//! [`State`](crate::session::state::State); this module does it, under the profile store's lock,
//! so that many processes renewing one profile make a single round trip.

use anyhow::{Context, Result, anyhow, bail};

use crate::cloud::credentials::Credentials;
use crate::cloud::endpoints::OAuthEndpoints;
use crate::cloud::exchange::exchange;
use crate::error::SignInNeeded;
use crate::http::{Http, RequestError, ServerError};
use crate::oauth::token::refresh;
use crate::profile::store::StoreLock;
use crate::profile::{ConfigFile, Mode, Profile, Storage, Store, storage};
use crate::secret::Secret;
use crate::session::record::OAuthSession;
use crate::session::state::{Margins, SessionTimes, State, Step};
use crate::site::Site;

/// What renewal needs from the outside world.
pub struct Network<'a> {
    /// The HTTP client.
    pub http: &'a Http,
    /// `ALICLI_SIGNIN_URL`, if set.
    pub signin_override: Option<&'a str>,
    /// `ALICLI_OAUTH_URL`, if set.
    pub oauth_override: Option<&'a str>,
}

impl Network<'_> {
    /// The OAuth endpoints of a site, with the overrides applied.
    pub fn endpoints(&self, site: Site) -> Result<OAuthEndpoints> {
        OAuthEndpoints::for_site(site, self.signin_override, self.oauth_override)
    }
}

/// What a renewal did, for the caller to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenewalReport {
    /// The access token was refreshed.
    pub refreshed_token: bool,
    /// New STS credentials were obtained.
    pub exchanged: bool,
}

/// The profile, with its session wherever it is kept ([`storage::load`]), or an error naming
/// the file.
pub fn require_profile(file: &ConfigFile, store: &Store, name: &str) -> Result<Profile> {
    let mut profile = file
        .profile(name, store.path())?
        .ok_or_else(|| anyhow!("profile `{name}` not found in `{}`", store.path().display()))?;
    storage::load(&mut profile, store.path())
        .with_context(|| format!("cannot read the session of profile `{name}`"))?;
    Ok(profile)
}

/// The credentials of a profile when no request is needed: AK/StsToken keys as they are, or an
/// OAuth profile's stored STS credentials when its state is fresh under `margins`. `None` means
/// an OAuth renewal is due ([`renew`] does it). Lets commands answer from the file without
/// setting up a network client.
pub fn offline_credentials(
    profile: &Profile,
    now: i64,
    margins: Margins,
) -> Result<Option<Credentials>> {
    match &profile.mode {
        Mode::Ak | Mode::StsToken => Ok(Some(static_credentials(profile)?)),
        Mode::OAuth => {
            let session = profile.oauth_session();
            let fresh = matches!(
                State::of_session(&session, now, margins),
                State::Fresh { .. }
            );
            if fresh {
                tracing::debug!(profile = profile.name, "using the stored STS credentials");
            } else {
                tracing::debug!(
                    profile = profile.name,
                    "the stored STS credentials are due for renewal"
                );
            }
            Ok(session.sts.filter(|_| fresh))
        }
        other => bail!(
            "profile `{}` has mode `{other}`, which alicli does not sign with (it handles `OAuth`, `AK`, `StsToken` and `External`)",
            profile.name
        ),
    }
}

fn static_credentials(profile: &Profile) -> Result<Credentials> {
    if profile.access_key_id.is_empty() || profile.access_key_secret.is_empty() {
        bail!(
            "profile `{}` has no `access_key_id`/`access_key_secret`",
            profile.name
        );
    }
    let token = (!profile.sts_token.is_empty()).then(|| profile.sts_token.clone());
    if profile.mode == Mode::StsToken && token.is_none() {
        bail!(
            "profile `{}` of mode StsToken has no `sts_token`",
            profile.name
        );
    }
    Ok(Credentials {
        access_key_id: profile.access_key_id.clone(),
        access_key_secret: profile.access_key_secret.clone(),
        security_token: token,
        expiration: None,
    })
}

/// How hard to renew.
#[derive(Debug, Clone, Copy)]
pub struct Demand {
    /// What counts as fresh.
    pub margins: Margins,
    /// Renew whatever the state (`session refresh`): refresh when a refresh token can, else
    /// exchange the access token.
    pub force: bool,
}

/// Renews an OAuth profile under the lock. Another process may have renewed while we waited
/// for it, so the file is read again first, and credentials fresh by then are used as they are.
pub async fn renew(
    store: &Store,
    name: &str,
    net: &Network<'_>,
    now: i64,
    demand: Demand,
) -> Result<(Credentials, RenewalReport)> {
    let lock = store.lock()?;
    let profile = require_profile(&lock.load()?, store, name)?;
    if profile.mode != Mode::OAuth {
        bail!(
            "profile `{name}` is not an OAuth profile (mode `{}`)",
            profile.mode
        );
    }
    let session = profile.oauth_session();
    let state = State::of_session(&session, now, demand.margins);
    if !demand.force
        && let (State::Fresh { .. }, Some(sts)) = (state, &session.sts)
    {
        return Ok((sts.clone(), RenewalReport::default()));
    }
    if state == State::SignedOut {
        return Err(sign_in_needed(name, "it is not signed in".into()));
    }
    let margins = Margins {
        // Forced: a refresh token is always used when there is one.
        access_token: if demand.force {
            i64::MAX
        } else {
            demand.margins.access_token
        },
        ..demand.margins
    };
    let (step, _) = SessionTimes::of(&session)
        .renewal(now, margins)
        .map_err(|reason| sign_in_needed(name, reason.describe()))?;
    let site = profile.site()?;
    let endpoints = net.endpoints(site)?;
    let renewal = Renewal {
        lock: &lock,
        store,
        storage: profile.storage,
        name,
        net,
        endpoints: &endpoints,
        site,
        now,
        min_ttl: if demand.force {
            i64::MAX
        } else {
            demand.margins.sts
        },
    };
    renewal.run(session, step).await
}

fn sign_in_needed(name: &str, reason: String) -> anyhow::Error {
    SignInNeeded {
        profile: name.to_owned(),
        reason,
    }
    .into()
}

/// What a renewal works with, under the lock.
struct Renewal<'a> {
    lock: &'a StoreLock,
    store: &'a Store,
    /// Where the session is kept (it stays there).
    storage: Storage,
    name: &'a str,
    net: &'a Network<'a>,
    endpoints: &'a OAuthEndpoints,
    site: Site,
    now: i64,
    /// Stored STS credentials with this much life left end the renewal (`i64::MAX` when forced).
    min_ttl: i64,
}

/// The outcome of a refresh.
enum Refreshed {
    /// New tokens from the server, taken into the session.
    Tokens,
    /// Another writer renewed the profile while we tried: its credentials, no request needed.
    AlreadyRenewed(Credentials),
}

impl Renewal<'_> {
    async fn run(
        &self,
        mut session: OAuthSession,
        step: Step,
    ) -> Result<(Credentials, RenewalReport)> {
        let mut report = RenewalReport::default();
        if step == Step::Refresh {
            match self.refresh_with_rotation(&mut session).await? {
                Refreshed::Tokens => report.refreshed_token = true,
                Refreshed::AlreadyRenewed(credentials) => return Ok((credentials, report)),
            }
        }
        let credentials = match self.exchange(&session).await {
            Ok(credentials) => credentials,
            // The server may end an access token before its stated expiry; one refresh is worth
            // a try when there is a refresh token.
            Err(RequestError::Server(error))
                if !report.refreshed_token
                    && token_rejected(&error)
                    && session.refresh_token.is_some() =>
            {
                match self.refresh_with_rotation(&mut session).await? {
                    Refreshed::Tokens => report.refreshed_token = true,
                    Refreshed::AlreadyRenewed(credentials) => return Ok((credentials, report)),
                }
                self.exchange(&session)
                    .await
                    .map_err(|e| exchange_error(self.name, e))?
            }
            Err(error) => return Err(exchange_error(self.name, error)),
        };
        report.exchanged = true;
        tracing::debug!(
            profile = self.name,
            refreshed_token = report.refreshed_token,
            "renewed the STS credentials"
        );
        session.sts = Some(credentials.clone());
        self.save(&session)?;
        Ok((credentials, report))
    }

    async fn exchange(&self, session: &OAuthSession) -> Result<Credentials, RequestError> {
        let access_token = session
            .access_secret()
            .ok_or_else(|| anyhow!("the session has no access token to exchange"))?;
        exchange(self.net.http, &self.endpoints.exchange_url(), access_token).await
    }

    /// Merges the session into the file as it is now (an SDK may have written meanwhile), under
    /// its lock too. A profile another tool deleted while we were on the network stays deleted.
    fn save(&self, session: &OAuthSession) -> Result<()> {
        self.lock.update(|file| {
            if file.raw_profile(self.name).is_some() {
                storage::save(file, self.store.path(), self.name, self.storage, session)?;
            }
            Ok(())
        })
    }

    /// Refreshes the access token. When the server rotates refresh tokens, another process (an
    /// SDK, say) may already have used ours: on `invalid_grant`, re-read the file and carry on
    /// from the newest state; only a refusal of the newest token means the user must sign in.
    async fn refresh_with_rotation(&self, session: &mut OAuthSession) -> Result<Refreshed> {
        let mut tried: Vec<Secret> = Vec::new();
        loop {
            let Some(refresh_token) = session.refresh_secret().cloned() else {
                return Err(sign_in_needed(
                    self.name,
                    "its access token has expired and there is no refresh token".into(),
                ));
            };
            let result = refresh(
                self.net.http,
                &self.endpoints.token_url(),
                self.site.client_id(),
                &refresh_token,
                self.now,
            )
            .await;
            match result {
                Ok(fresh) => {
                    session.refreshed(&fresh);
                    return Ok(Refreshed::Tokens);
                }
                Err(RequestError::Server(error)) if error.is_invalid_grant() => {
                    tried.push(refresh_token);
                    let newest =
                        require_profile(&self.lock.load()?, self.store, self.name)?.oauth_session();
                    if newest.refresh_secret().is_none_or(|t| tried.contains(t)) {
                        self.forget_refused(&tried)?;
                        return Err(sign_in_needed(
                            self.name,
                            format!("the token refresh was refused: {error}"),
                        ));
                    }
                    // The writer that rotated the token usually renewed the credentials as well.
                    if let Some(credentials) = newest.sts_keeping(self.now, self.min_ttl) {
                        return Ok(Refreshed::AlreadyRenewed(credentials.clone()));
                    }
                    *session = newest;
                }
                Err(RequestError::Server(error)) => {
                    return Err(anyhow::Error::new(error).context("the token refresh failed"));
                }
                Err(RequestError::Other(error)) => return Err(error),
            }
        }
    }

    /// Records a refused refresh in the file, so that every view says a sign-in is needed: the
    /// tokens are removed, but only while the file still holds a refused refresh token (another
    /// writer may have stored a new session meanwhile). STS credentials already issued stay.
    fn forget_refused(&self, refused: &[Secret]) -> Result<()> {
        self.lock.update(|file| {
            if file.raw_profile(self.name).is_none() {
                return Ok(());
            }
            let mut session = require_profile(file, self.store, self.name)?.oauth_session();
            if session
                .refresh_secret()
                .is_some_and(|t| refused.contains(t))
            {
                session.access_token = None;
                session.refresh_token = None;
                storage::save(file, self.store.path(), self.name, self.storage, &session)?;
            }
            Ok(())
        })
    }
}

/// The exchange refused the access token itself (as opposed to the account or the service).
fn token_rejected(error: &ServerError) -> bool {
    error.status == 401 || matches!(error.error.as_str(), "expired_token" | "invalid_token")
}

fn exchange_error(name: &str, error: RequestError) -> anyhow::Error {
    match error {
        RequestError::Server(server) if token_rejected(&server) || server.is_invalid_grant() => {
            sign_in_needed(name, format!("the STS exchange was refused: {server}"))
        }
        RequestError::Server(server) => {
            anyhow::Error::new(server).context("the STS exchange failed")
        }
        RequestError::Other(other) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absurd_stored_expiry_never_wraps_into_valid() {
        // `sts_expiration - now` overflowed: in a release build, i64::MIN - 1 wrapped to i64::MAX
        // and long-expired credentials looked valid. The `config_file` fuzz target covers this.
        let profile = Profile {
            mode: Mode::OAuth,
            access_key_id: "STS.x".into(),
            access_key_secret: Secret::new("s"),
            sts_token: Secret::new("t"),
            sts_expiration: i64::MIN,
            ..Profile::default()
        };
        let none = offline_credentials(&profile, 1, Margins::DEFAULT).unwrap();
        assert!(none.is_none());
        let far = Profile {
            sts_expiration: i64::MAX,
            ..profile
        };
        assert!(
            offline_credentials(&far, -5, Margins::DEFAULT)
                .unwrap()
                .is_some()
        );
    }
}
