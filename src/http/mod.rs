//! The HTTP clients: no redirects (a token request must never be replayed elsewhere), bounded
//! time, proxies from the environment with loopback always direct, the bundled and OS trust roots
//! plus `--ca-bundle`, and a debug log line per request that never carries a secret.

mod client;
pub mod probe;
mod proxy;
pub mod retry;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use anyhow::Result;
use reqwest::{Client, RequestBuilder, Response};
use url::Url;

use client::{Trust, build_client, certificate_refused, explain_failure};
pub use client::{is_certificate_error, load_ca_bundle};
pub use proxy::{ProxySettings, redact as redact_proxy};

use crate::error::{NetworkFailure, printable};
use crate::timefmt::parse_http_date;

/// Network settings from the command line and the environment.
#[derive(Debug, Default, Clone)]
pub struct NetSettings {
    /// The proxy variables.
    pub proxies: ProxySettings,
    /// `--ca-bundle` or `ALIBABA_CLOUD_CA_BUNDLE`: extra CAs, e.g. a TLS-inspecting proxy's.
    pub ca_bundle: Option<PathBuf>,
}

/// The HTTP clients of one command. Building one does no I/O; each client is set up on the first
/// request that needs it:
/// - plain HTTP (loopback only, see `endpoints::require_secure`): no trust roots at all;
/// - HTTPS: the bundled webpki roots plus `--ca-bundle`;
/// - HTTPS once those did not verify a server: the OS trust store too. Loading the OS store costs
///   about 4 ms, so the common case (Alibaba's public certificates) never pays it, and a
///   TLS-inspecting proxy whose CA is in the OS store costs one extra handshake per command.
pub struct Http {
    net: NetSettings,
    plain: OnceLock<Client>,
    bundled: OnceLock<Client>,
    with_os: OnceLock<Client>,
    use_os_roots: AtomicBool,
    server_date: Mutex<Option<i64>>,
}

impl Http {
    /// Clients for these settings. Nothing is checked or loaded until the first request.
    pub fn new(net: NetSettings) -> Self {
        Self {
            net,
            plain: OnceLock::new(),
            bundled: OnceLock::new(),
            with_os: OnceLock::new(),
            use_os_roots: AtomicBool::new(false),
            server_date: Mutex::new(None),
        }
    }

    /// The settings these clients were made with.
    pub fn settings(&self) -> &NetSettings {
        &self.net
    }

    /// The client for `url`.
    pub fn client(&self, url: &Url) -> Result<&Client> {
        let trust = match url.scheme() {
            "https" if self.use_os_roots.load(Ordering::Relaxed) => Trust::WithOs,
            "https" => Trust::Bundled,
            _ => Trust::Plain,
        };
        self.client_with(trust)
    }

    fn client_with(&self, trust: Trust) -> Result<&Client> {
        let cell = match trust {
            Trust::Plain => &self.plain,
            Trust::Bundled => &self.bundled,
            Trust::WithOs => &self.with_os,
        };
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let client = build_client(&self.net, trust)?;
        Ok(cell.get_or_init(|| client))
    }

    /// A POST request to `url`.
    pub fn post(&self, url: &Url) -> Result<RequestBuilder> {
        Ok(self.client(url)?.post(url.clone()))
    }

    /// A PUT request to `url`.
    pub fn put(&self, url: &Url) -> Result<RequestBuilder> {
        Ok(self.client(url)?.put(url.clone()))
    }

    /// A GET request to `url`.
    pub fn get(&self, url: &Url) -> Result<RequestBuilder> {
        Ok(self.client(url)?.get(url.clone()))
    }

