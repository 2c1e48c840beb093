//! The network checks: proxy and TLS trust settings, each endpoint step by step (DNS, TCP, TLS,
//! HTTP, through the proxy that applies), and the clock against the servers' `Date`.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpStream, lookup_host};
use tokio::time::timeout;
use url::{Host, Url};

use super::Check;
use super::local::ProfileContext;
use crate::cloud::endpoints::{OAuthEndpoints, sts_endpoint};
use crate::commands::settings::Settings;
use crate::error::Hint;
use crate::http::{Http, is_certificate_error, load_ca_bundle, redact_proxy};
use crate::site::Site;
use crate::skew;
use crate::timefmt::parse_http_date;

/// DNS and TCP each get this long.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// The TLS handshake and the HTTP answer together get this long.
const HTTP_TIMEOUT: Duration = Duration::from_secs(15);

/// The endpoint checks, and the latest `Date` a server sent.
pub struct Probes {
    /// One check per endpoint.
    pub checks: Vec<Check>,
    /// The server's clock, unix seconds, when any endpoint answered with a `Date`.
    pub server_date: Option<i64>,
}

/// The proxy variables (well-formed?) and the TLS trust (does the CA bundle load?).
pub fn proxy_and_bundle_checks(http: &Http) -> Vec<Check> {
    let net = http.settings();
    let proxies = &net.proxies;
    let mut checks = Vec::new();
    let set: Vec<String> = [
        ("HTTPS_PROXY", &proxies.https),
        ("HTTP_PROXY", &proxies.http),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value
            .as_ref()
            .map(|v| format!("{name}=`{}`", redact_proxy(v)))
    })
    .collect();
    checks.push(match proxies.validate() {
        Err(error) => Check::fail(
            "proxy",
            error.to_string(),
            "set it to the proxy's URL, e.g. `HTTPS_PROXY=http://proxy.example:3128`",
        ),
        Ok(()) if set.is_empty() => Check::pass(
            "proxy",
            "none set (HTTPS_PROXY, HTTP_PROXY): connections are direct",
        ),
        Ok(()) => {
            let bypass = proxies
                .no_proxy
                .as_deref()
                .map(|list| format!(", NO_PROXY=`{list}`"))
                .unwrap_or_default();
            Check::pass(
                "proxy",
                format!("{}{bypass}; loopback is always direct", set.join(", ")),
            )
        }
    });
    let roots = "the bundled roots and the OS trust store";
    checks.push(match &net.ca_bundle {
        None => Check::pass("TLS trust", roots),
        Some(path) => match load_ca_bundle(path) {
            Ok(certificates) => Check::pass(
                "TLS trust",
                format!(
                    "{roots}, and {} certificate(s) from `{}`",
                    certificates.len(),
                    path.display()
                ),
            ),
            Err(error) => {
                let fix = error
                    .downcast_ref::<Hint>()
                    .map(|h| h.0.clone())
                    .unwrap_or_default();
                Check::fail("TLS trust", format!("{}", error.root_cause()), fix)
            }
        },
    });
    checks
}

/// Probes the sign-in, OAuth and STS endpoints of the profile's site, at once.
pub async fn endpoint_checks(
    http: &Http,
    settings: &Settings,
    context: Option<&ProfileContext>,
) -> Probes {
    let profile = context.and_then(|c| c.profile.as_ref());
    let site = profile.and_then(|p| p.site().ok()).unwrap_or(Site::Cn);
    let oauth = OAuthEndpoints::for_site(
        site,
        settings.signin_url.as_deref(),
        settings.oauth_url.as_deref(),
    )
    .map_err(|e| e.to_string());
    let sts = sts_endpoint(
        None,
        profile.and_then(|p| p.sts_endpoint.as_deref()),
        settings.sts_endpoint.as_deref(),
        None,
    )
    .map_err(|e| e.to_string());
    let check = |label: &'static str, url: Result<Url, String>| async move {
        match url {
            Ok(url) => probe(http, label, &url).await,
            Err(error) => (
                Check::fail(
                    label,
                    error,
                    "fix ALICLI_SIGNIN_URL / ALICLI_OAUTH_URL / ALIBABA_CLOUD_STS_ENDPOINT",
                ),
                None,
            ),
        }
    };
    // Concurrently: a doctor run on a broken network waits for the slowest probe, not their sum.
    let results = tokio::join!(
        check("sign-in endpoint", oauth.clone().map(|e| e.signin)),
        check("OAuth endpoint", oauth.map(|e| e.oauth)),
        check("STS endpoint", sts),
    );
    let results = [results.0, results.1, results.2];
    let server_date = results.iter().filter_map(|(_, date)| *date).next_back();
    Probes {
        checks: results.into_iter().map(|(check, _)| check).collect(),
        server_date,
    }
}

