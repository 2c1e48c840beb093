//! Request signatures as pure functions (docs/protocol.md §6). Each step is a value that tests
//! compare with answers made by Alibaba's own Python SDK (tests/fixtures/signatures.json).

use std::fmt;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::encode::{canonical_query, percent_encode};

/// The name of the v3 algorithm, first word of the `Authorization` header.
pub const ACS3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// RPC v1: `METHOD&%2F&` + percent-encode(canonical query of every parameter but `Signature`).
pub fn v1_string_to_sign<'a>(
    method: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let query = canonical_query(params);
    format!("{method}&%2F&{}", percent_encode(&query))
}

/// RPC v1: Base64(HMAC-SHA1(secret + "&", string to sign)).
pub fn v1_signature(access_key_secret: &str, string_to_sign: &str) -> String {
    let key = format!("{access_key_secret}&");
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Hex SHA-256, for `x-acs-content-sha256` and the v3 string to sign.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The v3 canonical request. Header names must be lower-case; only the headers given are signed.
#[derive(Debug, Clone)]
pub struct CanonicalRequest<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The path, `/` for RPC APIs.
    pub path: &'a str,
    /// Query parameters, not yet encoded.
    pub query: Vec<(&'a str, &'a str)>,
    /// The signed headers, lower-case names, values as sent.
    pub headers: Vec<(&'a str, &'a str)>,
    /// Hex SHA-256 of the body, the value of `x-acs-content-sha256`.
    pub payload_hash: &'a str,
}

impl CanonicalRequest<'_> {
    /// The signed header names, sorted and joined by `;`.
    pub fn signed_headers(&self) -> String {
        let mut names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.join(";")
    }

    /// `ACS3-HMAC-SHA256\n` + hex(SHA-256(canonical request)).
    pub fn string_to_sign(&self) -> String {
        format!(
            "{ACS3_ALGORITHM}\n{}",
            sha256_hex(self.to_string().as_bytes())
        )
    }
}

impl fmt::Display for CanonicalRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut headers = self.headers.clone();
        headers.sort_unstable_by(|a, b| a.0.cmp(b.0));
        writeln!(f, "{}", self.method)?;
        writeln!(f, "{}", self.path)?;
        writeln!(f, "{}", canonical_query(self.query.iter().copied()))?;
        for (name, value) in &headers {
            writeln!(f, "{name}:{}", value.trim())?;
        }
        writeln!(f)?;
        writeln!(f, "{}", self.signed_headers())?;
        f.write_str(self.payload_hash)
    }
}

/// v3: hex(HMAC-SHA256(secret, string to sign)).
pub fn v3_signature(access_key_secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(access_key_secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// v3: the `Authorization` header value.
pub fn v3_authorization(access_key_id: &str, signed_headers: &str, signature: &str) -> String {
    format!(
        "{ACS3_ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"
    )
}

/// The parts of a v3 `Authorization` header, for a verifier (the emulator).
#[derive(Debug, PartialEq, Eq)]
pub struct Acs3Authorization {
    /// The AccessKeyId after `Credential=`.
    pub access_key_id: String,
    /// The `;`-separated signed header names.
    pub signed_headers: Vec<String>,
    /// The hex signature.
    pub signature: String,
}

/// Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`.
pub fn parse_v3_authorization(header: &str) -> Option<Acs3Authorization> {
    let rest = header.strip_prefix(ACS3_ALGORITHM)?.trim_start();
    let (mut id, mut headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, value) = part.trim().split_once('=')?;
        match key {
            "Credential" => id = Some(value.to_owned()),
            "SignedHeaders" => headers = Some(value.split(';').map(str::to_owned).collect()),
            "Signature" => signature = Some(value.to_owned()),
            _ => return None,
        }
    }
    Some(Acs3Authorization {
        access_key_id: id?,
        signed_headers: headers?,
        signature: signature?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_authorization_round_trips_through_the_parser() {
        let header = v3_authorization("LTAIkey", "host;x-acs-date", "abc123");
        let parsed = parse_v3_authorization(&header).unwrap();
        assert_eq!(parsed.access_key_id, "LTAIkey");
        assert_eq!(parsed.signed_headers, ["host", "x-acs-date"]);
        assert_eq!(parsed.signature, "abc123");
        assert!(parse_v3_authorization("Bearer x").is_none());
    }

    #[test]
    fn canonical_request_sorts_headers_and_ends_with_the_payload_hash() {
        let request = CanonicalRequest {
            method: "POST",
            path: "/",
            query: vec![],
            headers: vec![
                ("x-acs-action", "GetCallerIdentity"),
                ("host", "sts.aliyuncs.com"),
            ],
            payload_hash: "e3b0",
        };
        assert_eq!(
            request.to_string(),
            "POST\n/\n\nhost:sts.aliyuncs.com\nx-acs-action:GetCallerIdentity\n\nhost;x-acs-action\ne3b0"
        );
    }
}
