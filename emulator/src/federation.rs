//! Console federation at `/federation` (docs/protocol.md §10): `GetSigninToken` trades STS
//! credentials (form-encoded, unsigned) for a sign-in token valid 30 s and usable once; `Login`
//! spends it and redirects the browser to the console page.

use std::collections::HashMap;

use alicli::internals::Site;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;
use crate::state::{Principal, SigninToken, random_text};
use crate::sts::api_error;

/// How long a sign-in token lives.
const SIGNIN_TOKEN_LIFETIME: i64 = 30;

/// `POST /federation` with `Action=GetSigninToken`.
pub async fn get_signin_token(
    State(shared): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut state = shared.lock().unwrap();
    let get = |key: &str| form.get(key).map(String::as_str).unwrap_or_default();
    if get("Action") != "GetSigninToken" {
        return api_error(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            "Action must be GetSigninToken.",
        );
    }
    if get("TicketType") != "mini" {
        return api_error(
            StatusCode::BAD_REQUEST,
            "InvalidParameter.TicketType",
            "TicketType must be mini.",
        );
    }
    let now = state.now();
    let refused = || {
        api_error(
            StatusCode::FORBIDDEN,
            "InvalidSecurityToken",
            "The security token is invalid or expired.",
        )
    };
    let Some(credentials) = state.sts.get(get("AccessKeyId")) else {
        return refused();
    };
    if credentials.secret != get("AccessKeySecret")
        || credentials.token != get("SecurityToken")
        || credentials.expires_at <= now
    {
        return refused();
    }
    if state.settings.console_refuses_user_sts
        && matches!(credentials.principal, Principal::User { .. })
    {
        return api_error(
            StatusCode::FORBIDDEN,
            "NoPermission.NotRoleSession",
            "Only the credentials of a role session can sign in to the console.",
        );
    }
    let token = format!("{}=", random_text(60));
    state.secrets_seen.push(token.clone());
    state.signin_tokens.insert(
        token.clone(),
        SigninToken {
            expires_at: now + SIGNIN_TOKEN_LIFETIME,
            used: false,
        },
    );
    state.counters.signin_token += 1;
    axum::Json(json!({"RequestId": random_text(12), "SigninToken": token})).into_response()
}

/// True for an https URL on Alibaba Cloud's own domains, the only destinations Login accepts.
fn official(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| Site::is_console_url(&url))
}

/// `GET /federation?Action=Login&LoginUrl=…&Destination=…&SigninToken=…`
pub async fn login(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut state = shared.lock().unwrap();
    let get = |key: &str| query.get(key).map(String::as_str).unwrap_or_default();
    if get("Action") != "Login" || get("LoginUrl").is_empty() || !official(get("Destination")) {
        return (
            StatusCode::BAD_REQUEST,
            "Login needs LoginUrl and an Alibaba Cloud Destination",
        )
            .into_response();
    }
    let now = state.now();
    let Some(token) = state.signin_tokens.get_mut(get("SigninToken")) else {
        return (StatusCode::FORBIDDEN, "unknown sign-in token").into_response();
    };
    if token.used || token.expires_at <= now {
        return (
            StatusCode::FORBIDDEN,
            "the sign-in token was used or expired",
        )
            .into_response();
    }
    token.used = true;
    state.counters.console_login += 1;
    // 302 Found, as the federation endpoint answers (Alibaba's Login reference).
    (
        StatusCode::FOUND,
        [(header::LOCATION, get("Destination").to_owned())],
    )
        .into_response()
}
