//! The signed-in OAuth session as one value: both tokens with their expiries, the STS credentials
//! bought with them, and the account. Where it is kept (config.json fields today) is the
//! concern of whoever stores it; this type only says what a session is, so a sign-in, a renewal,
//! an import and a sign-out all write a whole session and never a mix of two.

use serde::{Deserialize, Serialize};

use super::state::keeps;
use crate::cloud::credentials::Credentials;
use crate::oauth::token::TokenSet;
use crate::secret::Secret;

/// A token and when it expires (`None`: the server did not say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token itself.
    pub secret: Secret,
    /// Its expiry, unix seconds.
    pub expires_at: Option<i64>,
}

impl Token {
    /// A token as flat storage keeps it: an empty secret is no token, and an expiry of 0 (or
    /// less) is an unknown one.
    pub fn stored(secret: &Secret, expires_at: i64) -> Option<Self> {
        (!secret.is_empty()).then(|| Token {
            secret: secret.clone(),
            expires_at: (expires_at > 0).then_some(expires_at),
        })
    }
}

/// STS credentials as flat storage keeps them: none unless all three parts are there.
pub fn stored_sts(
    access_key_id: &str,
    access_key_secret: &Secret,
    security_token: &Secret,
    expiration: i64,
) -> Option<Credentials> {
    let complete =
        !access_key_id.is_empty() && !access_key_secret.is_empty() && !security_token.is_empty();
    complete.then(|| Credentials {
        access_key_id: access_key_id.to_owned(),
        access_key_secret: access_key_secret.clone(),
        security_token: Some(security_token.clone()),
        expiration: Some(expiration),
    })
}

/// A session as flat storage keeps it, under the profile file's key names: an empty string is no
/// value and an expiry of 0 an unknown one. config.json holds these fields in the profile; a
/// keychain item holds them as one JSON object.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FlatSession {
    /// The access token.
    pub oauth_access_token: Secret,
    /// Its expiry, unix seconds.
    pub oauth_access_token_expire: i64,
    /// The refresh token.
    pub oauth_refresh_token: Secret,
    /// Its expiry, unix seconds.
    pub oauth_refresh_token_expire: i64,
    /// The STS AccessKeyId.
    pub access_key_id: String,
    /// The STS AccessKeySecret.
    pub access_key_secret: Secret,
    /// The STS security token.
    pub sts_token: Secret,
    /// When the STS credentials expire, unix seconds.
    pub sts_expiration: i64,
}

impl FlatSession {
    /// The flat form of a session (its account is kept elsewhere).
    pub fn of(session: &OAuthSession) -> Self {
        let secret =
            |token: &Option<Token>| token.as_ref().map(|t| t.secret.clone()).unwrap_or_default();
        let expiry = |token: &Option<Token>| token.as_ref().and_then(|t| t.expires_at).unwrap_or(0);
        let sts = session.sts.as_ref();
        Self {
            oauth_access_token: secret(&session.access_token),
            oauth_access_token_expire: expiry(&session.access_token),
            oauth_refresh_token: secret(&session.refresh_token),
            oauth_refresh_token_expire: expiry(&session.refresh_token),
            access_key_id: sts.map(|c| c.access_key_id.clone()).unwrap_or_default(),
            access_key_secret: sts.map(|c| c.access_key_secret.clone()).unwrap_or_default(),
            sts_token: sts
                .and_then(|c| c.security_token.clone())
                .unwrap_or_default(),
            sts_expiration: sts.and_then(|c| c.expiration).unwrap_or(0),
        }
    }

    /// The session these fields hold, for `account_id`.
    pub fn session(&self, account_id: Option<String>) -> OAuthSession {
        OAuthSession {
            access_token: Token::stored(&self.oauth_access_token, self.oauth_access_token_expire),
            refresh_token: Token::stored(
                &self.oauth_refresh_token,
                self.oauth_refresh_token_expire,
            ),
            sts: stored_sts(
                &self.access_key_id,
                &self.access_key_secret,
                &self.sts_token,
                self.sts_expiration,
            ),
            account_id,
        }
    }
}

