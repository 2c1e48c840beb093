//! The OAuth endpoints: authorize (auto-approves), token (code and refresh grants), exchange.
//! Strict where the real service is: PKCE checked, codes single-use, `redirect_uri` matched
//! byte for byte, refresh tokens rotated with reuse treated as theft.

use std::collections::HashMap;
use std::time::Duration;

use alicli::timefmt::to_rfc3339;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Shared;
use crate::state::{Grant, Issued, PendingCode, Principal, random_text};

const CLIENT_IDS: [&str; 2] = ["4038181954557748008", "4103531455503354461"];

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body =
        json!({"error": error, "error_description": description, "requestId": random_text(12)});
    (status, axum::Json(body)).into_response()
}

fn redirect_port_ok(redirect_uri: &str, strict: bool) -> bool {
    let Some(rest) = redirect_uri.strip_prefix("http://127.0.0.1:") else {
        return false;
    };
    let Some(port) = rest.strip_suffix("/cli/callback") else {
        return false;
    };
    match port.parse::<u16>() {
        Ok(port) => !strict || (12345..=12349).contains(&port),
        Err(_) => false,
    }
}

/// `GET /oauth2/v1/auth`: checks the request and redirects back with a code (or a denial).
pub async fn authorize(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut state = shared.lock().unwrap();
    state.counters.authorize += 1;
    let get = |key: &str| query.get(key).cloned().unwrap_or_default();
    let redirect_uri = get("redirect_uri");
    // Per RFC 6749 §4.1.2.1 a bad client or redirect URI is shown to the user, never redirected.
    if !CLIENT_IDS.contains(&get("client_id").as_str()) {
        return (StatusCode::BAD_REQUEST, "unknown client_id").into_response();
    }
    if !redirect_port_ok(&redirect_uri, state.settings.strict_redirect_ports) {
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri not registered for this client",
        )
            .into_response();
    }
    let client_state = get("state");
    let back = |params: &[(&str, &str)]| {
        let mut url = url::Url::parse(&redirect_uri).expect("checked above");
        url.query_pairs_mut()
            .extend_pairs(params)
            .append_pair("state", &client_state);
        Redirect::to(url.as_str()).into_response()
    };
    if get("response_type") != "code" {
        return back(&[("error", "unsupported_response_type")]);
    }
    let challenge = get("code_challenge");
    if get("code_challenge_method") != "S256" || challenge.len() != 43 {
        return back(&[
            ("error", "invalid_request"),
            ("error_description", "PKCE with S256 is required."),
        ]);
    }
    if state.settings.deny {
        return back(&[
            ("error", "access_denied"),
            (
                "error_description",
                "The user denied the authorization request.",
            ),
        ]);
    }
    let code = format!("code-{}", random_text(32));
    state.secrets_seen.push(code.clone());
    let expires_at = state.now() + 600;
    state.codes.insert(
        code.clone(),
        PendingCode {
            client_id: get("client_id"),
            redirect_uri: redirect_uri.clone(),
            challenge,
            expires_at,
        },
    );
    back(&[("code", &code)])
}

