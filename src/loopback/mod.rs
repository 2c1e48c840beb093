//! Loopback: what counts as it (the only place plain HTTP may go and proxies are never used), and
//! the hardened server for alicli's own listeners on 127.0.0.1.

pub mod server;

use std::net::IpAddr;

use url::Url;

/// True for `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}
