//! A minimal HTTP/1.0 client for loopback servers: the emulator's admin routes, and requests
//! whose every header a test chooses.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A minimal HTTP/1.0 client for the emulator's admin routes (loopback only).
pub fn http(method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    http_typed(method, url, body, "application/json")
}

/// [`http`] with a content type.
pub fn http_typed(
    method: &str,
    url: &str,
    body: Option<&str>,
    content_type: &str,
) -> (u16, String) {
    http_with_headers(method, url, &[("Content-Type", content_type)], body)
}

/// A request to a loopback URL with exactly these headers (besides `Host` and
/// `Content-Length`): the status and the body.
pub fn http_with_headers(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let body = body.unwrap_or("");
    let mut request = format!("{method} {path} HTTP/1.0\r\nHost: {host}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
