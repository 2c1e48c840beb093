//! The one HTTP client: no redirects (a token request must never be replayed elsewhere), bounded
//! time, proxies from the environment, and loopback always direct.

use std::time::Duration;

use anyhow::{Context, Result};
use reqwest::{Client, NoProxy, Proxy, redirect};

/// Proxy settings read from the environment by the command layer.
#[derive(Debug, Default, Clone)]
pub struct ProxySettings {
    /// `HTTPS_PROXY` / `https_proxy`.
    pub https: Option<String>,
    /// `HTTP_PROXY` / `http_proxy`.
    pub http: Option<String>,
    /// `NO_PROXY` / `no_proxy`.
    pub no_proxy: Option<String>,
}

impl ProxySettings {
    /// Reads the conventional variables, upper case first.
    pub fn from_env() -> Self {
        let var = |upper: &str, lower: &str| {
            std::env::var(upper)
                .ok()
                .or_else(|| std::env::var(lower).ok())
                .filter(|value| !value.trim().is_empty())
        };
        Self {
            https: var("HTTPS_PROXY", "https_proxy"),
            http: var("HTTP_PROXY", "http_proxy"),
            no_proxy: var("NO_PROXY", "no_proxy"),
        }
    }

    /// NO_PROXY plus loopback, which must never go through a proxy.
    fn bypass(&self) -> Option<NoProxy> {
        let user = self.no_proxy.as_deref().unwrap_or("");
        NoProxy::from_string(&format!("{user},127.0.0.0/8,::1,localhost"))
    }
}

/// Builds the client used for every request.
pub fn client(proxies: &ProxySettings) -> Result<Client> {
    let mut builder = Client::builder()
        .user_agent(concat!("alicli/", env!("CARGO_PKG_VERSION")))
        .redirect(redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .no_proxy();
    if let Some(url) = &proxies.https {
        let proxy = Proxy::https(url).with_context(|| format!("invalid HTTPS_PROXY `{url}`"))?;
        builder = builder.proxy(proxy.no_proxy(proxies.bypass()));
    }
    if let Some(url) = &proxies.http {
        let proxy = Proxy::http(url).with_context(|| format!("invalid HTTP_PROXY `{url}`"))?;
        builder = builder.proxy(proxy.no_proxy(proxies.bypass()));
    }
    builder.build().context("failed to set up the HTTP client")
}

/// An OAuth-style error answer: `error`, `error_description`, `requestId` (PROTOCOL.md §2–3).
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

/// Sends a request and reads a 2xx JSON body into `T`; an error status becomes [`ServerError`].
/// `what` names the request for messages (e.g. "token request to `https://…`").
pub async fn send_json<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    what: &str,
) -> Result<T, RequestError> {
    let body = send(request, what).await?;
    serde_json::from_slice(&body).map_err(|e| {
        // The message names the position only: the body may hold tokens.
        anyhow::anyhow!(
            "{what} returned a body that is not the expected JSON (line {}, column {})",
            e.line(),
            e.column()
        )
        .into()
    })
}

/// Sends a request whose 2xx answer carries nothing we read (RFC 7009 revocation); an error
/// status becomes [`ServerError`].
pub async fn send_expecting_success(
    request: reqwest::RequestBuilder,
    what: &str,
) -> Result<(), RequestError> {
    send(request, what).await.map(drop)
}

/// Sends a request and returns the body of a 2xx answer.
async fn send(request: reqwest::RequestBuilder, what: &str) -> Result<Vec<u8>, RequestError> {
    let response = request
        .send()
        .await
        .map_err(|e| anyhow::Error::new(e.without_url()).context(format!("{what} failed")))?;
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
            "{what} was answered with a redirect to `{target}`; alicli never follows redirects on \
             credential requests"
        )
        .into());
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| anyhow::Error::new(e.without_url()).context(format!("{what} failed")))?;
    if !status.is_success() {
        let wire: Option<ErrorWire> = serde_json::from_slice(&body).ok();
        let wire = wire.unwrap_or(ErrorWire {
            error: None,
            error_description: None,
            request_id: None,
        });
        return Err(ServerError {
            status: status.as_u16(),
            error: wire
                .error
                .unwrap_or_else(|| format!("http_{}", status.as_u16())),
            description: wire.error_description,
            request_id: wire.request_id,
        }
        .into());
    }
    Ok(body.to_vec())
}
