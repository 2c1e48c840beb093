//! STS or AccessKey credentials, ready to sign a request.

use crate::secret::Secret;

/// Credentials that sign API requests. `expiration` is absent for long-term AccessKeys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The AccessKeyId (`STS.…` for STS credentials). Not a secret on its own.
    pub access_key_id: String,
    /// The AccessKeySecret.
    pub access_key_secret: Secret,
    /// The SecurityToken of STS credentials.
    pub security_token: Option<Secret>,
    /// When they stop working, in unix seconds.
    pub expiration: Option<i64>,
}

impl Credentials {
    /// Seconds left at `now`, or `None` for credentials that do not expire.
    pub fn seconds_left(&self, now: i64) -> Option<i64> {
        self.expiration.map(|at| at - now)
    }
}

/// STS credentials as STS, the metadata service and credential URIs write them: PascalCase keys,
/// `Expiration` in RFC 3339. Fields are optional here so that a missing one is named.
#[derive(serde::Deserialize)]
pub struct StsWire {
    #[serde(rename = "AccessKeyId")]
    access_key_id: Option<String>,
    #[serde(rename = "AccessKeySecret")]
    access_key_secret: Option<Secret>,
    #[serde(rename = "SecurityToken")]
    security_token: Option<Secret>,
    #[serde(rename = "Expiration")]
    expiration: Option<String>,
}

impl TryFrom<StsWire> for Credentials {
    type Error = anyhow::Error;

    fn try_from(wire: StsWire) -> anyhow::Result<Self> {
        let missing = |name: &str| anyhow::anyhow!("the answer has no `{name}`");
        let expiration = wire
            .expiration
            .filter(|v| !v.is_empty())
            .ok_or_else(|| missing("Expiration"))?;
        Ok(Credentials {
            access_key_id: wire
                .access_key_id
                .filter(|v| !v.is_empty())
                .ok_or_else(|| missing("AccessKeyId"))?,
            access_key_secret: wire
                .access_key_secret
                .filter(|v| !v.is_empty())
                .ok_or_else(|| missing("AccessKeySecret"))?,
            security_token: Some(
                wire.security_token
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| missing("SecurityToken"))?,
            ),
            expiration: Some(crate::timefmt::parse_rfc3339(&expiration)?),
        })
    }
}

/// Reads STS credentials out of a JSON value; the message names a missing field or the position
/// of a wrong type, never a value (values are secrets).
pub fn credentials_from(value: serde_json::Value) -> anyhow::Result<Credentials> {
    let wire: StsWire = serde_json::from_value(value)
        .map_err(|_| anyhow::anyhow!("the answer's credentials are not strings"))?;
    Credentials::try_from(wire)
}
