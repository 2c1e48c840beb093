//! The network checks: proxy and TLS trust settings, each endpoint step by step (DNS, TCP, TLS,
//! HTTP, through the proxy that applies), and the clock against the servers' `Date`.

use std::time::Duration;

use url::Url;

use super::Check;
use super::local::ProfileContext;
use crate::cloud::endpoints::{OAuthEndpoints, StsEndpointChoice};
use crate::commands::settings::Settings;
use crate::error::Hint;
use crate::http::probe::{self, Limits};
use crate::http::{Http, load_ca_bundle, redact_proxy};
use crate::site::Site;
use crate::skew;

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
    let sts = StsEndpointChoice {
        profile: profile.and_then(|p| p.sts_endpoint.as_deref()),
        env: settings.sts_endpoint.as_deref(),
        profile_region: profile.and_then(|p| p.sts_region.as_deref()),
        ..Default::default()
    }
    .resolve()
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

/// DNS and TCP get 5 s each, TLS and HTTP 15 s together: doctor may take its time.
const LIMITS: Limits = Limits {
    step: Duration::from_secs(5),
    http: Duration::from_secs(15),
};

/// One endpoint's check, and the server's `Date` when it answered.
async fn probe(http: &Http, label: &str, url: &Url) -> (Check, Option<i64>) {
    let probe = probe::probe(http, url, LIMITS).await;
    let head = probe.head();
    match probe.result {
        Ok(reached) => {
            let steps = if url.scheme() == "https" {
                "TCP, TLS"
            } else {
                "TCP, plain HTTP (loopback)"
            };
            let detail = format!(
                "{head}: DNS {}, {steps}, HTTP {}",
                reached.address, reached.status
            );
            (Check::pass(label, detail), reached.date)
        }
        Err(stopped) => {
            let fix = stopped.fix.unwrap_or_else(|| {
                "check the network connection and firewall; behind a proxy, set HTTPS_PROXY"
                    .to_owned()
            });
            (
                Check::fail(label, format!("{head}: {}", stopped.detail), fix),
                None,
            )
        }
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
