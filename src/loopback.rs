//! What counts as loopback: the only place plain HTTP may go and proxies are never used. The ECS
//! metadata address is never proxied either: only the instance itself can reach it.

use std::net::{IpAddr, Ipv4Addr};

use url::Url;

/// The ECS instance metadata service's address (`EcsRamRole` profiles).
pub const ECS_METADATA_ADDRESS: Ipv4Addr = Ipv4Addr::new(100, 100, 100, 200);

/// True for `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// True for addresses that a proxy must never see: loopback, and the instance metadata service
/// (a proxy could not reach it, and would learn the role's credentials if it did).
pub fn never_proxied(url: &Url) -> bool {
    is_loopback(url) || url.host() == Some(url::Host::Ipv4(ECS_METADATA_ADDRESS))
}