/// Counts a token or exchange request as it arrives, then holds it for `delay_ms` (so tests can
/// keep requests in flight without guessing at timing).
async fn arrive(shared: &Shared) {
    let delay = {
        let mut state = shared.lock().unwrap();
        state.counters.oauth_arrived += 1;
        state.settings.delay_ms
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
}

/// `POST /v1/token`
pub async fn token(
    State(shared): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    arrive(&shared).await;
    let mut state = shared.lock().unwrap();
    let get = |key: &str| form.get(key).cloned().unwrap_or_default();
    let now = state.now();
    let grant = match get("grant_type").as_str() {
        "authorization_code" => {
            state.counters.token_code += 1;
            let Some(pending) = state.codes.remove(&get("code")) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The authorization code is invalid or was already used.",
                );
            };
            if pending.expires_at < now || pending.client_id != get("client_id") {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The authorization code is expired or was issued to another client.",
                );
            }
            if pending.redirect_uri != get("redirect_uri") {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "redirect_uri does not match the authorization request.",
                );
            }
            let verifier = get("code_verifier");
            state.secrets_seen.push(verifier.clone());
            let valid_verifier = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()));
            if !valid_verifier || computed != pending.challenge {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "PKCE verification failed.",
                );
            }
            let grant = Grant {
                account_id: state.settings.account_id.clone(),
                user_name: state.settings.user_name.clone(),
                current_refresh: String::new(),
                refresh_expires_at: now + state.settings.refresh_token_lifetime,
                revoked: false,
            };
            state.grants.push(grant);
            let index = state.grants.len() - 1;
            state.issue_refresh_token(index);
            index
        }
        "refresh_token" => {
            state.counters.token_refresh += 1;
            let presented = get("refresh_token");
            let Some(&index) = state.refresh_tokens.get(&presented) else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is invalid.",
                );
            };
            if !CLIENT_IDS.contains(&get("client_id").as_str()) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_client",
                    "Unknown client_id.",
                );
            }
            let revoke_on_reuse = state.settings.revoke_on_reuse;
            let grant = &mut state.grants[index];
            if grant.revoked {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The grant was revoked.",
                );
            }
            if grant.current_refresh != presented {
                // A retired refresh token came back: someone else holds a copy. Revoke everything
                // (theft detection), unless this emulator was told to only refuse it.
                grant.revoked = revoke_on_reuse;
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    if revoke_on_reuse {
                        "Refresh token reuse detected; the grant was revoked."
                    } else {
                        "The refresh token was already used."
                    },
                );
            }
            if grant.refresh_expires_at < now {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The refresh token is expired.",
                );
            }
            if state.settings.rotate_refresh_tokens {
                state.issue_refresh_token(index);
            }
            index
        }
        other => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant_type `{other}` is not supported."),
            );
        }
    };
    let access_token = state.issue_access_token(grant, now);
    let refresh_token = state.grants[grant].current_refresh.clone();
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": state.settings.access_token_lifetime,
        "refresh_expires_in": state.grants[grant].refresh_expires_at - now,
    });
    let omit = state.settings.no_refresh_token
        || (state.settings.omit_refresh_token && get("grant_type") == "refresh_token");
    if !omit {
        body["refresh_token"] = refresh_token.into();
    }
    axum::Json(body).into_response()
}

/// `POST /v1/revoke` (RFC 7009): ends the grant a refresh or access token belongs to. Unknown
/// tokens get 200 too, as §2.2 requires, so a client cannot probe which tokens exist.
pub async fn revoke(
    State(shared): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut state = shared.lock().unwrap();
    state.counters.revoke += 1;
    let get = |key: &str| form.get(key).cloned().unwrap_or_default();
    if !CLIENT_IDS.contains(&get("client_id").as_str()) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Unknown client_id.",
        );
    }
    let token = get("token");
    if token.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The token parameter is required.",
        );
    }
    if !matches!(
        get("token_type_hint").as_str(),
        "" | "refresh_token" | "access_token"
    ) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_token_type",
            "token_type_hint must be refresh_token or access_token.",
        );
    }
    state.secrets_seen.push(token.clone());
    let grant = state
        .refresh_tokens
        .get(&token)
        .copied()
        .or_else(|| state.access_tokens.get(&token).map(|&(grant, _)| grant));
    if let Some(grant) = grant
        && !state.grants[grant].revoked
    {
        state.grants[grant].revoked = true;
        state.counters.revoked_grants += 1;
    }
    StatusCode::OK.into_response()
}

/// True when the request declares a JSON body (`application/json`, parameters allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// `POST /v1/exchange`: a valid bearer access token buys STS credentials.
pub async fn exchange(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    arrive(&shared).await;
    let mut state = shared.lock().unwrap();
    state.counters.exchange += 1;
    let now = state.now();
    // Every official client declares a JSON body (empty as it is); a gateway may insist on it.
    if !is_json(&headers) {
        return oauth_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "Content-Type must be application/json.",
        );
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let Some(&(grant, expires)) = state.access_tokens.get(token) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is invalid.",
        );
    };
    if expires <= now {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "expired_token",
            "The access token is expired.",
        );
    }
    if state.grants[grant].revoked {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The grant was revoked.",
        );
    }
    let principal = Principal::User {
        account_id: state.grants[grant].account_id.clone(),
        user_name: state.grants[grant].user_name.clone(),
    };
    let lifetime = state.settings.sts_lifetime;
    let Issued {
        id,
        secret,
        token: security_token,
        expires_at,
    } = state.issue_sts(principal, now, lifetime);
    let expiration = to_rfc3339(expires_at);
    // camelCase as documented, and PascalCase too, which Alibaba's Python SDK reads.
    axum::Json(json!({
        "requestId": random_text(12),
        "accessKeyId": id, "accessKeySecret": secret, "securityToken": security_token, "expiration": expiration,
        "AccessKeyId": id, "AccessKeySecret": secret, "SecurityToken": security_token, "Expiration": expiration,
    }))
    .into_response()
}
