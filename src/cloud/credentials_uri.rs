//! `CredentialsURI` profiles (docs/protocol.md §7): a `GET` of the profile's `credentials_uri`
//! answers `{"Code": "Success", "AccessKeyId", "AccessKeySecret", "SecurityToken", "Expiration"}`,
//! the document alicli's own `exec --server` endpoint serves. Nothing is cached, as in the
//! official CLI: each use asks the endpoint, which decides when to renew.
//!
//! Such a URI is often a bearer secret in itself (alicli's own endpoint is an unguessable path on
//! 127.0.0.1), so messages and logs show its origin only.

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use url::Url;

use super::credentials::Credentials;
use super::endpoints::parse_endpoint;
use super::sts::parse_api_response;
use crate::http::{Http, origin_only, parse_json, read_body};
use crate::secret::Secret;
use crate::term::printable;
use crate::timefmt::parse_rfc3339;

/// The endpoint's answer, PascalCase as the SDKs read it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Wire {
    code: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<Secret>,
    security_token: Option<Secret>,
    expiration: Option<String>,
}

impl TryFrom<Wire> for Credentials {
    type Error = anyhow::Error;

    /// The strictest of the official readers: `Code` must be `Success` (the CLI and the Python
    /// SDK check it) and all four fields must be there (the Go and Python SDKs require them).
    fn try_from(wire: Wire) -> Result<Self> {
        match wire.code.as_deref() {
            Some("Success") => {}
            Some(code) => bail!(
                "it answered `Code` `{}`, not `Success`",
                printable(code, 100)
            ),
            None => bail!("its answer has no `Code`"),
        }
        let missing = |field: &str| anyhow!("its answer has no `{field}`");
        let access_key_id = wire
            .access_key_id
            .filter(|v| !v.is_empty())
            .ok_or_else(|| missing("AccessKeyId"))?;
        let access_key_secret = wire
            .access_key_secret
            .filter(|v| !v.is_empty())
            .ok_or_else(|| missing("AccessKeySecret"))?;
        let security_token = wire
            .security_token
            .filter(|v| !v.is_empty())
            .ok_or_else(|| missing("SecurityToken"))?;
        let expiration = wire.expiration.ok_or_else(|| missing("Expiration"))?;
        Ok(Credentials {
            access_key_id,
            access_key_secret,
            security_token: Some(security_token),
            expiration: Some(parse_rfc3339(&expiration).context("its `Expiration` is unreadable")?),
        })
    }
}

/// Reads a credentials endpoint's answer: HTTP status and body.
pub fn parse_response(status: u16, body: &[u8]) -> Result<Credentials> {
    // An error status is read as an API error (`Code`, `Message`), which is how alicli's own
    // endpoint explains a failed renewal.
    parse_api_response(status, body, "credentials URI")?;
    Credentials::try_from(parse_json::<Wire>(body, "the credentials URI")?)
}

/// The `credentials_uri` of a profile as a URL; plain HTTP only to loopback, as everywhere.
pub fn parse_uri(text: &str) -> Result<Url> {
    parse_endpoint(text).map_err(|_| {
        anyhow!(
            "`credentials_uri` must be an `https://` URL, or `http://` to a loopback address; \
             `{}` is neither",
            origin_shown(text)
        )
    })
}

/// Fetches credentials from `uri`.
pub async fn fetch(http: &Http, uri: &Url) -> Result<Credentials> {
    let what = format!("the credentials request to `{}`", origin_only(uri));
    tracing::debug!("fetching credentials from a credentials URI");
    let response = http.send_secret_path(http.get(uri)?, &what).await?;
    let status = response.status();
    if status.is_redirection() {
        bail!(
            "{what} was answered with a redirect; alicli never follows redirects for credentials"
        );
    }
    // Bounded like every server answer: an endpoint that never stops must not fill memory.
    let body = read_body(http, response, &what).await?;
    let credentials =
        parse_response(status.as_u16(), &body).with_context(|| format!("{what} failed"))?;
    // Asked at each use, so no margin: only keys already expired by the local clock are refused,
    // with the server's `Date` compared to say which clock is wrong.
    if let Some(expires_at) = credentials.expiration {
        crate::skew::check_arrival(expires_at, http.server_date(), crate::clock::now_unix(), 0)
            .with_context(|| format!("{what} failed"))?;
    }
    Ok(credentials)
}

/// The origin of a URI given as text, for a message about a URI that did not parse.
fn origin_shown(text: &str) -> String {
    match Url::parse(text.trim()) {
        Ok(url) => origin_only(&url),
        Err(_) => "(not a URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &[u8] = br#"{"Code":"Success","AccessKeyId":"STS.a","AccessKeySecret":"s3cret","SecurityToken":"t0ken","Expiration":"2026-11-22T10:00:00Z"}"#;

    #[test]
    fn reads_the_document_alicli_serves() {
        let credentials = parse_response(200, GOOD).unwrap();
        assert_eq!(credentials.access_key_id, "STS.a");
        assert_eq!(credentials.expiration, Some(1_795_341_600));
        assert_eq!(credentials.security_token.unwrap().expose(), "t0ken");
    }

    #[test]
    fn refuses_what_the_official_readers_refuse_without_showing_secrets() {
        let not_success = String::from_utf8_lossy(GOOD).replace("Success", "Failed");
        let text = |body: &[u8]| format!("{:#}", parse_response(200, body).unwrap_err());
        assert!(text(not_success.as_bytes()).contains("`Failed`"));
        for field in ["AccessKeyId", "SecurityToken", "Expiration"] {
            let body = String::from_utf8_lossy(GOOD).replace(field, "Other");
            let error = text(body.as_bytes());
            assert!(error.contains(field), "{error}");
            assert!(
                !error.contains("s3cret") && !error.contains("t0ken"),
                "{error}"
            );
        }
        let error = format!(
            "{:#}",
            parse_response(
                503,
                br#"{"Code":"CredentialsUnavailable","Message":"renewal failed"}"#
            )
            .unwrap_err()
        );
        assert!(error.contains("CredentialsUnavailable") && error.contains("renewal failed"));
    }

    #[test]
    fn plain_http_only_to_loopback_and_the_path_stays_out_of_messages() {
        assert!(parse_uri("http://127.0.0.1:9/secret").is_ok());
        let error = parse_uri("http://creds.example/secret-path")
            .unwrap_err()
            .to_string();
        assert!(error.contains("http://creds.example/…"), "{error}");
        assert!(!error.contains("secret-path"), "{error}");
    }
}
