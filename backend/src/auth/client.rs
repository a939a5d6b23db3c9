//! The client's address, for throttling and the audit log: the direct peer, unless the
//! peer is a configured trusted proxy (`XIANGZHU_TRUSTED_PROXIES`); then the nearest
//! address in `X-Forwarded-For` that is not itself a trusted proxy. A header from any
//! other peer is ignored, since a client could forge it.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::HttpRequest;

/// A trusted proxy: one address, or a network in CIDR notation (`10.0.0.0/8`,
/// `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet {
    addr: IpAddr,
    prefix: u8,
}

impl ProxyNet {
    /// Whether `ip` lies in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for ProxyNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = canonical(
            addr.parse::<IpAddr>()
                .map_err(|_| format!("{s:?} is not an IP address or CIDR network"))?,
        );
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

/// The client address of a request, given the trusted proxies.
pub fn client_addr(req: &HttpRequest, trusted: &[ProxyNet]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map_or(IpAddr::from([0, 0, 0, 0]), |a| canonical(a.ip()));
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    // Each proxy appends the address it received from; walk back from the nearest hop
    // and stop at the first one no trusted proxy vouches for.
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
            // A malformed entry: nothing before it can be trusted.
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn nets(s: &[&str]) -> Vec<ProxyNet> {
        s.iter()
            .map(|n| n.parse().unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    fn req(peer: &str, xff: Option<&str>) -> HttpRequest {
        let mut r =
            TestRequest::default().peer_addr(peer.parse().unwrap_or_else(|e| panic!("{e}")));
        if let Some(x) = xff {
            r = r.insert_header(("X-Forwarded-For", x));
        }
        r.to_http_request()
    }

    #[test]
    fn parses_networks() {
        let n: ProxyNet = "10.0.0.0/8".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(n.contains("10.1.2.3".parse().unwrap_or_else(|e| panic!("{e}"))));
        assert!(!n.contains("11.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"))));
        assert!(n.contains("::ffff:10.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"))));
        let any: ProxyNet = "0.0.0.0/0".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(any.contains("8.8.8.8".parse().unwrap_or_else(|e| panic!("{e}"))));
        assert!("fd00::/8".parse::<ProxyNet>().is_ok());
        assert!("10.0.0.0/33".parse::<ProxyNet>().is_err());
        assert!("proxy.local".parse::<ProxyNet>().is_err());
    }

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let none = nets(&[]);
        let lb = nets(&["127.0.0.1", "10.0.0.0/8"]);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or_else(|e| panic!("{e}"));
        // No proxy trusted: the header is ignored.
        assert_eq!(
            client_addr(&req("127.0.0.1:1", Some("203.0.113.9")), &none),
            ip("127.0.0.1")
        );
        // A trusted proxy: the nearest untrusted hop, never a forged one further left.
        assert_eq!(
            client_addr(
                &req("127.0.0.1:1", Some("198.51.100.7, 203.0.113.9, 10.0.0.2")),
                &lb
            ),
            ip("203.0.113.9")
        );
        // An untrusted peer's header is ignored.
        assert_eq!(
            client_addr(&req("192.0.2.1:1", Some("203.0.113.9")), &lb),
            ip("192.0.2.1")
        );
        // A trusted peer without a header, or with garbage, stays the peer.
        assert_eq!(client_addr(&req("10.0.0.5:1", None), &lb), ip("10.0.0.5"));
        assert_eq!(
            client_addr(&req("10.0.0.5:1", Some("junk")), &lb),
            ip("10.0.0.5")
        );
    }
}
