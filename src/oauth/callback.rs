//! The loopback listener that catches the browser's redirect (docs/protocol.md §2,
//! RFC 6749 §4.1.2).
//!
//! It is bound to 127.0.0.1 before the URL is shown, answers one route, and hands the first valid
//! result to the waiting command through a channel. Requests with a wrong `state`, stray paths and
//! the browser's extra requests are answered and otherwise ignored, so they never end the login.
//! It is served by [`crate::loopback::server`], which answers only its own `Host` and bounds what
//! hostile local traffic can do.

use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

use anyhow::Result;
use axum::Router;
use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::authorize::CALLBACK_PATH;
use crate::error::with_hint;
use crate::loopback::server::{Limits, bind, serve};
use crate::secret::Secret;
use crate::secret::constant_time_eq;

/// The ports the official CLI tries, in order; the real server may accept no others.
pub const DEFAULT_PORTS: std::ops::RangeInclusive<u16> = 12345..=12349;

/// What a valid callback carried.
#[derive(Debug)]
pub enum CallbackResult {
    /// The authorization code.
    Code(Secret),
    /// The server refused or the user denied (`error=` with the right `state`).
    Refused {
        /// The OAuth error code, e.g. `access_denied`.
        error: String,
        /// The server's explanation, when it gave one.
        description: Option<String>,
    },
}

/// Why a callback was not accepted; the login keeps waiting.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// No `state` parameter.
    #[error("the redirect carries no `state`")]
    MissingState,
    /// A `state` from another login (or an attacker).
    #[error("the redirect's `state` does not match this sign-in")]
    WrongState,
    /// The right `state` but neither `code` nor `error`.
    #[error("the redirect carries neither `code` nor `error`")]
    NoCode,
}

/// Checks a callback query: `state` first, before the code goes anywhere.
pub fn parse_callback_query(
    query: &str,
    expected_state: &str,
) -> Result<CallbackResult, Rejection> {
    let (mut code, mut state, mut error, mut description) = (None, None, None, None);
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match key.as_ref() {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        slot.get_or_insert(value.into_owned());
    }
    let state = state.ok_or(Rejection::MissingState)?;
    if !constant_time_eq(&state, expected_state) {
        return Err(Rejection::WrongState);
    }
    match (error, code) {
        (Some(error), _) => Ok(CallbackResult::Refused { error, description }),
        (None, Some(code)) if !code.is_empty() => Ok(CallbackResult::Code(Secret::new(code))),
        _ => Err(Rejection::NoCode),
    }
}

#[derive(Clone)]
struct CallbackState {
    expected_state: Arc<Secret>,
    sender: mpsc::Sender<CallbackResult>,
}

/// The router: `GET /cli/callback` and a 404 for everything else.
pub fn callback_router(expected_state: Secret, sender: mpsc::Sender<CallbackResult>) -> Router {
    let state = CallbackState {
        expected_state: Arc::new(expected_state),
        sender,
    };
    Router::new()
        .route(CALLBACK_PATH, get(handle_callback))
        .fallback(|| async { page(StatusCode::NOT_FOUND, "Not found.") })
        .with_state(state)
        .layer(middleware::from_fn(log_request))
}

/// One debug line per request: method, path and status. Never the query: it holds the code.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::debug!(%method, ?path, status = response.status().as_u16(), "callback request");
    response
}

async fn handle_callback(
    State(state): State<CallbackState>,
    RawQuery(query): RawQuery,
) -> Response {
    match parse_callback_query(
        query.as_deref().unwrap_or(""),
        state.expected_state.expose(),
    ) {
        Err(rejection) => page(
            StatusCode::BAD_REQUEST,
            &format!("This sign-in link is not the one alicli is waiting for: {rejection}."),
        ),
        Ok(result) => {
            let refused = matches!(result, CallbackResult::Refused { .. });
            // Only the first result counts; later ones find the channel full and change nothing.
            let _ = state.sender.try_send(result);
            if refused {
                page(
                    StatusCode::OK,
                    "Sign-in was not completed. Return to the terminal for details.",
                )
            } else {
                page(
                    StatusCode::OK,
                    "Signed in. You can close this tab and return to the terminal.",
                )
            }
        }
    }
}

