//! Access token to STS credentials (`POST {oauth}/v1/exchange`, PROTOCOL.md §3).

use anyhow::anyhow;
use reqwest::Client;
use serde_json::Value;
use url::Url;

use super::credentials::Credentials;
use crate::http::{RequestError, send_json};
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
    let wire: serde_json::Map<String, Value> = send_json(request, &what).await?;
    Ok(Credentials::try_from(ExchangeWire(wire))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_both_casings_and_names_missing_fields() {
        let wire = |text: &str| ExchangeWire(serde_json::from_str(text).unwrap());
        let credentials = Credentials::try_from(wire(
            r#"{"AccessKeyId":"STS.x","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2026-11-22T10:00:00Z"}"#,
        ))
        .unwrap();
        assert_eq!(credentials.expiration, Some(1_795_341_600));
        let both = Credentials::try_from(wire(
            r#"{"accessKeyId":"STS.x","AccessKeyId":"STS.x","accessKeySecret":"s","securityToken":"t","expiration":"2026-11-22T10:00:00Z"}"#,
        ))
        .unwrap();
        assert_eq!(both.access_key_id, "STS.x");

        let partial = wire(r#"{"accessKeyId":"STS.x","expiration":"2026-11-22T10:00:00Z"}"#);
        let error = Credentials::try_from(partial).unwrap_err().to_string();
        assert!(error.contains("accessKeySecret"), "{error}");
    }
}
