//! Credentials rendered for other programs: environment variables for each family of tools
//! ([`vars`]), written in the syntax of each shell ([`shell`]), and the JSON shapes
//! (docs/protocol.md §7). Pure functions, because quoting is where injection bugs live: a value is
//! always data, never code, in the shell it is meant for.

pub mod shell;
pub mod vars;

use serde_json::{Value, json};

use crate::cloud::credentials::Credentials;
use crate::timefmt::to_rfc3339;

/// The `json` format: a documented object, `null` where a value does not exist (`security_token`
/// of a long-term key, `expiration` of credentials that do not expire, an unset region).
pub fn json_document(profile: &str, credentials: &Credentials, region: Option<&str>) -> Value {
    json!({
        "profile": profile,
        "access_key_id": credentials.access_key_id,
        "access_key_secret": credentials.access_key_secret.expose(),
        "security_token": credentials.security_token.as_ref().map(|t| t.expose()),
        "region_id": region.filter(|r| !r.is_empty()),
        "expiration": credentials.expiration.map(to_rfc3339),
    })
}

/// The `external` format: what an `External` profile's `process_command` prints
/// (docs/protocol.md §7).
pub fn external_document(credentials: &Credentials) -> Value {
    match &credentials.security_token {
        Some(token) => {
            let mut doc = json!({
                "mode": "StsToken",
                "access_key_id": credentials.access_key_id,
                "access_key_secret": credentials.access_key_secret.expose(),
                "sts_token": token.expose(),
            });
            if let Some(at) = credentials.expiration {
                doc["expiration"] = to_rfc3339(at).into();
            }
            doc
        }
        None => json!({
            "mode": "AK",
            "access_key_id": credentials.access_key_id,
            "access_key_secret": credentials.access_key_secret.expose(),
        }),
    }
}

/// The JSON a `CredentialsURI` endpoint serves (docs/protocol.md §7). The SDKs require every field.
pub fn credentials_uri_document(credentials: &Credentials) -> Value {
    json!({
        "Code": "Success",
        "AccessKeyId": credentials.access_key_id,
        "AccessKeySecret": credentials.access_key_secret.expose(),
        "SecurityToken": credentials.security_token.as_ref().map(|t| t.expose()).unwrap_or(""),
        "Expiration": to_rfc3339(credentials.expiration.unwrap_or(0)),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::secret::Secret;

    /// STS credentials whose secret and token hold characters that need quoting.
    pub(crate) fn sts() -> Credentials {
        Credentials {
            access_key_id: "STS.id".into(),
            access_key_secret: Secret::new("se'cret"),
            security_token: Some(Secret::new("to+ken/=")),
            expiration: Some(1_795_341_600),
        }
    }

    #[test]
    fn documents_have_the_documented_keys() {
        let doc = external_document(&sts());
        assert_eq!(doc["mode"], "StsToken");
        assert_eq!(doc["expiration"], "2026-11-22T10:00:00Z");
        let doc = json_document("work", &sts(), None);
        assert_eq!(doc["region_id"], Value::Null);
        assert_eq!(doc["security_token"], "to+ken/=");
        let doc = credentials_uri_document(&sts());
        assert_eq!(doc["Code"], "Success");
        assert_eq!(doc["Expiration"], "2026-11-22T10:00:00Z");
    }
}
