//! Keeping a profile's credentials fresh: the refresh and exchange decisions, made under the profile
//! store's lock so that many processes renewing one profile make a single round trip.

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

use crate::cloud::credentials::Credentials;
use crate::cloud::endpoints::OAuthEndpoints;
use crate::cloud::exchange::exchange;
use crate::error::SignInNeeded;
use crate::http::{Http, RequestError};
use crate::oauth::token::{TokenSet, refresh};
use crate::profile::store::StoreLock;
use crate::profile::{ConfigFile, Profile, Store};
use crate::secret::Secret;
use crate::site::Site;

pub use crate::cloud::credentials::STS_RENEW_MARGIN;
/// The exchange wants an access token valid for 15 more minutes; refresh at 20 (PROTOCOL.md §3).
pub const ACCESS_TOKEN_MARGIN: i64 = 1200;

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

/// The site of an OAuth profile (CN when unset, as the official CLI assumes).
pub fn profile_site(profile: &Profile) -> Result<Site> {
    match profile.oauth_site_type.as_deref() {
        None | Some("") => Ok(Site::Cn),
        Some(text) => Site::parse(text),
    }
}

/// The credentials a profile signs with. OAuth profiles are renewed first when fewer than
/// `min_ttl` seconds remain (at least [`STS_RENEW_MARGIN`]). `file` is the file as already read;
/// a renewal re-reads it under the lock.
pub async fn credentials_for(
    store: &Store,
    file: &ConfigFile,
    name: &str,
    net: &Network<'_>,
    now: i64,
    min_ttl: i64,
) -> Result<(Credentials, RenewalReport)> {
    let profile = require_profile(file, store, name)?;
    if let Some(credentials) = offline_credentials(&profile, now, min_ttl)? {
        return Ok((credentials, RenewalReport::default()));
    }
    renew_oauth(store, name, net, now, min_ttl.max(STS_RENEW_MARGIN), false).await
}

/// The credentials of a profile when no request is needed: AK/StsToken keys as they are, or an
/// OAuth profile's stored STS credentials with at least `min_ttl` (and [`STS_RENEW_MARGIN`]) left.
/// `None` means an OAuth renewal is due; [`credentials_for`] does it. Lets commands answer from
/// the file without setting up a network client.
pub fn offline_credentials(
    profile: &Profile,
    now: i64,
    min_ttl: i64,
) -> Result<Option<Credentials>> {
    match profile.mode.as_str() {
        "AK" | "StsToken" => Ok(Some(static_credentials(profile)?)),
        "OAuth" => {
            let cached = cached_sts(profile, now, min_ttl.max(STS_RENEW_MARGIN));
            match &cached {
                Some(_) => tracing::debug!(
                    profile = profile.name,
                    seconds_left = profile.sts_expiration.saturating_sub(now),
                    "using the stored STS credentials"
                ),
                None => tracing::debug!(
                    profile = profile.name,
                    "the stored STS credentials are due for renewal"
                ),
            }
            Ok(cached)
        }
        other => bail!(
            "profile `{}` has mode `{other}`, which alicli does not sign with (it handles `OAuth`, `AK`, `StsToken` and `External`)",
            profile.name
        ),
    }
}

/// Refreshes and exchanges now, whatever the expiry (`session refresh`).
pub async fn force_renew(
    store: &Store,
    name: &str,
    net: &Network<'_>,
    now: i64,
) -> Result<(Credentials, RenewalReport)> {
    renew_oauth(store, name, net, now, STS_RENEW_MARGIN, true).await
}

/// The profile, or an error that says how to create it.
pub fn require_profile(file: &ConfigFile, store: &Store, name: &str) -> Result<Profile> {
    file.profile(name, store.path())?
        .ok_or_else(|| anyhow!("profile `{name}` not found in `{}`", store.path().display()))
}

