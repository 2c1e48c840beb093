//! Signed RPC calls to STS (docs/protocol.md §6): `GetCallerIdentity`, signed with ACS3-HMAC-SHA256
//! or with RPC v1 HMAC-SHA1.

use std::fmt;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::credentials::Credentials;
use super::sign::{
    CanonicalRequest, sha256_hex, v1_signature, v1_string_to_sign, v3_authorization, v3_signature,
};
use crate::error::printable;
use crate::http::Http;
use crate::http::retry::{Retry, Transience, network_transience, with_retries};
use crate::timefmt::to_rfc3339;

/// The STS API version.
pub const STS_VERSION: &str = "2015-04-01";

/// Which signature to put on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureVersion {
    /// ACS3-HMAC-SHA256, in headers.
    #[default]
    V3,
    /// RPC v1 HMAC-SHA1, as the `Signature` parameter.
    V1,
}

/// One RPC call, before signing.
#[derive(Debug, Clone)]
pub struct RpcCall<'a> {
    /// The action, e.g. `GetCallerIdentity`.
    pub action: &'a str,
    /// The API version, e.g. `2015-04-01`.
    pub version: &'a str,
    /// The action's own parameters.
    pub params: Vec<(&'a str, &'a str)>,
}

/// The `Host` header value for a URL: host, plus the port when it is not the scheme's default.
pub fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// The form parameters of an RPC v1 call, `Signature` included.
pub fn v1_form(
    call: &RpcCall<'_>,
    credentials: &Credentials,
    now: i64,
    nonce: &str,
) -> Vec<(String, String)> {
    let timestamp = to_rfc3339(now);
    let mut params: Vec<(String, String)> = [
        ("Action", call.action),
        ("Version", call.version),
        ("Format", "JSON"),
        ("AccessKeyId", credentials.access_key_id.as_str()),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce),
        ("Timestamp", timestamp.as_str()),
    ]
    .into_iter()
    .chain(
        credentials
            .security_token
            .as_ref()
            .map(|t| ("SecurityToken", t.expose())),
    )
    .chain(call.params.iter().copied())
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let string_to_sign =
        v1_string_to_sign("POST", params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let signature = v1_signature(credentials.access_key_secret.expose(), &string_to_sign);
    params.push(("Signature".into(), signature));
    params
}

/// The headers of an ACS3 call with an empty body, `authorization` included. The action's
/// parameters go in the query string.
///
/// They are the headers Alibaba's OpenAPI SDK (darabonba-openapi, which the official CLI also
/// uses for its sign-in check) sends and signs, less its `user-agent` and
/// `x-acs-credentials-provider`: `accept: application/json`, and with STS credentials both
/// `x-acs-accesskey-id` and `x-acs-security-token` (docs/protocol.md §6).
pub fn v3_headers(
    call: &RpcCall<'_>,
    url: &Url,
    credentials: &Credentials,
    now: i64,
    nonce: &str,
) -> Vec<(&'static str, String)> {
    let payload_hash = sha256_hex(b"");
    let mut headers: Vec<(&'static str, String)> = vec![
        ("host", host_header(url)),
        ("x-acs-version", call.version.to_owned()),
        ("x-acs-action", call.action.to_owned()),
        ("x-acs-date", to_rfc3339(now)),
        ("x-acs-signature-nonce", nonce.to_owned()),
        ("accept", "application/json".to_owned()),
        ("x-acs-content-sha256", payload_hash.clone()),
    ];
    if let Some(token) = &credentials.security_token {
        headers.push(("x-acs-accesskey-id", credentials.access_key_id.clone()));
        headers.push(("x-acs-security-token", token.expose().to_owned()));
    }
    let canonical = CanonicalRequest {
        method: "POST",
        path: url.path(),
        query: call.params.clone(),
        headers: headers.iter().map(|(k, v)| (*k, v.as_str())).collect(),
        payload_hash: &payload_hash,
    };
    let authorization = v3_sign(&canonical, credentials);
    headers.push(("authorization", authorization));
    headers
}

/// The ACS3 `Authorization` value that signs `canonical` with `credentials`.
pub fn v3_sign(canonical: &CanonicalRequest<'_>, credentials: &Credentials) -> String {
    let signature = v3_signature(
        credentials.access_key_secret.expose(),
        &canonical.string_to_sign(),
    );
    v3_authorization(
        &credentials.access_key_id,
        &canonical.signed_headers(),
        &signature,
    )
}

/// An error answer of an Alibaba Cloud API: `Code`, `Message`, `RequestId`.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ServiceError {
    /// The HTTP status.
    pub status: u16,
    /// The error code, e.g. `InvalidSecurityToken.Expired`.
    pub code: String,
    /// The message.
    pub message: String,
    /// The request id.
    pub request_id: String,
}

