//! The token endpoint: redeem an authorization code, refresh an access token (docs/protocol.md §2).

use anyhow::{Result, anyhow};
use serde::Deserialize;
use url::Url;

use crate::http::{Http, RequestError, parse_json, send_for_body};
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

/// Access tokens of OAuth apps in RAM live at least this long (docs/protocol.md §2); a response
/// without `expires_in` is taken to mean the shortest, so we renew too early rather than too late.
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

/// Lifetimes beyond this (ten years) are not believed: they are capped, so that no answer can make
/// a token look valid forever or overflow the arithmetic.
const MAX_LIFETIME: i64 = 10 * 365 * 86_400;

impl TokenWire {
    fn into_token_set(self, now: i64) -> Result<TokenSet> {
        let access_token = self
            .access_token
            .filter(|token| !token.is_empty())
            .ok_or_else(|| anyhow!("the token response has no `access_token`"))?;
        let expires_at = |seconds: i64| now.saturating_add(seconds.clamp(0, MAX_LIFETIME));
        Ok(TokenSet {
            access_token,
            refresh_token: self.refresh_token.filter(|token| !token.is_empty()),
            access_expires_at: expires_at(self.expires_in.unwrap_or(MIN_ACCESS_TOKEN_LIFETIME)),
            refresh_expires_at: self.refresh_expires_in.map(expires_at),
        })
    }
}

/// Reads a token endpoint's 2xx answer into tokens with absolute expiries. The one parser of token
/// responses: the requests below use it, and so does the fuzzer.
pub fn parse_token_response(body: &[u8], now: i64) -> Result<TokenSet> {
    let wire: TokenWire = parse_json(body, "the token endpoint")?;
    wire.into_token_set(now)
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
    http: &Http,
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
    tracing::debug!(
        grant_type = "authorization_code",
        "redeeming the authorization code"
    );
    let body = send_for_body(http, http.post(token_url)?.form(&form), &what).await?;
    Ok(parse_token_response(&body, now)?)
}

/// Refreshes the access token (`grant_type=refresh_token`).
pub async fn refresh(
    http: &Http,
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
    tracing::debug!(grant_type = "refresh_token", "refreshing the access token");
    let body = send_for_body(http, http.post(token_url)?.form(&form), &what).await?;
    Ok(parse_token_response(&body, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_keeps_absent_refresh_token_absent_and_takes_string_seconds() {
        let set = parse_token_response(
            br#"{"access_token":"a","expires_in":"1800","token_type":"Bearer"}"#,
            1000,
        )
        .unwrap();
        assert_eq!(set.access_expires_at, 2800);
        assert!(set.refresh_token.is_none());
    }

    #[test]
    fn absurd_lifetimes_are_capped_and_never_overflow() {
        // Found by the `token_response` fuzz target (fuzz/seeds/token_response/crash-overflow):
        // `now + expires_in` overflowed, a panic in debug builds and a wrap in release. Serde
        // also reads a JSON array as the struct's fields in order.
        let set = parse_token_response(br#"["{" ,"{" ,"" ]"#, i64::MAX).unwrap();
        assert_eq!(set.access_expires_at, i64::MAX);
        assert_eq!(set.refresh_token.unwrap().expose(), "{");
        let set = parse_token_response(
            br#"{"access_token":"a","expires_in":9.3e18,"refresh_expires_in":-9.3e18}"#,
            i64::MAX - 5,
        )
        .unwrap();
        assert_eq!(set.access_expires_at, i64::MAX);
        assert_eq!(set.refresh_expires_at, Some(i64::MAX - 5));
        let set = parse_token_response(br#"{"access_token":"a","expires_in":"-5"}"#, 100).unwrap();
        assert_eq!(
            set.access_expires_at, 100,
            "a negative lifetime is already expired"
        );
    }

    #[test]
    fn missing_access_token_is_an_error_that_shows_no_secret() {
        let error = parse_token_response(br#"{"refresh_token":"r-secret"}"#, 0)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("access_token") && !error.contains("r-secret"),
            "{error}"
        );
    }
}
