//! Keeping a profile's credentials fresh. What to do is decided by the session's
//! [`State`](crate::session::state::State); this module does it, under the profile store's lock,
//! so that many processes renewing one profile make a single round trip.

use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};

use crate::cloud::credentials::Credentials;
use crate::cloud::endpoints::OAuthEndpoints;
use crate::error::SignInNeeded;
use crate::http::Http;
use crate::offload::blocking;
use crate::profile::lock::{LOCK_BOUND, LockWait, SharedLock};
use crate::profile::{ConfigFile, Mode, Profile, Store, storage};
use crate::session::state::{Margins, SessionTimes, State, keeps};
use crate::site::Site;
use steps::Renewal;

mod steps;

/// What renewal needs from the outside world.
pub struct Network<'a> {
    /// The HTTP client.
    pub http: &'a Http,
    /// `ALICLI_SIGNIN_URL`, if set.
    pub signin_override: Option<&'a str>,
    /// `ALICLI_OAUTH_URL`, if set.
    pub oauth_override: Option<&'a str>,
    /// Tells the user that a renewal waits for another process's lock: the profile and the
    /// holder's pid when known.
    pub lock_notice: LockNotice,
}

/// Tells the user that a renewal of the named profile waits for another process's lock.
pub type LockNotice = Arc<dyn Fn(&str, Option<u32>) + Send + Sync>;

impl Network<'_> {
    /// The OAuth endpoints of a site, with the overrides applied.
    pub fn endpoints(&self, site: Site) -> Result<OAuthEndpoints> {
        OAuthEndpoints::for_site(site, self.signin_override, self.oauth_override)
    }

    fn lock_wait(&self, name: &str) -> LockWait {
        lock_wait(&self.lock_notice, name)
    }
}

/// How a wait for the lock, to renew profile `name`, is reported (through `notice`) and bounded.
pub fn lock_wait(notice: &LockNotice, name: &str) -> LockWait {
    let (notice, name) = (notice.clone(), name.to_owned());
    LockWait {
        notice: Arc::new(move |pid| notice(&name, pid)),
        bound: LOCK_BOUND,
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

/// [`require_profile`] as the locked file holds it now, off the runtime: a keychain read may
/// wait for the keychain's deadline.
async fn locked_profile(lock: &SharedLock, store: &Store, name: &str) -> Result<Profile> {
    let file = lock.load().await?;
    let (store, name) = (store.clone(), name.to_owned());
    blocking(move || require_profile(&file, &store, &name)).await
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
        // Role credentials cached in the profile (CloudSSO's by the official CLI); a RamRoleArn
        // profile has no place for them (its fields hold its AccessKey).
        Mode::ChainableRamRoleArn | Mode::Oidc | Mode::EcsRamRole | Mode::CloudSso => {
            let cached = profile
                .stored_sts()
                .filter(|c| keeps(c.expiration.unwrap_or(0), now, margins.sts));
            tracing::debug!(
                profile = profile.name,
                fresh = cached.is_some(),
                "stored role credentials"
            );
            Ok(cached)
        }
        Mode::RamRoleArn => Ok(None),
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
            "profile `{}` has mode `{other}`, which alicli does not sign with (it handles `OAuth`, `AK`, `StsToken`, `External`, `ChainableRamRoleArn`, `RamRoleArn`, `OIDC`, `EcsRamRole`, `CredentialsURI` and, once the official CLI signed it in, `CloudSSO`)",
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
    let lock = SharedLock::acquire(store, net.lock_wait(name)).await?;
    let profile = locked_profile(&lock, store, name).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

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
