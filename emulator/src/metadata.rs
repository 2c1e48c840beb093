//! The ECS instance metadata service, as far as RAM roles go: a session token
//! (`PUT /latest/api/token`, IMDSv2), the role name, and the role's credentials. With
//! `imds_token_required` (the default, "hardened mode") nothing is answered without the token.

use alicli::timefmt::to_rfc3339;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Shared;
use crate::state::{Issued, Principal, State as EmulatorState, random_text};

/// The header that asks for a token's lifetime, 1 to 21600 seconds.
const TTL_HEADER: &str = "x-aliyun-ecs-metadata-token-ttl-seconds";
/// The header that carries the token.
const TOKEN_HEADER: &str = "x-aliyun-ecs-metadata-token";

/// `PUT /latest/api/token`
pub async fn token(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let mut state = shared.lock().unwrap();
    let ttl = headers
        .get(TTL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let Some(ttl) = ttl.filter(|ttl| (1..=21_600).contains(ttl)) else {
        return (
            StatusCode::BAD_REQUEST,
            "X-aliyun-ecs-metadata-token-ttl-seconds must be 1 to 21600",
        )
            .into_response();
    };
    let token = random_text(56);
    let expires = state.now() + ttl;
    state.metadata_tokens.insert(token.clone(), expires);
    state.secrets_seen.push(token.clone());
    state.counters.metadata_token += 1;
    token.into_response()
}

/// False for a request without a live token when tokens are required.
fn token_ok(state: &EmulatorState, headers: &HeaderMap) -> bool {
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    !state.settings.imds_token_required
        || state
            .metadata_tokens
            .get(token)
            .is_some_and(|&expires| expires > state.now())
}

fn token_required() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        "a valid metadata token is required",
    )
        .into_response()
}

/// `GET /latest/meta-data/ram/security-credentials/`: the instance's role name.
pub async fn role_name(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let state = shared.lock().unwrap();
    if !token_ok(&state, &headers) {
        return token_required();
    }
    state.settings.ecs_role_name.clone().into_response()
}

/// `GET /latest/meta-data/ram/security-credentials/{role}`: the role's STS credentials.
pub async fn credentials(
    State(shared): State<Shared>,
    Path(role): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut state = shared.lock().unwrap();
    if !token_ok(&state, &headers) {
        return token_required();
    }
    if role != state.settings.ecs_role_name {
        return (StatusCode::NOT_FOUND, "no such role on this instance").into_response();
    }
    let now = state.now();
    let principal = Principal::Role {
        account_id: state.settings.account_id.clone(),
        role_name: role,
        session_name: "ecs-instance".into(),
    };
    let lifetime = state.settings.sts_lifetime;
    let Issued {
        id,
        secret,
        token,
        expires_at,
    } = state.issue_sts(principal, now, lifetime);
    state.counters.metadata_credentials += 1;
    axum::Json(json!({
        "AccessKeyId": id,
        "AccessKeySecret": secret,
        "Expiration": to_rfc3339(expires_at),
        "SecurityToken": token,
        "LastUpdated": to_rfc3339(now),
        "Code": "Success",
    }))
    .into_response()
}