impl ServiceError {
    /// True when the service refused the credentials themselves (expired or unknown), which a
    /// new sign-in fixes, as opposed to a refusal of the call.
    pub fn credentials_refused(&self) -> bool {
        self.code.starts_with("InvalidSecurityToken") || self.code.starts_with("InvalidAccessKeyId")
    }

    /// True when `error` is a [`ServiceError`] that refused the credentials.
    pub fn refused_credentials(error: &anyhow::Error) -> bool {
        error
            .downcast_ref::<ServiceError>()
            .is_some_and(ServiceError::credentials_refused)
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the API answered HTTP {} `{}`: {} (RequestId {})",
            self.status, self.code, self.message, self.request_id
        )
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ServiceErrorWire {
    #[serde(rename = "Code", alias = "code")]
    code: String,
    #[serde(rename = "Message", alias = "message")]
    message: String,
    #[serde(rename = "RequestId", alias = "requestId")]
    request_id: String,
}

/// Reads an API answer: a 2xx JSON body as it is, anything else as a [`ServiceError`] (any body,
/// JSON or not, gives one). The one parser of STS answers: `call` uses it, and so does the fuzzer.
pub fn parse_api_response(status: u16, body: &[u8], action: &str) -> Result<Value> {
    if !(200..300).contains(&status) {
        let wire: ServiceErrorWire = serde_json::from_slice(body).unwrap_or_default();
        return Err(ServiceError {
            status,
            code: if wire.code.is_empty() {
                format!("HTTP{status}")
            } else {
                printable(&wire.code, 100)
            },
            message: printable(&wire.message, 500),
            request_id: printable(&wire.request_id, 100),
        }
        .into());
    }
    serde_json::from_slice(body).with_context(|| format!("the {action} answer is not JSON"))
}

/// Makes a signed call and returns the response JSON as the API sent it.
pub async fn call(
    http: &Http,
    endpoint: &Url,
    call: &RpcCall<'_>,
    credentials: &Credentials,
    signature: SignatureVersion,
    now: i64,
    nonce: &str,
) -> Result<Value> {
    let mut url = endpoint.clone();
    let request = match signature {
        SignatureVersion::V1 => {
            url.set_query(None);
            http.post(&url)?
                .form(&v1_form(call, credentials, now, nonce))
        }
        SignatureVersion::V3 => {
            url.set_query(None);
            if !call.params.is_empty() {
                url.query_pairs_mut().extend_pairs(call.params.iter());
            }
            let mut request = http.post(&url)?;
            for (name, value) in v3_headers(call, &url, credentials, now, nonce) {
                request = request.header(name, value);
            }
            request.header(reqwest::header::CONTENT_LENGTH, "0")
        }
    };
    send_rpc(http, request, endpoint, call.action).await
}

/// Sends a prepared API request and reads the answer with [`parse_api_response`]; a service
/// error stays a [`ServiceError`] (callers branch on it), other failures name the call.
pub async fn send_rpc(
    http: &Http,
    request: reqwest::RequestBuilder,
    endpoint: &Url,
    action: &str,
) -> Result<Value> {
    let what = format!("the {action} call to `{}`", endpoint.as_str());
    let response = http.send(request, &what).await?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| anyhow::Error::new(e.without_url()))
        .with_context(|| format!("{what} failed"))?;
    parse_api_response(status.as_u16(), &body, action).map_err(|e| {
        if e.is::<ServiceError>() {
            e
        } else {
            e.context(format!("{what} failed"))
        }
    })
}

/// `GetCallerIdentity`: who the credentials belong to.
pub async fn get_caller_identity(
    http: &Http,
    endpoint: &Url,
    credentials: &Credentials,
    signature: SignatureVersion,
    now: i64,
    nonce: &str,
) -> Result<Value> {
    let request = RpcCall {
        action: "GetCallerIdentity",
        version: STS_VERSION,
        params: Vec::new(),
    };
    call(http, endpoint, &request, credentials, signature, now, nonce).await
}

/// How a failed API call may go away: HTTP 5xx and 429 answers may pass, as may the network's
/// own failures; any other answer will not.
pub fn call_transience(error: &anyhow::Error) -> Transience {
    match error.downcast_ref::<ServiceError>() {
        Some(e) if e.status >= 500 || e.status == 429 => Transience::Answered,
        Some(_) => Transience::Permanent,
        None => network_transience(error),
    }
}

/// [`get_caller_identity`] with transient failures retried; each attempt is signed anew, at the
/// time `now` gives and with a fresh nonce.
pub async fn get_caller_identity_retried(
    http: &Http,
    endpoint: &Url,
    credentials: &Credentials,
    signature: SignatureVersion,
    now: impl Fn() -> i64,
) -> Result<Value> {
    let what = "the GetCallerIdentity call";
    with_retries(what, Retry::Transient, call_transience, || {
        let (at, nonce) = (now(), new_nonce());
        async move { get_caller_identity(http, endpoint, credentials, signature, at, &nonce).await }
    })
    .await
}

/// A fresh `SignatureNonce`: 128 random bits in hex.
pub fn new_nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}
