//! Access token to STS credentials (`POST {oauth}/v1/exchange`, PROTOCOL.md §3).

use anyhow::anyhow;
use reqwest::Client;
use serde::Deserialize;
use url::Url;

use super::credentials::Credentials;
use crate::http::{RequestError, send_json};
use crate::secret::Secret;
use crate::timefmt::parse_rfc3339;

/// The exchange answer; camelCase per the docs, PascalCase accepted too.
#[derive(Deserialize)]
struct ExchangeWire {
    #[serde(rename = "accessKeyId", alias = "AccessKeyId")]
    access_key_id: Option<String>,
    #[serde(rename = "accessKeySecret", alias = "AccessKeySecret")]
    access_key_secret: Option<Secret>,
    #[serde(rename = "securityToken", alias = "SecurityToken")]
    security_token: Option<Secret>,
    #[serde(rename = "expiration", alias = "Expiration")]
    expiration: Option<String>,
}

impl TryFrom<ExchangeWire> for Credentials {
    type Error = anyhow::Error;

    fn try_from(wire: ExchangeWire) -> Result<Self, Self::Error> {
        let missing = |field: &str| anyhow!("the exchange response has no `{field}`");
        let expiration = wire.expiration.ok_or_else(|| missing("expiration"))?;
        Ok(Credentials {
            access_key_id: wire
                .access_key_id
                .filter(|id| !id.is_empty())
                .ok_or_else(|| missing("accessKeyId"))?,
            access_key_secret: wire
                .access_key_secret
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing("accessKeySecret"))?,
            security_token: Some(
                wire.security_token
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| missing("securityToken"))?,
            ),
            expiration: Some(parse_rfc3339(&expiration)?),
        })
    }
}

/// Exchanges an access token for STS credentials of the signed-in user.
pub async fn exchange(
    http: &Client,
    exchange_url: &Url,
    access_token: &Secret,
) -> Result<Credentials, RequestError> {
    let request = http
        .post(exchange_url.clone())
        .bearer_auth(access_token.expose())
        .header(reqwest::header::CONTENT_LENGTH, "0");
    let what = format!("the STS exchange at `{exchange_url}`");
    let wire: ExchangeWire = send_json(request, &what).await?;
    Ok(Credentials::try_from(wire)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_both_casings_and_names_missing_fields() {
        let wire: ExchangeWire = serde_json::from_str(
            r#"{"AccessKeyId":"STS.x","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2026-11-22T10:00:00Z"}"#,
        )
        .unwrap();
        let credentials = Credentials::try_from(wire).unwrap();
        assert_eq!(credentials.expiration, Some(1_795_341_600));

        let wire: ExchangeWire =
            serde_json::from_str(r#"{"accessKeyId":"STS.x","expiration":"2026-11-22T10:00:00Z"}"#)
                .unwrap();
        let error = Credentials::try_from(wire).unwrap_err().to_string();
        assert!(error.contains("accessKeySecret"), "{error}");
    }
}
