//! Reading a server's answer: the body of a 2xx (never a redirect), at most 1 MiB of it, and an
//! error answer as a [`ServerError`] whose text is safe to show.

use anyhow::Result;
use reqwest::{RequestBuilder, Response};

use super::Http;
use crate::error::NetworkFailure;
use crate::term::printable;

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
    let body = read_body(http, response, what).await?;
    if !status.is_success() {
        return Err(parse_server_error(status.as_u16(), &body).into());
    }
    Ok(body)
}

/// The largest answer read from a server. Alibaba's answers are a few hundred bytes; a hostile or
/// broken server must not be able to fill memory.
const MAX_BODY: usize = 1024 * 1024;

/// Reads a response body of at most [`MAX_BODY`] bytes; a longer one is an error.
pub async fn read_body(http: &Http, mut response: Response, what: &str) -> Result<Vec<u8>> {
    let route = http.route(response.url());
    let too_long = || anyhow::anyhow!("{what} failed: the answer is longer than 1 MiB");
    if response
        .content_length()
        .is_some_and(|len| len > MAX_BODY as u64)
    {
        return Err(too_long());
    }
    let mut body = Vec::new();
    // A body cut off mid-way is a network failure like one that never started.
    let cut_off = |e: reqwest::Error| {
        anyhow::Error::new(NetworkFailure {
            what: what.to_owned(),
            route: route.clone(),
            source: Box::new(e.without_url()),
        })
    };
    while let Some(chunk) = response.chunk().await.map_err(cut_off)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_long());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
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
    use crate::http::NetSettings;
    use url::Url;

    /// A server on 127.0.0.1 that answers every request with `head` and then `chunk` forever.
    async fn endless_server(head: &'static str, chunk: &'static [u8]) -> Url {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut request = [0u8; 4096];
                    let _ = stream.read(&mut request).await;
                    let _ = stream.write_all(head.as_bytes()).await;
                    while stream.write_all(chunk).await.is_ok() {}
                });
            }
        });
        url
    }

    #[tokio::test]
    async fn an_endless_answer_is_cut_off() {
        let http = Http::new(NetSettings::default());
        // No length: the body runs until the server closes, which it never does.
        let undeclared = endless_server(
            "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
            &[b'0'; 4096],
        )
        .await;
        let error = send_for_body(&http, http.get(&undeclared).unwrap(), "the test request")
            .await
            .unwrap_err();
        assert!(error.to_string().contains("longer than 1 MiB"), "{error:#}");
        let declared = endless_server(
            "HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\n",
            b"0",
        )
        .await;
        let error = send_for_body(&http, http.get(&declared).unwrap(), "the test request")
            .await
            .unwrap_err();
        assert!(error.to_string().contains("longer than 1 MiB"), "{error:#}");
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
    }
}
