//! Signature checks of signed STS calls: RPC v1 (HMAC-SHA1, parameters in the query and the form
//! body) and ACS3-HMAC-SHA256 (headers). Both answer with the call's action and own parameters.

// Refusals are ready-made responses; boxing them would only add noise to a test server.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use alicli::internals::{
    Acs3Authorization, CanonicalRequest, parse_v3_authorization, sha256_hex, v1_signature,
    v1_string_to_sign, v3_signature,
};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;

use crate::state::State as EmulatorState;
use crate::sts::api_error;

/// A request to the STS API, parsed but not yet trusted.
pub struct Incoming<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub body: &'a [u8],
}

impl Incoming<'_> {
    /// A header's value, or "".
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// Query and form parameters together (the form wins on a clash).
    pub fn params(&self) -> BTreeMap<String, String> {
        self.query.iter().chain(&self.form).cloned().collect()
    }

    /// The action: `x-acs-action` for ACS3, else the `Action` parameter.
    pub fn action(&self) -> String {
        let header = self.header("x-acs-action");
        if header.is_empty() {
            self.params().remove("Action").unwrap_or_default()
        } else {
            header
        }
    }
}

/// A request whose signature matched.
pub struct Verified {
    pub action: String,
    pub access_key_id: String,
    pub security_token: Option<String>,
    pub nonce: String,
    pub timestamp: String,
    /// The action's own parameters (the signing parameters removed).
    pub params: BTreeMap<String, String>,
}

/// Parameters every v1 call carries for signing, not for the action.
const V1_COMMON: [&str; 10] = [
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "SecurityToken",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
];

fn secret_of(state: &EmulatorState, access_key_id: &str) -> Option<String> {
    if access_key_id == state.static_key.0 {
        return Some(state.static_key.1.clone());
    }
    state.sts.get(access_key_id).map(|c| c.secret.clone())
}

fn unknown_key() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "InvalidAccessKeyId.NotFound",
        "Specified access key is not found.",
    )
}

fn mismatch() -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation.",
    )
}

/// Checks an RPC v1 signature over every query and form parameter but `Signature`.
pub fn verify_v1(state: &EmulatorState, request: &Incoming<'_>) -> Result<Verified, Response> {
    let params = request.params();
    let get = |key: &str| params.get(key).cloned().unwrap_or_default();
    for required in [
        "AccessKeyId",
        "Signature",
        "SignatureNonce",
        "Timestamp",
        "Action",
        "Version",
    ] {
        if get(required).is_empty() {
            return Err(api_error(
                StatusCode::BAD_REQUEST,
                "MissingParameter",
                &format!("{required} is mandatory for this action."),
            ));
        }
    }
    if get("SignatureMethod") != "HMAC-SHA1" || get("SignatureVersion") != "1.0" {
        return Err(api_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameter",
            "SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0.",
        ));
    }
    let Some(secret) = secret_of(state, &get("AccessKeyId")) else {
        return Err(unknown_key());
    };
    let signed = params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let expected = v1_signature(&secret, &v1_string_to_sign(request.method.as_str(), signed));
    if expected != get("Signature") {
        return Err(mismatch());
    }
    Ok(Verified {
        action: get("Action"),
        access_key_id: get("AccessKeyId"),
        security_token: params.get("SecurityToken").cloned(),
        nonce: get("SignatureNonce"),
        timestamp: get("Timestamp"),
        params: params
            .iter()
            .filter(|(k, _)| !V1_COMMON.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

/// Checks an ACS3-HMAC-SHA256 `Authorization` header.
pub fn verify_v3(
    state: &EmulatorState,
    request: &Incoming<'_>,
    authorization: &str,
) -> Result<Verified, Response> {
    let bad = |code: &str, message: &str| api_error(StatusCode::BAD_REQUEST, code, message);
    let Some(parsed) = parse_v3_authorization(authorization) else {
        return Err(bad(
            "InvalidAuthorization",
            "The Authorization header is malformed.",
        ));
    };
    for required in [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ] {
        if !parsed.signed_headers.iter().any(|h| h == required) {
            return Err(bad(
                "InvalidAuthorization",
                &format!("Header {required} must be signed."),
            ));
        }
    }
    let payload_hash = sha256_hex(request.body);
    if request.header("x-acs-content-sha256") != payload_hash {
        return Err(bad(
            "InvalidContentSha256",
            "x-acs-content-sha256 does not match the body.",
        ));
    }
    let Some(secret) = secret_of(state, &parsed.access_key_id) else {
        return Err(unknown_key());
    };
    let values: Vec<String> = parsed
        .signed_headers
        .iter()
        .map(|name| request.header(name))
        .collect();
    let canonical = CanonicalRequest {
        method: request.method.as_str(),
        path: request.uri.path(),
        query: request
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        headers: parsed
            .signed_headers
            .iter()
            .map(String::as_str)
            .zip(values.iter().map(String::as_str))
            .collect(),
        payload_hash: &payload_hash,
    };
    if v3_signature(&secret, &canonical.string_to_sign()) != parsed.signature {
        return Err(mismatch());
    }
    let token = request.header("x-acs-security-token");
    check_accesskey_id_header(
        &parsed,
        &request.header("x-acs-accesskey-id"),
        !token.is_empty(),
    )?;
    Ok(Verified {
        action: request.header("x-acs-action"),
        access_key_id: parsed.access_key_id,
        security_token: (!token.is_empty()).then_some(token),
        nonce: request.header("x-acs-signature-nonce"),
        timestamp: request.header("x-acs-date"),
        params: request.params(),
    })
}

/// With STS credentials Alibaba's OpenAPI SDK sends and signs `x-acs-accesskey-id` beside the
/// security token; the strictest gateway would insist on it, and on it naming the signer.
fn check_accesskey_id_header(
    parsed: &Acs3Authorization,
    value: &str,
    with_token: bool,
) -> Result<(), Response> {
    let bad = |message: &str| api_error(StatusCode::BAD_REQUEST, "InvalidAuthorization", message);
    if value.is_empty() {
        return if with_token {
            Err(bad(
                "Header x-acs-accesskey-id is required with a security token.",
            ))
        } else {
            Ok(())
        };
    }
    if !parsed
        .signed_headers
        .iter()
        .any(|h| h == "x-acs-accesskey-id")
    {
        return Err(bad("Header x-acs-accesskey-id must be signed."));
    }
    if value != parsed.access_key_id {
        return Err(bad(
            "Header x-acs-accesskey-id does not match the Credential.",
        ));
    }
    Ok(())
}