fn static_credentials(profile: &Profile) -> Result<Credentials> {
    if profile.access_key_id.is_empty() || profile.access_key_secret.is_empty() {
        bail!(
            "profile `{}` has no `access_key_id`/`access_key_secret`",
            profile.name
        );
    }
    let token = (!profile.sts_token.is_empty()).then(|| profile.sts_token.clone());
    if profile.mode == "StsToken" && token.is_none() {
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

/// The stored STS credentials of an OAuth profile when they have at least `min_ttl` seconds left.
pub fn cached_sts(profile: &Profile, now: i64, min_ttl: i64) -> Option<Credentials> {
    // Saturating: a hand-edited or hostile `sts_expiration` must not wrap around into "valid".
    let usable = !profile.access_key_id.is_empty()
        && !profile.access_key_secret.is_empty()
        && !profile.sts_token.is_empty()
        && profile.sts_expiration.saturating_sub(now) >= min_ttl;
    usable.then(|| Credentials {
        access_key_id: profile.access_key_id.clone(),
        access_key_secret: profile.access_key_secret.clone(),
        security_token: Some(profile.sts_token.clone()),
        expiration: Some(profile.sts_expiration),
    })
}

async fn renew_oauth(
    store: &Store,
    name: &str,
    net: &Network<'_>,
    now: i64,
    min_ttl: i64,
    force: bool,
) -> Result<(Credentials, RenewalReport)> {
    let lock = store.lock()?;
    // Re-read under the lock: another process may have renewed while we waited for it.
    let mut profile = require_profile(&lock.load()?, store, name)?;
    if profile.mode != "OAuth" {
        bail!(
            "profile `{name}` is not an OAuth profile (mode `{}`)",
            profile.mode
        );
    }
    if !force && let Some(credentials) = cached_sts(&profile, now, min_ttl) {
        return Ok((credentials, RenewalReport::default()));
    }
    let site = profile_site(&profile)?;
    let endpoints = net.endpoints(site)?;
    let ctx = Renewal {
        lock: &lock,
        store,
        name,
        net,
        endpoints: &endpoints,
        site,
        now,
        min_ttl: if force { i64::MAX } else { min_ttl },
    };
    let mut report = RenewalReport::default();
    let mut tokens: Option<TokenSet> = None;

    let access_ok = !profile.oauth_access_token.is_empty()
        && profile.oauth_access_token_expire.saturating_sub(now) > ACCESS_TOKEN_MARGIN;
    if force || !access_ok {
        match ctx.refresh_with_rotation(&mut profile).await? {
            Refreshed::Tokens(fresh) => {
                report.refreshed_token = true;
                tokens = Some(fresh);
            }
            Refreshed::AlreadyRenewed(credentials) => return Ok((credentials, report)),
        }
    }
    let access_token = tokens
        .as_ref()
        .map(|t| t.access_token.clone())
        .unwrap_or_else(|| profile.oauth_access_token.clone());

    let exchanged = exchange(net.http, &endpoints.exchange_url(), &access_token, now).await;
    let credentials = match keep_tokens_on_error(&lock, name, tokens.as_ref(), exchanged)? {
        Ok(credentials) => credentials,
        // The server may end an access token before its stated expiry; one refresh is worth a try.
        Err(RequestError::Server(error)) if tokens.is_none() && token_rejected(&error) => {
            let fresh = match ctx.refresh_with_rotation(&mut profile).await? {
                Refreshed::Tokens(fresh) => fresh,
                Refreshed::AlreadyRenewed(credentials) => return Ok((credentials, report)),
            };
            report.refreshed_token = true;
            let exchanged = exchange(
                net.http,
                &endpoints.exchange_url(),
                &fresh.access_token,
                now,
            )
            .await;
            let credentials = keep_tokens_on_error(&lock, name, Some(&fresh), exchanged)?
                .map_err(|e| exchange_error(name, e))?;
            tokens = Some(fresh);
            credentials
        }
        Err(error) => return Err(exchange_error(name, error)),
    };
    report.exchanged = true;
    tracing::debug!(
        profile = name,
        refreshed_token = report.refreshed_token,
        "renewed the STS credentials"
    );

    // Merged into the file as it is now (an SDK may have written meanwhile), under its lock too.
    lock.update(|file| {
        // A profile another tool deleted while we were on the network stays deleted.
        if file.raw_profile(name).is_some() {
            file.set_fields(name, owned_fields(tokens.as_ref(), &credentials));
        }
        Ok(())
    })?;
    Ok((credentials, report))
}

/// What a renewal works with, under the lock.
struct Renewal<'a> {
    lock: &'a StoreLock,
    store: &'a Store,
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
    /// New tokens from the server.
    Tokens(TokenSet),
    /// Another writer renewed the profile while we tried: its credentials, no request needed.
    AlreadyRenewed(Credentials),
}

impl Renewal<'_> {
    /// Refreshes the access token. When the server rotates refresh tokens, another process (an
    /// SDK, say) may already have used ours: on `invalid_grant`, re-read the file and carry on
    /// from the newest state; only a refusal of the newest token means the user must sign in.
    async fn refresh_with_rotation(&self, profile: &mut Profile) -> Result<Refreshed> {
        let name = self.name;
        let mut tried: Vec<Secret> = Vec::new();
        loop {
            let refresh_token = profile.oauth_refresh_token.clone();
            if refresh_token.is_empty() {
                return Err(SignInNeeded {
                    profile: name.to_owned(),
                    reason: "the access token has expired and there is no refresh token".into(),
                }
                .into());
            }
            let result = refresh(
                self.net.http,
                &self.endpoints.token_url(),
                self.site.client_id(),
                &refresh_token,
                self.now,
            )
            .await;
            match result {
                Ok(mut fresh) => {
                    // A response without a refresh token keeps the old one (PROTOCOL.md §2).
                    fresh.refresh_token.get_or_insert(refresh_token);
                    return Ok(Refreshed::Tokens(fresh));
                }
                Err(RequestError::Server(error)) if error.is_invalid_grant() => {
                    tried.push(refresh_token);
                    let newest = require_profile(&self.lock.load()?, self.store, name)?;
                    if tried.contains(&newest.oauth_refresh_token) {
                        return Err(SignInNeeded {
                            profile: name.to_owned(),
                            reason: format!("the token refresh was refused: {error}"),
                        }
                        .into());
                    }
                    // The writer that rotated the token usually renewed the credentials as well.
                    if let Some(credentials) = cached_sts(&newest, self.now, self.min_ttl) {
                        return Ok(Refreshed::AlreadyRenewed(credentials));
                    }
                    *profile = newest;
                }
                Err(RequestError::Server(error)) => {
                    return Err(anyhow::Error::new(error).context("the token refresh failed"));
                }
                Err(RequestError::Other(error)) => return Err(error),
            }
        }
    }
}

