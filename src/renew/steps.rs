//! The steps of one renewal, under the lock: refresh (with rotation by other writers taken into
//! account), store the new tokens at once, exchange, store the STS credentials.

use anyhow::{Context, Result, anyhow};

use super::{locked_profile, require_profile, sign_in_needed};
use crate::atomic_file::Prepared;
use crate::cloud::credentials::Credentials;
use crate::cloud::endpoints::OAuthEndpoints;
use crate::cloud::exchange::exchange;
use crate::http::retry::{Retry, request_transience, with_retries};
use crate::http::{RequestError, ServerError};
use crate::oauth::token::{TokenSet, refresh};
use crate::profile::lock::SharedLock;
use crate::profile::{Storage, Store, storage};
use crate::secret::Secret;
use crate::session::record::OAuthSession;
use crate::session::state::Step;
use crate::site::Site;

use super::{Network, RenewalReport};

/// What a renewal works with, under the lock.
pub struct Renewal<'a> {
    /// The held lock.
    pub lock: &'a SharedLock,
    /// The profile file.
    pub store: &'a Store,
    /// Where the session is kept (it stays there).
    pub storage: Storage,
    /// The profile.
    pub name: &'a str,
    /// The clients.
    pub net: &'a Network<'a>,
    /// The site's OAuth endpoints.
    pub endpoints: &'a OAuthEndpoints,
    /// The site.
    pub site: Site,
    /// The time of the renewal.
    pub now: i64,
    /// Stored STS credentials with this much life left end the renewal (`i64::MAX` when forced).
    pub min_ttl: i64,
}

/// The outcome of a refresh.
enum Refreshed {
    /// New tokens from the server, taken into the session.
    Tokens,
    /// Another writer renewed the profile while we tried: its credentials, no request needed.
    AlreadyRenewed(Credentials),
}

impl Renewal<'_> {
    /// Renews from `session`, starting with `step`, and stores each answer as it arrives.
    pub async fn run(
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
        self.save(None, &session).await.with_context(|| {
            format!(
                "the new STS credentials of profile `{}` could not be stored",
                self.name
            )
        })?;
        Ok((credentials, report))
    }

    /// Exchanges the access token, retrying transient failures: a second exchange is harmless.
    async fn exchange(&self, session: &OAuthSession) -> Result<Credentials, RequestError> {
        let access_token = session
            .access_secret()
            .ok_or_else(|| anyhow!("the session has no access token to exchange"))?;
        let url = self.endpoints.exchange_url();
        let what = "the STS exchange";
        with_retries(what, Retry::Transient, request_transience, || {
            exchange(self.net.http, &url, access_token, self.now)
        })
        .await
    }

    /// Merges the session into the file as it is now (an SDK may have written meanwhile), under
    /// its lock too, into `prepared` when given. A profile another tool deleted while we were on
    /// the network stays deleted.
    async fn save(&self, prepared: Option<Prepared>, session: &OAuthSession) -> Result<()> {
        let (name, session) = (self.name.to_owned(), session.clone());
        let (path, kept) = (self.store.path().to_owned(), self.storage);
        self.lock
            .update_into(prepared, move |file| {
                if file.raw_profile(&name).is_some() {
                    storage::save(file, &path, &name, kept, &session)?;
                }
                Ok(())
            })
            .await
    }

    /// Refreshes once: makes room to store the answer first (the server retires the refresh
    /// token it gets, so an answer that cannot be stored loses the session), retries only what
    /// never left, and stores the new tokens before anything else happens.
    async fn refresh_once(
        &self,
        session: &mut OAuthSession,
        refresh_token: &Secret,
    ) -> Result<Result<(), RequestError>> {
        let prepared = self
            .lock
            .prepare()
            .await
            .context("the token refresh was not sent, so the session is as it was")?;
        let url = self.endpoints.token_url();
        let client_id = self.site.client_id();
        let what = "the token refresh";
        let answer = with_retries(what, Retry::Unsent, request_transience, || {
            refresh(self.net.http, &url, client_id, refresh_token, self.now)
        })
        .await;
        let fresh = match answer {
            Ok(fresh) => fresh,
            Err(error) => return Ok(Err(error)),
        };
        session.refreshed(&fresh);
        self.save(Some(prepared), session)
            .await
            .map_err(|error| self.unstored(error, &fresh))?;
        tracing::debug!(profile = self.name, "stored the refreshed tokens");
        Ok(Ok(()))
    }

    /// The error for refreshed tokens that could not be written.
    fn unstored(&self, error: anyhow::Error, fresh: &TokenSet) -> anyhow::Error {
        if fresh.refresh_token.is_none() {
            // Not rotated: the refresh token in the file still works.
            return error.context("the refreshed access token could not be stored");
        }
        sign_in_needed(
            self.name,
            format!(
                "the token refresh answered, but its new tokens could not be stored ({error:#}); \
                 the server has retired the refresh token the file holds, so the session is lost"
            ),
        )
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
            match self.refresh_once(session, &refresh_token).await? {
                Ok(()) => return Ok(Refreshed::Tokens),
                Err(RequestError::Server(error)) if error.is_invalid_grant() => {
                    tried.push(refresh_token);
                    let newest = locked_profile(self.lock, self.store, self.name)
                        .await?
                        .oauth_session();
                    if newest.refresh_secret().is_none_or(|t| tried.contains(t)) {
                        self.forget_refused(tried).await?;
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
    async fn forget_refused(&self, refused: Vec<Secret>) -> Result<()> {
        let (name, store, kept) = (self.name.to_owned(), self.store.clone(), self.storage);
        self.lock
            .update_into(None, move |file| {
                if file.raw_profile(&name).is_none() {
                    return Ok(());
                }
                let mut session = require_profile(file, &store, &name)?.oauth_session();
                if session
                    .refresh_secret()
                    .is_some_and(|t| refused.contains(t))
                {
                    session.access_token = None;
                    session.refresh_token = None;
                    storage::save(file, store.path(), &name, kept, &session)?;
                }
                Ok(())
            })
            .await
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
