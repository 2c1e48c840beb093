//! Access token to STS credentials (`POST {oauth}/v1/exchange`, docs/protocol.md §3).

use anyhow::{Result, anyhow};
use serde_json::Value;
use url::Url;

use super::credentials::Credentials;
use crate::http::{Http, RequestError, parse_json, send_for_body};
use crate::secret::Secret;
use crate::timefmt::parse_rfc3339;

/// The exchange answer: camelCase per the docs, PascalCase accepted too (Alibaba's Python SDK reads
/// PascalCase), and either may be present without the other or beside it.
struct ExchangeWire(serde_json::Map<String, Value>);

impl ExchangeWire {
    fn text(&self, camel: &str, pascal: &str) -> Option<String> {
        [camel, pascal]
            .iter()
            .filter_map(|key| self.0.get(*key).and_then(Value::as_str))
            .find(|value| !value.is_empty())
            .map(str::to_owned)
    }
}

impl TryFrom<ExchangeWire> for Credentials {
    type Error = anyhow::Error;

    fn try_from(wire: ExchangeWire) -> Result<Self, Self::Error> {
        let field = |camel: &str, pascal: &str| {
            wire.text(camel, pascal)
                .ok_or_else(|| anyhow!("the exchange response has no `{camel}`"))
        };
        Ok(Credentials {
            access_key_id: field("accessKeyId", "AccessKeyId")?,
            access_key_secret: Secret::new(field("accessKeySecret", "AccessKeySecret")?),
            security_token: Some(Secret::new(field("securityToken", "SecurityToken")?)),
            expiration: Some(parse_rfc3339(&field("expiration", "Expiration")?)?),
        })
    }
}

/// Reads the exchange's 2xx answer into credentials. The one parser of exchange responses: the
/// request below uses it, and so does the fuzzer.
pub fn parse_exchange_response(body: &[u8]) -> Result<Credentials> {
    let wire: serde_json::Map<String, Value> = parse_json(body, "the STS exchange")?;
    Credentials::try_from(ExchangeWire(wire))
}

/// Exchanges an access token for STS credentials of the signed-in user.
pub async fn exchange(
    http: &Http,
    exchange_url: &Url,
    access_token: &Secret,
) -> Result<Credentials, RequestError> {
    // Every official client (the CLI and the four credentials SDKs) declares a JSON body on the
    // exchange, empty as it is (docs/protocol.md §3); a gateway that checks it sees the same.
    let request = http
        .post(exchange_url)?
        .bearer_auth(access_token.expose())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::CONTENT_LENGTH, "0");
    let what = format!("the STS exchange at `{exchange_url}`");
    tracing::debug!("exchanging the access token for STS credentials");
    let body = send_for_body(http, request, &what).await?;
    Ok(parse_exchange_response(&body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_both_casings_and_names_missing_fields() {
        let credentials = parse_exchange_response(
            br#"{"AccessKeyId":"STS.x","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2026-11-22T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(credentials.expiration, Some(1_795_341_600));
        let both = parse_exchange_response(
            br#"{"accessKeyId":"STS.x","AccessKeyId":"STS.x","accessKeySecret":"s","securityToken":"t","expiration":"2026-11-22T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(both.access_key_id, "STS.x");

        let error = parse_exchange_response(
            br#"{"accessKeyId":"STS.x","expiration":"2026-11-22T10:00:00Z"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("accessKeySecret"), "{error}");
        let error = parse_exchange_response(br#"["secret-ish"]"#)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("secret-ish"), "{error}");
    }
}
