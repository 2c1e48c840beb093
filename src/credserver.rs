//! The loopback credentials endpoint of `alicli exec --server`: the SDKs' `CredentialsURI`
//! (docs/protocol.md §7) on 127.0.0.1, one unguessable path, GET only. What to serve comes from a
//! fetch function, so the router is tested without sockets or profiles.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;

use crate::cloud::credentials::Credentials;
use crate::export::credentials_uri_document;
use crate::secret::constant_time_eq;
use crate::session::state::keeps;

/// Gets the credentials to serve; the error text is shown to the requesting SDK.
pub type Fetch = Arc<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<Credentials, String>> + Send>> + Send + Sync,
>;

#[derive(Clone)]
struct Shared {
    path: Arc<str>,
    fetch: Fetch,
}

/// A fresh path segment: 256 random bits, so only the child (who was told the URI) can ask.
pub fn random_path() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "/{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The router: `GET {path}` serves credentials; anything else is 404 (405 for other methods on
/// the path), so a wrong guess learns nothing.
pub fn router(path: String, fetch: Fetch) -> Router {
    let shared = Shared {
        path: path.into(),
        fetch,
    };
    Router::new().fallback(serve).with_state(shared)
}

async fn serve(State(shared): State<Shared>, request: Request) -> Response {
    // Constant-time, so response timing does not leak how much of a guessed path was right.
    if !constant_time_eq(request.uri().path(), &shared.path) {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    if request.method() != Method::GET {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET")],
            "use GET\n",
        )
            .into_response();
    }
    match (shared.fetch)().await {
        Ok(credentials) => (
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(credentials_uri_document(&credentials)),
        )
            .into_response(),
        Err(message) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"Code": "CredentialsUnavailable", "Message": message})),
        )
            .into_response(),
    }
}

/// True when credentials obtained at `obtained_at` may still be served at `now`: they keep at
/// least `min_ttl` seconds, or half their lifetime when that is shorter (so short-lived
/// credentials are not renewed on every request).
pub fn fresh_enough(expiration: i64, obtained_at: i64, now: i64, min_ttl: i64) -> bool {
    let margin = min_ttl.min(expiration.saturating_sub(obtained_at) / 2);
    keeps(expiration, now, margin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;
    use axum::body::{Body, to_bytes};
    use tower::ServiceExt;

    fn fetch_ok() -> Fetch {
        Arc::new(|| {
            Box::pin(async {
                Ok(Credentials {
                    access_key_id: "STS.a".into(),
                    access_key_secret: Secret::new("s"),
                    security_token: Some(Secret::new("t")),
                    expiration: Some(1_795_341_600),
                })
            })
        })
    }

    async fn get(router: Router, method: Method, path: &str) -> (StatusCode, String) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn serves_the_sdk_json_on_the_secret_path_only() {
        let path = random_path();
        assert_eq!(path.len(), 44);
        let app = router(path.clone(), fetch_ok());
        let (status, body) = get(app.clone(), Method::GET, &path).await;
        assert_eq!(status, StatusCode::OK);
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["Code"], "Success");
        assert_eq!(doc["SecurityToken"], "t");
        assert_eq!(doc["Expiration"], "2026-11-22T10:00:00Z");
        let (status, body) = get(app.clone(), Method::GET, "/").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.contains("STS.a"));
        let (status, _) = get(app.clone(), Method::GET, &path[..path.len() - 1]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = get(app, Method::POST, &path).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn a_failed_renewal_is_an_error_the_sdk_reports() {
        let fetch: Fetch = Arc::new(|| Box::pin(async { Err("sign in again".to_owned()) }));
        let (status, body) = get(router("/p".into(), fetch), Method::GET, "/p").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("sign in again"));
    }

    #[test]
    fn freshness_keeps_fifteen_minutes_or_half_the_lifetime() {
        // One-hour credentials: served down to 15 minutes left.
        assert!(fresh_enough(3600, 0, 3600 - 900, 900));
        assert!(!fresh_enough(3600, 0, 3600 - 899, 900));
        // Five-second credentials: served down to half their lifetime.
        assert!(fresh_enough(1005, 1000, 1003, 900));
        assert!(!fresh_enough(1005, 1000, 1004, 900));
        assert!(!fresh_enough(1001, 1000, 1001, 900), "never expired ones");
    }
}