/// A refresh may have rotated the refresh token, which then is the only one that works: when the
/// exchange after it fails, the new tokens are saved all the same, so nothing is lost.
fn keep_tokens_on_error<T>(
    lock: &StoreLock,
    name: &str,
    tokens: Option<&TokenSet>,
    exchanged: Result<T, RequestError>,
) -> Result<Result<T, RequestError>> {
    if let (Err(_), Some(tokens)) = (&exchanged, tokens) {
        lock.update(|file| {
            if file.raw_profile(name).is_some() {
                file.set_fields(name, token_fields(tokens));
            }
            Ok(())
        })?;
    }
    Ok(exchanged)
}

/// The exchange refused the access token itself (as opposed to the account or the service).
fn token_rejected(error: &crate::http::ServerError) -> bool {
    error.status == 401 || matches!(error.error.as_str(), "expired_token" | "invalid_token")
}

fn exchange_error(name: &str, error: RequestError) -> anyhow::Error {
    match error {
        RequestError::Server(server) if token_rejected(&server) || server.is_invalid_grant() => {
            anyhow::Error::new(SignInNeeded {
                profile: name.to_owned(),
                reason: format!("the STS exchange was refused: {server}"),
            })
        }
        RequestError::Server(server) => {
            anyhow::Error::new(server).context("the STS exchange failed")
        }
        RequestError::Other(other) => other,
    }
}

/// The token fields of a refresh or a sign-in.
fn token_fields(tokens: &TokenSet) -> Vec<(&'static str, Value)> {
    let mut fields = vec![
        ("oauth_access_token", tokens.access_token.expose().into()),
        ("oauth_access_token_expire", tokens.access_expires_at.into()),
    ];
    if let Some(refresh) = &tokens.refresh_token {
        fields.push(("oauth_refresh_token", refresh.expose().into()));
    }
    if let Some(at) = tokens.refresh_expires_at {
        fields.push(("oauth_refresh_token_expire", at.into()));
    }
    fields
}

/// The profile fields a sign-in or renewal owns, and nothing else.
pub fn owned_fields(
    tokens: Option<&TokenSet>,
    credentials: &Credentials,
) -> Vec<(&'static str, Value)> {
    let mut fields = tokens.map(token_fields).unwrap_or_default();
    fields.push(("access_key_id", credentials.access_key_id.clone().into()));
    fields.push((
        "access_key_secret",
        credentials.access_key_secret.expose().into(),
    ));
    fields.push((
        "sts_token",
        credentials
            .security_token
            .as_ref()
            .map(|t| t.expose().to_owned())
            .unwrap_or_default()
            .into(),
    ));
    fields.push(("sts_expiration", credentials.expiration.unwrap_or(0).into()));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absurd_stored_expiry_never_wraps_into_valid() {
        // `sts_expiration - now` overflowed: in a release build, i64::MIN - 1 wrapped to i64::MAX
        // and long-expired credentials looked valid. The `config_file` fuzz target covers this.
        let profile = Profile {
            mode: "OAuth".into(),
            access_key_id: "STS.x".into(),
            access_key_secret: Secret::new("s"),
            sts_token: Secret::new("t"),
            sts_expiration: i64::MIN,
            ..Profile::default()
        };
        assert!(cached_sts(&profile, 1, STS_RENEW_MARGIN).is_none());
        let far = Profile {
            sts_expiration: i64::MAX,
            ..profile
        };
        assert!(cached_sts(&far, -5, STS_RENEW_MARGIN).is_some());
    }
}
