//! Faults on demand, for the tests of what alicli keeps when the service misbehaves:
//! `POST /__emulator/fail {"path": "/v1/exchange", "status": 503, "times": 2}` answers the next
//! two requests to that path with HTTP 503 (counted in `injected`, never reaching the handler),
//! and `POST /__emulator/revoke {"token": "…"}` revokes the one grant a refresh or access token
//! belongs to (`{}` revokes every grant).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Shared;
use crate::state::random_text;

/// A status to answer on a path, a number of times.
#[derive(Debug, Clone, Deserialize)]
pub struct Fault {
    /// The request path, e.g. `/v1/token` or `/` (the STS API).
    pub path: String,
    /// The HTTP status to answer with.
    pub status: u16,
    /// How many requests get it.
    pub times: u32,
}

/// `POST /__emulator/fail`: adds a fault; the earliest added for a path is used up first.
pub async fn add(State(shared): State<Shared>, Json(fault): Json<Fault>) -> Json<Value> {
    let mut state = shared.lock().unwrap();
    state.faults.push(fault);
    Json(json!({"faults": state.faults.len()}))
}

/// Answers a request with its path's fault while one is left; otherwise passes it on.
pub async fn inject(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let status = {
        let mut state = shared.lock().unwrap();
        let path = request.uri().path().to_owned();
        let fault = state
            .faults
            .iter_mut()
            .find(|fault| fault.path == path && fault.times > 0);
        let status = fault.map(|fault| {
            fault.times -= 1;
            fault.status
        });
        if status.is_some() {
            state.counters.injected += 1;
        }
        status
    };
    let Some(status) = status else {
        return next.run(request).await;
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let body = if request.uri().path() == "/" {
        json!({"Code": "ServiceUnavailable", "Message": "Injected by the emulator.",
               "RequestId": random_text(12)})
    } else {
        json!({"error": "temporarily_unavailable", "error_description": "Injected by the emulator.",
               "requestId": random_text(12)})
    };
    (status, Json(body)).into_response()
}

/// What `POST /__emulator/revoke` takes.
#[derive(Debug, Default, Deserialize)]
pub struct Revoke {
    /// A refresh or access token of the grant to revoke; none revokes every grant.
    pub token: Option<String>,
}

/// `POST /__emulator/revoke`: refreshes of the revoked grants fail with `invalid_grant`, and their
/// access tokens are refused by the exchange.
pub async fn revoke(State(shared): State<Shared>, body: Option<Json<Revoke>>) -> Json<Value> {
    let mut state = shared.lock().unwrap();
    let token = body.and_then(|Json(revoke)| revoke.token);
    let chosen = token.map(|token| {
        state
            .refresh_tokens
            .get(&token)
            .copied()
            .or_else(|| state.access_tokens.get(&token).map(|&(grant, _)| grant))
    });
    let mut revoked = 0;
    for (index, grant) in state.grants.iter_mut().enumerate() {
        if chosen.is_none_or(|chosen| chosen == Some(index)) {
            grant.revoked = true;
            revoked += 1;
        }
    }
    Json(json!({"revoked": revoked}))
}
