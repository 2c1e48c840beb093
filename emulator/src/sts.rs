//! The STS API (`/`): verifies v1 and ACS3 signatures, the security token and expiry, then answers
//! `GetCallerIdentity` and `AssumeRole`. `AssumeRoleWithOIDC` is the one unsigned action: the OIDC
//! token is its proof.

// Refusals are ready-made responses; boxing them would only add noise to a test server.
#![allow(clippy::result_large_err)]

use alicli::timefmt::parse_rfc3339;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;
use crate::roles;
use crate::state::{Principal, State as EmulatorState, random_text};
use crate::verify::{Incoming, Verified, verify_v1, verify_v3};

/// An API error in Alibaba's shape.
pub fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"RequestId": random_text(12), "HostId": "sts.aliyuncs.com", "Code": code, "Message": message});
    (status, axum::Json(body)).into_response()
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
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let request = Incoming {
        method: &method,
        uri: &uri,
        headers: &headers,
        query: url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
        form: if is_form {
            url::form_urlencoded::parse(&body).into_owned().collect()
        } else {
            Vec::new()
        },
        body: &body,
    };
    // No signature and no action: a reachability probe (doctor, the sign-in's background check),
    // answered as the real API answers it and counted apart from refused calls.
    if request.header(header::AUTHORIZATION.as_str()).is_empty() && request.action().is_empty() {
        state.counters.unsigned += 1;
        return api_error(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            "Action is mandatory for this action.",
        );
    }
    match answer(&mut state, &request) {
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

fn answer(state: &mut EmulatorState, request: &Incoming<'_>) -> Result<Response, Response> {
    if request.action() == "AssumeRoleWithOIDC" {
        return roles::assume_role_with_oidc(state, &request.params());
    }
    let authorization = request.header(header::AUTHORIZATION.as_str());
    let verified = if authorization.starts_with("ACS3-HMAC-SHA256") {
        state.counters.sts_v3 += 1;
        verify_v3(state, request, &authorization)?
    } else {
        state.counters.sts_v1 += 1;
        verify_v1(state, request)?
    };
    let caller = check_caller(state, &verified)?;
    match verified.action.as_str() {
        "GetCallerIdentity" => Ok(caller_identity(&caller)),
        "AssumeRole" => roles::assume_role(state, &verified.params),
        _ => Err(api_error(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )),
    }
}

/// The checks after the signature: timestamp, nonce, and for STS credentials the token and expiry.
/// Returns who is calling.
fn check_caller(state: &mut EmulatorState, verified: &Verified) -> Result<Principal, Response> {
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
    if verified.access_key_id == state.static_key.0 {
        return Ok(Principal::User {
            account_id: state.settings.account_id.clone(),
            user_name: state.settings.user_name.clone(),
        });
    }
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
    Ok(credentials.principal.clone())
}

/// `GetCallerIdentity`, shaped as STS answers it for a RAM user or a role session.
fn caller_identity(caller: &Principal) -> Response {
    let body = match caller {
        Principal::User {
            account_id,
            user_name,
        } => {
            let user_id = format!("2{:0>15}", account_id.len() * 7 + user_name.len());
            json!({
                "IdentityType": "RAMUser",
                "AccountId": account_id,
                "RequestId": random_text(12),
                "PrincipalId": user_id,
                "UserId": user_id,
                "Arn": format!("acs:ram::{account_id}:user/{user_name}"),
                "RoleId": "",
            })
        }
        Principal::Role {
            account_id,
            role_name,
            session_name,
        } => {
            let role_id = roles::role_id(account_id, role_name);
            json!({
                "IdentityType": "AssumedRoleUser",
                "AccountId": account_id,
                "RequestId": random_text(12),
                "PrincipalId": format!("{role_id}:{session_name}"),
                "UserId": "",
                "Arn": format!("acs:ram::{account_id}:assumed-role/{role_name}/{session_name}"),
                "RoleId": role_id,
            })
        }
    };
    axum::Json(body).into_response()
}