    /// The `Date` of the latest response, unix seconds: the server's clock, for skew checks.
    pub fn server_date(&self) -> Option<i64> {
        *self.server_date.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends a request: logs method, URL without secrets, status and time; remembers the server's
    /// `Date`; names `--ca-bundle` when a certificate was not trusted. `what` names the request in
    /// messages (e.g. "the token request to `https://…`").
    pub async fn send(&self, request: RequestBuilder, what: &str) -> Result<Response> {
        self.send_shown(request, what, redact_url).await
    }

    /// [`Http::send`] for a URL whose path is a secret too (a credentials URI, where an
    /// unguessable path is the only key): the log shows its origin alone.
    pub async fn send_secret_path(&self, request: RequestBuilder, what: &str) -> Result<Response> {
        self.send_shown(request, what, origin_only).await
    }

    async fn send_shown(
        &self,
        request: RequestBuilder,
        what: &str,
        show: fn(&Url) -> String,
    ) -> Result<Response> {
        let (client, request) = request.build_split();
        let request = request
            .map_err(|e| anyhow::Error::new(e.without_url()).context(format!("{what} failed")))?;
        let method = request.method().clone();
        let url = show(request.url());
        let route = self.route(request.url());
        let started = Instant::now();
        // A certificate is refused during the handshake, before any byte of the request is sent,
        // so sending it again with more trust roots is safe.
        let retry = (request.url().scheme() == "https"
            && !self.use_os_roots.load(Ordering::Relaxed))
        .then(|| request.try_clone())
        .flatten();
        let result = match (client.execute(request).await, retry) {
            (Err(error), Some(retry)) if certificate_refused(&error) => {
                tracing::debug!(
                    %url,
                    "the bundled roots did not verify the server; trying the OS trust store too"
                );
                self.use_os_roots.store(true, Ordering::Relaxed);
                self.client_with(Trust::WithOs)?.execute(retry).await
            }
            (result, _) => result,
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match result {
            Ok(response) => {
                tracing::debug!(
                    %method, %url, status = response.status().as_u16(), elapsed_ms, %route,
                    "http request"
                );
                let date = response
                    .headers()
                    .get(reqwest::header::DATE)
                    .and_then(|value| value.to_str().ok())
                    .and_then(parse_http_date);
                if date.is_some() {
                    *self.server_date.lock().unwrap_or_else(|e| e.into_inner()) = date;
                }
                Ok(response)
            }
            Err(error) => {
                let error = explain_failure(error.without_url(), what, &route, &self.net);
                tracing::debug!(%method, %url, elapsed_ms, %route, error = %format!("{error:#}"), "http request failed");
                Err(error)
            }
        }
    }

    /// How a request to `url` goes: `direct`, or `via proxy `…`` (credentials masked).
    pub fn route(&self, url: &Url) -> String {
        match self.net.proxies.proxy_for(url) {
            Some(proxy) => format!("via proxy `{}`", redact_proxy(proxy.as_str())),
            None => "direct".to_owned(),
        }
    }
}

/// A URL for logs and messages: no `user:password@`, and every query value replaced by `****`,
/// since query values may be codes or tokens.
pub fn redact_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if url.query().is_some() {
        let keys: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        shown.set_query(None);
        if !keys.is_empty() {
            let mut pairs = shown.query_pairs_mut();
            for key in &keys {
                pairs.append_pair(key, "****");
            }
        }
    }
    shown.to_string()
}

/// A URL reduced to its origin, `http://127.0.0.1:8080/…`, for one whose path or query is secret.
pub fn origin_only(url: &Url) -> String {
    let rest = if url.path() == "/" && url.query().is_none() {
        "/"
    } else {
        "/…"
    };
    format!("{}{rest}", url.origin().ascii_serialization())
}

/// An OAuth-style error answer: `error`, `error_description`, `requestId` (docs/protocol.md §2–3).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ServerError {
    /// The HTTP status.
    pub status: u16,
    /// The `error` code, e.g. `invalid_grant`, or `http_<status>` when the body had none.
    pub error: String,
    /// The server's explanation.
    pub description: Option<String>,
    /// The request id, for support tickets.
    pub request_id: Option<String>,
}

impl ServerError {
    fn describe(&self) -> String {
        let mut text = format!("the server answered HTTP {} `{}`", self.status, self.error);
        if let Some(description) = &self.description {
            text.push_str(&format!(": {description}"));
        }
        if let Some(id) = &self.request_id {
            text.push_str(&format!(" (request id {id})"));
        }
        text
    }

