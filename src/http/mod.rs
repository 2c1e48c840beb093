//! The HTTP clients: no redirects (a token request must never be replayed elsewhere), bounded
//! time, proxies from the environment with loopback always direct, the bundled and OS trust roots
//! plus `--ca-bundle`, and a debug log line per request that never carries a secret.

mod answer;
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

pub use answer::{
    RequestError, ServerError, parse_json, parse_server_error, read_body, send_for_body,
};
use client::{Trust, build_client, certificate_refused, explain_failure};
pub use client::{is_certificate_error, load_ca_bundle};
pub use proxy::{ProxySettings, redact as redact_proxy};

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
}