fn page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>alicli</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><p>{message}</p></body></html>"
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        ),
        (header::CONNECTION, "close"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Binds 127.0.0.1: the given port (0 for any), or the first free one of 12345–12349. Needs the
/// tokio runtime.
pub fn bind_listener(port: Option<u16>) -> Result<TcpListener> {
    if let Some(port) = port {
        return bind(port).map_err(|e| {
            with_hint(
                anyhow::Error::new(e)
                    .context(format!("cannot listen on 127.0.0.1:{port} for the sign-in callback")),
                "pick another port with `--callback-port PORT`, or `--callback-port 0` for any free port",
            )
        });
    }
    DEFAULT_PORTS.clone().find_map(|port| bind(port).ok()).ok_or_else(|| {
        with_hint(
            anyhow::anyhow!(
                "all sign-in callback ports (12345, 12346, 12347, 12348, 12349 on 127.0.0.1) are in use"
            ),
            "free one of them, or pick another with `--callback-port PORT` (0 for any free port; \
             Alibaba may only accept 12345-12349)",
        )
    })
}

/// A running callback listener.
pub struct CallbackServer {
    receiver: mpsc::Receiver<CallbackResult>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl CallbackServer {
    /// Starts serving on an already bound listener. Must run inside the tokio runtime.
    pub fn start(listener: TcpListener, expected_state: Secret) -> Result<Self> {
        let port = listener.local_addr()?.port();
        let (sender, receiver) = mpsc::channel(1);
        let (shutdown, shutdown_signal) = oneshot::channel::<()>();
        let router = callback_router(expected_state, sender);
        tracing::debug!(port, "callback listener started on 127.0.0.1");
        let task = tokio::spawn(serve(listener, router, Limits::default(), shutdown_signal));
        Ok(Self {
            receiver,
            shutdown: Some(shutdown),
            task,
        })
    }

    /// The first valid callback.
    pub async fn next_result(&mut self) -> Option<CallbackResult> {
        self.receiver.recv().await
    }

    /// Stops listening; a connection that will not close is cut after a second.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

/// A sign-in that ends early (an error, a refusal, Ctrl-C) drops the server: it stops listening
/// at once, so no port stays open past the sign-in.
impl Drop for CallbackServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    fn request(uri: &str, host: &str) -> Request<Body> {
        Request::get(uri)
            .header("host", host)
            .body(Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn wrong_state_is_400_and_the_right_one_delivers_the_code() {
        let (sender, mut receiver) = mpsc::channel(1);
        let router = callback_router(Secret::new("good"), sender);
        let response = router
            .clone()
            .oneshot(request(
                "/cli/callback?code=c1&state=evil",
                "127.0.0.1:12345",
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(receiver.try_recv().is_err());

        let response = router
            .oneshot(request(
                "/cli/callback?code=c2&state=good",
                "127.0.0.1:12345",
            ))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        match receiver.try_recv().unwrap() {
            CallbackResult::Code(code) => assert_eq!(code.expose(), "c2"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn other_paths_are_404() {
        let (sender, _receiver) = mpsc::channel(1);
        let router = callback_router(Secret::new("s"), sender);
        let response = router
            .oneshot(request("/favicon.ico", "127.0.0.1:12345"))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn parse_reports_errors_only_with_the_right_state() {
        let refused = parse_callback_query("error=access_denied&error_description=no&state=s", "s");
        assert!(
            matches!(refused, Ok(CallbackResult::Refused { ref error, .. }) if error == "access_denied")
        );
        assert_eq!(
            parse_callback_query("error=access_denied&state=x", "s").unwrap_err(),
            Rejection::WrongState
        );
        assert_eq!(
            parse_callback_query("code=c", "s").unwrap_err(),
            Rejection::MissingState
        );
        assert_eq!(
            parse_callback_query("state=s", "s").unwrap_err(),
            Rejection::NoCode
        );
        assert!(parse_callback_query("%FF%FE=\u{0}&state=s&code=%FF", "s").is_ok());
    }

    #[tokio::test]
    async fn a_dropped_server_stops_listening() {
        let listener = bind_listener(Some(0)).unwrap();
        let address = listener.local_addr().unwrap();
        let server = CallbackServer::start(listener, Secret::new("s")).unwrap();
        assert!(tokio::net::TcpStream::connect(address).await.is_ok());
        drop(server);
        // The serving task ends at its next turn on the runtime, which a loaded machine can delay;
        // the port must close soon after, not at a fixed number of yields.
        let mut closed = false;
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(address).await.is_err() {
                closed = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(closed, "the port is closed once the server is dropped");
    }
}