    /// True when the grant (code or refresh token) is no longer accepted: sign in again.
    pub fn is_invalid_grant(&self) -> bool {
        self.error == "invalid_grant"
    }
}

#[derive(serde::Deserialize)]
struct ErrorWire {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(rename = "requestId", alias = "RequestId", alias = "request_id")]
    request_id: Option<String>,
}

/// What went wrong with one request: the server said no, or the exchange itself failed.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The server answered with an error.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// No usable answer (network, redirect, unreadable body).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Sends a request and returns the body of a 2xx answer; an error status becomes [`ServerError`],
/// a redirect an error (credential requests never follow one). `what` names the request.
pub async fn send_for_body(
    http: &Http,
    request: RequestBuilder,
    what: &str,
) -> Result<Vec<u8>, RequestError> {
    let response = http.send(request, what).await?;
    let status = response.status();
    if status.is_redirection() {
        let target = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("?")
            .split('?')
            .next()
            .unwrap_or("?")
            .to_owned();
        return Err(anyhow::anyhow!(
            "{what} was answered with a redirect to `{}`; alicli never follows redirects on \
             credential requests",
            printable(&target, 200)
        )
        .into());
    }
    let route = http.route(response.url());
    // A body cut off mid-way is a network failure like one that never started.
    let body = response.bytes().await.map_err(|e| {
        anyhow::Error::new(NetworkFailure {
            what: what.to_owned(),
            route,
            source: Box::new(e.without_url()),
        })
    })?;
    if !status.is_success() {
        return Err(parse_server_error(status.as_u16(), &body).into());
    }
    Ok(body.to_vec())
}

/// Reads an OAuth-style error body (`error`, `error_description`, `requestId`); any body, JSON or
/// not, gives an error to show. Server text is made printable and short, so a hostile answer cannot
/// drive the terminal.
pub fn parse_server_error(status: u16, body: &[u8]) -> ServerError {
    let wire: Option<ErrorWire> = serde_json::from_slice(body).ok();
    let wire = wire.unwrap_or(ErrorWire {
        error: None,
        error_description: None,
        request_id: None,
    });
    ServerError {
        status,
        error: wire
            .error
            .map(|e| printable(&e, 100))
            .unwrap_or_else(|| format!("http_{status}")),
        description: wire.error_description.map(|d| printable(&d, 500)),
        request_id: wire.request_id.map(|id| printable(&id, 100)),
    }
}

/// Parses a 2xx JSON body; the message names the position only, since the body may hold tokens.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| {
        anyhow::anyhow!(
            "{what} returned a body that is not the expected JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_urls_carry_no_query_values_or_credentials() {
        let url = Url::parse("https://u:p@oauth.example/v1/token?code=abc&state=xyz").unwrap();
        assert_eq!(
            redact_url(&url),
            "https://oauth.example/v1/token?code=****&state=****"
        );
        let url = Url::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(redact_url(&url), "http://127.0.0.1:9/");
        let url = Url::parse("http://u:p@127.0.0.1:9/secret-path?x=1").unwrap();
        assert_eq!(origin_only(&url), "http://127.0.0.1:9/…");
        assert_eq!(
            origin_only(&Url::parse("https://creds.example").unwrap()),
            "https://creds.example/"
        );
    }

    #[test]
    fn server_errors_are_read_from_any_body_and_made_printable() {
        let error = parse_server_error(
            400,
            br#"{"error":"invalid_grant","error_description":"bad\u001b[2Jcode","requestId":"r1"}"#,
        );
        assert_eq!(error.error, "invalid_grant");
        assert_eq!(error.description.as_deref(), Some("bad\\u{1b}[2Jcode"));
        assert_eq!(error.request_id.as_deref(), Some("r1"));
        let error = parse_server_error(502, b"<html>bad gateway</html>");
        assert_eq!(error.error, "http_502");
        assert_eq!(printable(&"x".repeat(10), 3), "xxx…");
    }
}