/// DNS, TCP, then TLS and HTTP through the client requests use. With a proxy, DNS and TCP are the
/// proxy's, since the proxy resolves and connects to the endpoint.
async fn probe(http: &Http, label: &str, url: &Url) -> (Check, Option<i64>) {
    let proxy = http.settings().proxies.proxy_for(url);
    let route = match &proxy {
        Some(proxy) => format!("via proxy `{}`", redact_proxy(proxy.as_str())),
        None => "direct".to_owned(),
    };
    let head = format!("`{url}` ({route})");
    let hop = proxy.as_ref().unwrap_or(url);
    let host = match hop.host() {
        Some(Host::Domain(domain)) => domain.to_owned(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => {
            return (
                Check::fail(label, format!("{head}: no host"), "fix the URL"),
                None,
            );
        }
    };
    let port = hop.port_or_known_default().unwrap_or(443);
    let network_fix = "check the network connection and firewall; behind a proxy, set HTTPS_PROXY";

    let addresses: Vec<SocketAddr> =
        match timeout(STEP_TIMEOUT, lookup_host((host.as_str(), port))).await {
            Ok(Ok(addresses)) => addresses.collect(),
            Ok(Err(error)) => {
                return (
                    Check::fail(
                        label,
                        format!("{head}: DNS: cannot resolve `{host}`: {error}"),
                        network_fix,
                    ),
                    None,
                );
            }
            Err(_) => {
                return (
                    Check::fail(
                        label,
                        format!("{head}: DNS: no answer for `{host}` within 5 s"),
                        network_fix,
                    ),
                    None,
                );
            }
        };
    let mut connected = None;
    let mut last_error = String::from("no address");
    for address in &addresses {
        match timeout(STEP_TIMEOUT, TcpStream::connect(address)).await {
            Ok(Ok(_)) => {
                connected = Some(*address);
                break;
            }
            Ok(Err(error)) => last_error = error.to_string(),
            Err(_) => last_error = "no answer within 5 s".to_owned(),
        }
    }
    let Some(address) = connected else {
        return (
            Check::fail(
                label,
                format!("{head}: TCP: cannot connect to {host}:{port}: {last_error}"),
                network_fix,
            ),
            None,
        );
    };

    let tls = url.scheme() == "https";
    let what = format!("GET `{url}`");
    let request = match http.get(url) {
        Ok(request) => request,
        Err(error) => {
            return (
                Check::fail(
                    label,
                    format!("{head}: {error:#}"),
                    "fix the proxy or CA bundle settings",
                ),
                None,
            );
        }
    };
    match timeout(HTTP_TIMEOUT, http.send(request, &what)).await {
        Ok(Ok(response)) => {
            let date = response
                .headers()
                .get(reqwest::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_http_date);
            let steps = if tls {
                "TCP, TLS"
            } else {
                "TCP, plain HTTP (loopback)"
            };
            let detail = format!(
                "{head}: DNS {}, {steps}, HTTP {}",
                address.ip(),
                response.status().as_u16()
            );
            (Check::pass(label, detail), date)
        }
        Ok(Err(error)) if is_certificate_error(&error) => {
            let fix = error
                .downcast_ref::<Hint>()
                .map(|h| h.0.clone())
                .unwrap_or_default();
            let cause = error.root_cause().to_string();
            (
                Check::fail(
                    label,
                    format!("{head}: TLS: the server's certificate is not trusted ({cause})"),
                    fix,
                ),
                None,
            )
        }
        Ok(Err(error)) => {
            let step = if tls { "TLS/HTTP" } else { "HTTP" };
            let cause = error
                .chain()
                .skip(1)
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            (
                Check::fail(label, format!("{head}: {step}: {cause}"), network_fix),
                None,
            )
        }
        Err(_) => (
            Check::fail(
                label,
                format!("{head}: HTTP: no answer within 15 s"),
                network_fix,
            ),
            None,
        ),
    }
}

/// The local clock against the latest server `Date`.
pub fn clock_check(server_date: Option<i64>, now: i64) -> Check {
    let Some(date) = server_date else {
        return Check::skip(
            "clock",
            "not checked: no endpoint answered with a `Date` header",
        );
    };
    match skew::skew(Some(date), now) {
        Some(skew) => Check::fail(
            "clock",
            format!(
                "{}; signatures and expiry checks will fail",
                skew::describe(skew)
            ),
            skew::FIX,
        ),
        None => Check::pass(
            "clock",
            format!(
                "within {} s of the servers' `Date`",
                now.saturating_sub(date).unsigned_abs()
            ),
        ),
    }
}
