//! The token endpoint: redeem an authorization code, refresh an access token (PROTOCOL.md §2).

use anyhow::anyhow;
use reqwest::Client;
use serde::Deserialize;
use url::Url;

use crate::http::{RequestError, send_json};
use crate::secret::Secret;

/// The tokens of a signed-in session, with absolute expiries.
#[derive(Debug, Clone)]
pub struct TokenSet {
    /// The access token, sent as a bearer token to the exchange.
    pub access_token: Secret,
    /// The refresh token; `None` when the response carried none (keep the old one then).
    pub refresh_token: Option<Secret>,
    /// When the access token expires, unix seconds.
    pub access_expires_at: i64,
    /// When the refresh token expires, when the server says.
    pub refresh_expires_at: Option<i64>,
}

/// Access tokens of OAuth apps in RAM live at least this long (PROTOCOL.md §2); a response without
/// `expires_in` is taken to mean the shortest, so we renew too early rather than too late.
const MIN_ACCESS_TOKEN_LIFETIME: i64 = 900;

#[derive(Deserialize)]
struct TokenWire {
    access_token: Option<Secret>,
    refresh_token: Option<Secret>,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<i64>,
    #[serde(default, deserialize_with = "lenient_seconds")]
    refresh_expires_in: Option<i64>,
}

impl TokenWire {
    fn into_token_set(self, now: i64) -> Result<TokenSet, RequestError> {
        let access_token = self
            .access_token
            .filter(|token| !token.is_empty())
            .ok_or_else(|| anyhow!("the token response has no `access_token`"))?;
        Ok(TokenSet {
            access_token,
            refresh_token: self.refresh_token.filter(|token| !token.is_empty()),
            access_expires_at: now + self.expires_in.unwrap_or(MIN_ACCESS_TOKEN_LIFETIME),
            refresh_expires_at: self.refresh_expires_in.map(|seconds| now + seconds),
        })
    }
}

/// Accepts `3600` or `"3600"`: servers differ.
pub fn lenient_seconds<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(f64),
        Text(String),
    }
    Ok(match Option::<Seconds>::deserialize(deserializer)? {
        Some(Seconds::Number(n)) => Some(n as i64),
        Some(Seconds::Text(text)) => text.trim().parse().ok(),
        None => None,
    })
}

/// Redeems an authorization code (`grant_type=authorization_code`, with the PKCE verifier and the
/// byte-identical `redirect_uri`).
pub async fn redeem_code(
    http: &Client,
    token_url: &Url,
    client_id: &str,
    code: &Secret,
    redirect_uri: &str,
    verifier: &Secret,
    now: i64,
) -> Result<TokenSet, RequestError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier.expose()),
    ];
    let what = format!("the token request to `{token_url}`");
    let wire: TokenWire = send_json(http.post(token_url.clone()).form(&form), &what).await?;
    wire.into_token_set(now)
}

/// Refreshes the access token (`grant_type=refresh_token`).
pub async fn refresh(
    http: &Client,
    token_url: &Url,
    client_id: &str,
    refresh_token: &Secret,
    now: i64,
) -> Result<TokenSet, RequestError> {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.expose()),
        ("client_id", client_id),
    ];
    let what = format!("the token refresh at `{token_url}`");
    let wire: TokenWire = send_json(http.post(token_url.clone()).form(&form), &what).await?;
    wire.into_token_set(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_keeps_absent_refresh_token_absent_and_takes_string_seconds() {
        let wire: TokenWire = serde_json::from_str(
            r#"{"access_token":"a","expires_in":"1800","token_type":"Bearer"}"#,
        )
        .unwrap();
        let set = wire.into_token_set(1000).unwrap();
        assert_eq!(set.access_expires_at, 2800);
        assert!(set.refresh_token.is_none());
    }

    #[test]
    fn missing_access_token_is_an_error_that_shows_no_secret() {
        let wire: TokenWire = serde_json::from_str(r#"{"refresh_token":"r-secret"}"#).unwrap();
        let error = wire.into_token_set(0).unwrap_err().to_string();
        assert!(
            error.contains("access_token") && !error.contains("r-secret"),
            "{error}"
        );
    }
}
