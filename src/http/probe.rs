//! Reaching an endpoint step by step (DNS, TCP, then TLS and HTTP through the client that
//! requests use) to name the step that fails. `alicli doctor` reports each endpoint this way, and
//! the sign-in runs the same probe in the background while it waits for the browser.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpStream, lookup_host};
use tokio::time::timeout;
use url::{Host, Url};

use super::{Http, is_certificate_error, redact_proxy};
use crate::error::{Hint, NetworkFailure};
use crate::timefmt::parse_http_date;

/// How long each step may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// DNS, and then TCP, each get this long.
    pub step: Duration,
    /// The TLS handshake and the HTTP answer together get this long.
    pub http: Duration,
}

/// What reached the endpoint.
#[derive(Debug, Clone)]
pub struct Reached {
    /// The address TCP connected to (the proxy's, through a proxy).
    pub address: IpAddr,
    /// The HTTP status of the answer (any status: the endpoint answered).
    pub status: u16,
    /// The server's `Date`, unix seconds.
    pub date: Option<i64>,
}

/// Where it stopped.
#[derive(Debug, Clone)]
pub struct Stopped {
    /// The failing step and why, e.g. "DNS: cannot resolve `x`: …".
    pub detail: String,
    /// A fix more precise than "check the network" (an untrusted certificate, a bad proxy URL).
    pub fix: Option<String>,
}

/// One endpoint's probe.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The endpoint.
    pub url: Url,
    /// `direct`, or `via proxy `…`` (credentials masked).
    pub route: String,
    /// The outcome.
    pub result: Result<Reached, Stopped>,
}

impl Probe {
    /// "`https://host/` (direct)": which endpoint, and how it was reached.
    pub fn head(&self) -> String {
        format!("`{}` ({})", self.url, self.route)
    }
}

/// DNS, TCP, then TLS and HTTP through the client requests use. With a proxy, DNS and TCP are the
/// proxy's, since the proxy resolves and connects to the endpoint.
pub async fn probe(http: &Http, url: &Url, limits: Limits) -> Probe {
    let proxy = http.settings().proxies.proxy_for(url);
    let route = match &proxy {
        Some(proxy) => format!("via proxy `{}`", redact_proxy(proxy.as_str())),
        None => "direct".to_owned(),
    };
    let result = steps(http, url, proxy.as_ref().unwrap_or(url), limits).await;
    Probe {
        url: url.clone(),
        route,
        result,
    }
}

fn stopped(detail: String) -> Stopped {
    Stopped { detail, fix: None }
}

async fn steps(http: &Http, url: &Url, hop: &Url, limits: Limits) -> Result<Reached, Stopped> {
    let host = match hop.host() {
        Some(Host::Domain(domain)) => domain.to_owned(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => {
            return Err(Stopped {
                detail: "no host".to_owned(),
                fix: Some("fix the URL".to_owned()),
            });
        }
    };
    let port = hop.port_or_known_default().unwrap_or(443);
    let secs = limits.step.as_secs();
    let addresses: Vec<SocketAddr> =
        match timeout(limits.step, lookup_host((host.as_str(), port))).await {
            Ok(Ok(addresses)) => addresses.collect(),
            Ok(Err(error)) => {
                return Err(stopped(format!("DNS: cannot resolve `{host}`: {error}")));
            }
            Err(_) => {
                return Err(stopped(format!(
                    "DNS: no answer for `{host}` within {secs} s"
                )));
            }
        };
    let mut connected = None;
    let mut last_error = String::from("no address");
    for address in &addresses {
        match timeout(limits.step, TcpStream::connect(address)).await {
            Ok(Ok(_)) => {
                connected = Some(address.ip());
                break;
            }
            Ok(Err(error)) => last_error = error.to_string(),
            Err(_) => last_error = format!("no answer within {secs} s"),
        }
    }
    let Some(address) = connected else {
        return Err(stopped(format!(
            "TCP: cannot connect to {host}:{port}: {last_error}"
        )));
    };
    answer(http, url, address, limits.http).await
}

/// The TLS handshake and an HTTP answer, through the same client (proxy, trust roots) as requests.
async fn answer(
    http: &Http,
    url: &Url,
    address: IpAddr,
    limit: Duration,
) -> Result<Reached, Stopped> {
    let request = http.get(url).map_err(|error| Stopped {
        detail: format!("{error:#}"),
        fix: Some("fix the proxy or CA bundle settings".to_owned()),
    })?;
    let step = if url.scheme() == "https" {
        "TLS/HTTP"
    } else {
        "HTTP"
    };
    match timeout(limit, http.send(request, &format!("GET `{url}`"))).await {
        Ok(Ok(response)) => Ok(Reached {
            address,
            status: response.status().as_u16(),
            date: response
                .headers()
                .get(reqwest::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_http_date),
        }),
        Ok(Err(error)) if is_certificate_error(&error) => Err(Stopped {
            detail: format!(
                "TLS: the server's certificate is not trusted ({})",
                error.root_cause()
            ),
            fix: error.downcast_ref::<Hint>().map(|h| h.0.clone()),
        }),
        Ok(Err(error)) => {
            // The causes under "GET … failed": what the connection reported.
            let causes: Vec<String> = error
                .chain()
                .skip_while(|cause| cause.downcast_ref::<NetworkFailure>().is_none())
                .skip(1)
                .map(|cause| cause.to_string())
                .collect();
            Err(stopped(format!("{step}: {}", causes.join(": "))))
        }
        Err(_) => Err(stopped(format!(
            "HTTP: no answer within {} s",
            limit.as_secs()
        ))),
    }
}
