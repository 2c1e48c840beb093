//! The STS API (`/`): verifies v1 and ACS3 signatures, the security token and expiry, then answers
//! `GetCallerIdentity`.

// Refusals are ready-made responses; boxing them would only add noise to a test server.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use alicli::internals::{
    CanonicalRequest, parse_v3_authorization, sha256_hex, v1_signature, v1_string_to_sign,
    v3_signature,
};
use alicli::timefmt::parse_rfc3339;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;
use crate::state::{State as EmulatorState, random_text};

/// An API error in Alibaba's shape.
fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"RequestId": random_text(12), "HostId": "sts.aliyuncs.com", "Code": code, "Message": message});
    (status, axum::Json(body)).into_response()
}

struct Verified {
    action: String,
    access_key_id: String,
    security_token: Option<String>,
    nonce: String,
    timestamp: String,
}

/// Any method on `/`.
pub async fn api(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut state = shared.lock().unwrap();
    let query_pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let form_pairs: Vec<(String, String)> = if is_form {
        url::form_urlencoded::parse(&body).into_owned().collect()
    } else {
        Vec::new()
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let names_action = query_pairs
        .iter()
        .chain(&form_pairs)
        .any(|(key, _)| key == "Action");
    if authorization.is_empty() && !names_action {
        state.counters.unsigned += 1;
        return api_error(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            "Action is mandatory for this action.",
        );
    }
    let verified = if authorization.starts_with("ACS3-HMAC-SHA256") {
        state.counters.sts_v3 += 1;
        verify_v3(
            &state,
            &method,
            &uri,
            &headers,
            &query_pairs,
            &body,
            &authorization,
        )
    } else {
        state.counters.sts_v1 += 1;
        let params: BTreeMap<String, String> = query_pairs.into_iter().chain(form_pairs).collect();
        verify_v1(&state, &method, &params)
    };
    let verified = match verified {
        Ok(verified) => verified,
        Err(response) => {
            state.counters.sts_refused += 1;
            return response;
        }
    };
    match check_and_answer(&mut state, verified) {
        Ok(response) => {
            state.counters.sts_ok += 1;
            response
        }
        Err(response) => {
            state.counters.sts_refused += 1;
            response
        }
    }
}

fn secret_of(state: &EmulatorState, access_key_id: &str) -> Option<String> {
    if access_key_id == state.static_key.0 {
        return Some(state.static_key.1.clone());
    }
    state.sts.get(access_key_id).map(|c| c.secret.clone())
}

fn verify_v1(
    state: &EmulatorState,
    method: &Method,
    params: &BTreeMap<String, String>,
) -> Result<Verified, Response> {
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
        return Err(api_error(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    };
    let signed = params
        .iter()
        .filter(|(k, _)| k.as_str() != "Signature")
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let expected = v1_signature(&secret, &v1_string_to_sign(method.as_str(), signed));
    if expected != get("Signature") {
        return Err(api_error(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        ));
    }
    Ok(Verified {
        action: get("Action"),
        access_key_id: get("AccessKeyId"),
        security_token: params.get("SecurityToken").cloned(),
        nonce: get("SignatureNonce"),
        timestamp: get("Timestamp"),
    })
}

fn verify_v3(
    state: &EmulatorState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    query: &[(String, String)],
    body: &[u8],
    authorization: &str,
) -> Result<Verified, Response> {
    let bad = |code: &str, message: &str| api_error(StatusCode::BAD_REQUEST, code, message);
    let Some(parsed) = parse_v3_authorization(authorization) else {
        return Err(bad(
            "InvalidAuthorization",
            "The Authorization header is malformed.",
        ));
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
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
    let payload_hash = sha256_hex(body);
    if header("x-acs-content-sha256") != payload_hash {
        return Err(bad(
            "InvalidContentSha256",
            "x-acs-content-sha256 does not match the body.",
        ));
    }
    let Some(secret) = secret_of(state, &parsed.access_key_id) else {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    };
    let values: Vec<String> = parsed
        .signed_headers
        .iter()
        .map(|name| header(name))
        .collect();
    let canonical = CanonicalRequest {
        method: method.as_str(),
        path: uri.path(),
        query: query
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
        return Err(bad(
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
        ));
    }
    let token = header("x-acs-security-token");
    Ok(Verified {
        action: header("x-acs-action"),
        access_key_id: parsed.access_key_id,
        security_token: (!token.is_empty()).then_some(token),
        nonce: header("x-acs-signature-nonce"),
        timestamp: header("x-acs-date"),
    })
}

fn check_and_answer(state: &mut EmulatorState, verified: Verified) -> Result<Response, Response> {
    let now = state.now();
    let forbidden = |code: &str, message: &str| api_error(StatusCode::FORBIDDEN, code, message);
    match parse_rfc3339(&verified.timestamp) {
        Ok(at) if (at - now).abs() <= 900 => {}
        _ => {
            return Err(api_error(
                StatusCode::BAD_REQUEST,
                "InvalidTimeStamp.Expired",
                "Specified time stamp or date value is expired.",
            ));
        }
    }
    if !state.nonces.insert(verified.nonce.clone()) {
        return Err(api_error(
            StatusCode::BAD_REQUEST,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    let (account_id, user_name) = if verified.access_key_id == state.static_key.0 {
        (
            state.settings.account_id.clone(),
            state.settings.user_name.clone(),
        )
    } else {
        let credentials = &state.sts[&verified.access_key_id];
        if verified.security_token.as_deref() != Some(credentials.token.as_str()) {
            return Err(forbidden(
                "InvalidSecurityToken.MismatchWithAccessKey",
                "Specified SecurityToken mismatch with the AccessKey.",
            ));
        }
        if credentials.expires_at <= now {
            return Err(forbidden(
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            ));
        }
        (
            credentials.account_id.clone(),
            credentials.user_name.clone(),
        )
    };
    if verified.action != "GetCallerIdentity" {
        return Err(api_error(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ));
    }
    let user_id = format!("2{:0>15}", account_id.len() * 7 + user_name.len());
    Ok(axum::Json(json!({
        "IdentityType": "RAMUser",
        "AccountId": account_id,
        "RequestId": random_text(12),
        "PrincipalId": user_id,
        "UserId": user_id,
        "Arn": format!("acs:ram::{account_id}:user/{user_name}"),
        "RoleId": "",
    }))
    .into_response())
}
