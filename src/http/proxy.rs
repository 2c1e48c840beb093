//! Which proxy a request goes through: `HTTPS_PROXY` / `HTTP_PROXY` by scheme, `NO_PROXY` to
//! bypass, and loopback always direct. One function decides, and both the client and `doctor` ask it,
//! so what `doctor` reports is what requests do.

use std::net::IpAddr;

use anyhow::{Result, anyhow};
use url::{Host, Url};

use crate::loopback::never_proxied;

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

    /// Checks that the proxy settings are URLs, so a typo fails before any request.
    pub fn validate(&self) -> Result<()> {
        for (name, value) in [("HTTPS_PROXY", &self.https), ("HTTP_PROXY", &self.http)] {
            if let Some(value) = value {
                parse_proxy(value)
                    .map_err(|e| anyhow!("invalid {name} `{}`: {e}", redact(value)))?;
            }
        }
        Ok(())
    }

    /// The proxy a request to `url` goes through, or `None` for a direct connection.
    pub fn proxy_for(&self, url: &Url) -> Option<Url> {
        if never_proxied(url) || self.bypassed(url) {
            return None;
        }
        let setting = match url.scheme() {
            "https" => self.https.as_deref(),
            "http" => self.http.as_deref(),
            _ => None,
        }?;
        parse_proxy(setting).ok()
    }

    /// True when `NO_PROXY` names the host: `*`, a domain and its subdomains (`example.com` or
    /// `.example.com`), an IP address, or a CIDR block.
    fn bypassed(&self, url: &Url) -> bool {
        let Some(list) = &self.no_proxy else {
            return false;
        };
        let host = url.host();
        list.split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .any(|entry| no_proxy_matches(entry, host.as_ref()))
    }
}

fn no_proxy_matches(entry: &str, host: Option<&Host<&str>>) -> bool {
    if entry == "*" {
        return true;
    }
    let Some(host) = host else {
        return false;
    };
    let ip = match host {
        Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
        Host::Domain(_) => None,
    };
    if let Some((net, bits)) = entry.split_once('/') {
        let (Ok(net), Ok(bits), Some(ip)) = (net.parse::<IpAddr>(), bits.parse::<u32>(), ip) else {
            return false;
        };
        return in_cidr(ip, net, bits);
    }
    let entry = entry.trim_start_matches("*.").trim_start_matches('.');
    let entry = entry.trim_start_matches('[').trim_end_matches(']');
    if let Ok(net) = entry.parse::<IpAddr>() {
        return ip == Some(net);
    }
    // A `host:port` entry: the port is ignored, as curl does.
    let entry = entry.split(':').next().unwrap_or(entry);
    match host {
        Host::Domain(domain) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            let entry = entry.to_ascii_lowercase();
            domain == entry || domain.ends_with(&format!(".{entry}"))
        }
        _ => false,
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// A proxy setting as a URL; `host:port` alone means `http://host:port`, as curl reads it.
fn parse_proxy(text: &str) -> Result<Url> {
    let text = text.trim();
    let url = if text.contains("://") {
        Url::parse(text)?
    } else {
        Url::parse(&format!("http://{text}"))?
    };
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        anyhow::bail!("expected `http://HOST:PORT`");
    }
    Ok(url)
}

/// A proxy URL for messages and logs: any `user:password@` is replaced by `****@`.
pub fn redact(text: &str) -> String {
    let parsed = if text.contains("://") {
        Url::parse(text).map_err(|_| ())
    } else {
        Err(())
    };
    match parsed {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("****");
            let _ = url.set_password(None);
            url.to_string()
        }
        Ok(_) => text.to_owned(),
        // Not a URL: still cut anything that looks like credentials.
        Err(_) => match text.rsplit_once('@') {
            Some((_, rest)) => format!("****@{rest}"),
            None => text.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(no_proxy: &str) -> ProxySettings {
        ProxySettings {
            https: Some("http://user:pw@proxy.corp:3128".into()),
            http: Some("proxy.corp:8080".into()),
            no_proxy: Some(no_proxy.into()),
        }
    }

    fn via(settings: &ProxySettings, url: &str) -> Option<String> {
        settings
            .proxy_for(&Url::parse(url).unwrap())
            .map(|u| u.to_string())
    }

    #[test]
    fn scheme_picks_the_proxy_and_loopback_is_direct() {
        let s = settings("");
        assert_eq!(
            via(&s, "https://sts.aliyuncs.com/").as_deref(),
            Some("http://user:pw@proxy.corp:3128/")
        );
        assert_eq!(
            via(&s, "http://example.test/").as_deref(),
            Some("http://proxy.corp:8080/")
        );
        for url in [
            "http://127.0.0.1:9/",
            "https://localhost/",
            "http://[::1]:4/",
            "http://100.100.100.200/latest/api/token",
        ] {
            assert_eq!(via(&s, url), None, "{url}");
        }
    }

    #[test]
    fn no_proxy_matches_domains_ips_and_cidrs() {
        let s = settings("internal.corp, .aliyuncs.com,10.0.0.0/8,192.168.1.5,fd00::/8");
        assert_eq!(via(&s, "https://internal.corp/"), None);
        assert_eq!(via(&s, "https://a.internal.corp/"), None);
        assert!(via(&s, "https://notinternal.corp/").is_some());
        assert_eq!(via(&s, "https://sts.aliyuncs.com/"), None);
        assert_eq!(via(&s, "https://10.1.2.3/"), None);
        assert_eq!(via(&s, "https://192.168.1.5/"), None);
        assert!(via(&s, "https://192.168.1.6/").is_some());
        assert_eq!(via(&s, "https://[fd12::1]/"), None);
        assert_eq!(via(&settings("*"), "https://anything.example/"), None);
    }

    #[test]
    fn credentials_never_reach_messages() {
        assert_eq!(
            redact("http://user:pw@proxy.corp:3128"),
            "http://****@proxy.corp:3128/"
        );
        assert_eq!(redact("user:pw@proxy.corp:3128"), "****@proxy.corp:3128");
        let bad = ProxySettings {
            https: Some("ftp://user:pw@proxy".into()),
            ..Default::default()
        };
        let error = bad.validate().unwrap_err().to_string();
        assert!(!error.contains("pw"), "{error}");
    }
}