/// One OAuth session. [`OAuthSession::default`] is no session at all (signed out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthSession {
    /// The access token, which the exchange turns into STS credentials.
    pub access_token: Option<Token>,
    /// The refresh token, which buys new access tokens.
    pub refresh_token: Option<Token>,
    /// The STS credentials last obtained; their `expiration` is always set.
    pub sts: Option<Credentials>,
    /// The account signed in, when known.
    pub account_id: Option<String>,
}

impl OAuthSession {
    /// The session a sign-in creates: exactly what the server gave, nothing of an earlier one.
    pub fn signed_in(tokens: &TokenSet, sts: Credentials, account_id: Option<String>) -> Self {
        Self {
            access_token: Some(Token {
                secret: tokens.access_token.clone(),
                expires_at: Some(tokens.access_expires_at),
            }),
            refresh_token: tokens.refresh_token.as_ref().map(|secret| Token {
                secret: secret.clone(),
                expires_at: tokens.refresh_expires_at,
            }),
            sts: Some(sts),
            account_id,
        }
    }

    /// Takes the tokens of a refresh. An answer without a refresh token keeps the current one
    /// and its expiry (docs/protocol.md §2); one with a new refresh token replaces both.
    pub fn refreshed(&mut self, tokens: &TokenSet) {
        self.access_token = Some(Token {
            secret: tokens.access_token.clone(),
            expires_at: Some(tokens.access_expires_at),
        });
        if let Some(secret) = &tokens.refresh_token {
            self.refresh_token = Some(Token {
                secret: secret.clone(),
                expires_at: tokens.refresh_expires_at,
            });
        } else if let (Some(kept), Some(at)) = (&mut self.refresh_token, tokens.refresh_expires_at)
        {
            kept.expires_at = Some(at);
        }
    }

    /// True when the session holds no token and no credentials (its account may still be known).
    pub fn is_signed_out(&self) -> bool {
        self.access_token.is_none() && self.refresh_token.is_none() && self.sts.is_none()
    }

    /// The refresh token's secret, when there is one.
    pub fn refresh_secret(&self) -> Option<&Secret> {
        self.refresh_token.as_ref().map(|token| &token.secret)
    }

    /// The access token's secret, when there is one.
    pub fn access_secret(&self) -> Option<&Secret> {
        self.access_token.as_ref().map(|token| &token.secret)
    }

    /// The STS credentials, when they keep at least `margin` seconds at `now`.
    pub fn sts_keeping(&self, now: i64, margin: i64) -> Option<&Credentials> {
        self.sts
            .as_ref()
            .filter(|sts| keeps(sts.expiration.unwrap_or(0), now, margin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(refresh: Option<&str>, refresh_expires_at: Option<i64>) -> TokenSet {
        TokenSet {
            access_token: Secret::new("at-2"),
            refresh_token: refresh.map(Secret::new),
            access_expires_at: 5000,
            refresh_expires_at,
        }
    }

    fn sts() -> Credentials {
        Credentials {
            access_key_id: "STS.x".into(),
            access_key_secret: Secret::new("s"),
            security_token: Some(Secret::new("t")),
            expiration: Some(4000),
        }
    }

    #[test]
    fn a_sign_in_without_a_refresh_token_has_none() {
        let session = OAuthSession::signed_in(&tokens(None, None), sts(), None);
        assert_eq!(session.refresh_token, None);
        assert_eq!(session.access_secret().unwrap().expose(), "at-2");
    }

    #[test]
    fn a_refresh_without_a_refresh_token_keeps_the_old_one() {
        let mut session = OAuthSession::signed_in(&tokens(Some("rt-1"), Some(9000)), sts(), None);
        session.refreshed(&tokens(None, None));
        let kept = session.refresh_token.clone().unwrap();
        assert_eq!(
            (kept.secret.expose(), kept.expires_at),
            ("rt-1", Some(9000))
        );
        session.refreshed(&tokens(Some("rt-3"), None));
        let rotated = session.refresh_token.unwrap();
        assert_eq!(
            (rotated.secret.expose(), rotated.expires_at),
            ("rt-3", None)
        );
    }
}
