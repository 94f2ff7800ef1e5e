//! Where Roster may send a request of its own (a system hook's delivery):
//! not to this machine, the local network or the cloud's metadata service
//! unless the operator allows it (server-side request forgery).
use crate::error::{FieldError, Problem};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Where a system hook posts: an absolute `http` or `https` URL with a host
/// and no fragment, at most 2,048 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookUrl(url::Url);

impl HookUrl {
    /// The longest URL taken.
    pub const MAX_LEN: usize = 2048;

    /// Reads the field `url`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let invalid = |why| Err(FieldError::new("url", Problem::InvalidBecause(why)));
        let text = text.trim();
        if text.len() > Self::MAX_LEN {
            return invalid("is longer than 2048 characters");
        }
        let Ok(url) = url::Url::parse(text) else {
            return invalid("must be an absolute http or https URL");
        };
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return invalid("must be an absolute http or https URL");
        }
        if url.fragment().is_some() {
            return invalid("must not have a fragment");
        }
        Ok(Self(url))
    }

    /// The URL's text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The host's name, or its address as text.
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// The port, given or the scheme's.
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(80)
    }

    /// The host, when it is an address rather than a name.
    pub fn address(&self) -> Option<IpAddr> {
        match self.0.host()? {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        }
    }
}

/// Whether `ip` is an address of this machine or of a private, link-local
/// or otherwise non-public network: loopback, RFC 1918, carrier-grade NAT,
/// link-local (the metadata service at 169.254.169.254), unique local IPv6,
/// unspecified, multicast and broadcast — in IPv4 and in IPv6's forms of
/// IPv4 addresses.
pub fn is_internal_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7, unique local
                || (first & 0xfe00) == 0xfc00
                // fe80::/10, link-local
                || (first & 0xffc0) == 0xfe80
                // ::a.b.c.d, the old IPv4-compatible form
                || (v6.segments()[..6].iter().all(|s| *s == 0) && is_internal_v4(compatible_v4(v6)))
                // 64:ff9b::/96, NAT64 of an IPv4 address
                || (v6.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && is_internal_v4(compatible_v4(v6)))
        }
    }
}

fn compatible_v4(v6: Ipv6Addr) -> Ipv4Addr {
    let o = v6.octets();
    Ipv4Addr::new(o[12], o[13], o[14], o[15])
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        // 0.0.0.0/8, "this network"
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24, protocol assignments
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        // 198.18.0.0/15, benchmarking
        || (a == 198 && (b == 18 || b == 19))
        // 240.0.0.0/4, reserved
        || a >= 240
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_urls_are_absolute_http() {
        let url = HookUrl::parse(" https://hooks.example.com:8443/roster?x=1 ").unwrap();
        assert_eq!(url.as_str(), "https://hooks.example.com:8443/roster?x=1");
        assert_eq!(
            (url.host(), url.port(), url.address()),
            ("hooks.example.com", 8443, None)
        );
        let ip = HookUrl::parse("http://127.0.0.1/h").unwrap();
        assert_eq!(ip.address(), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(
            HookUrl::parse("http://[::1]:9/").unwrap().address(),
            Some("::1".parse().unwrap())
        );
        for bad in [
            "",
            "hooks.example.com",
            "ftp://x.example/",
            "http://",
            "https://x.example/#top",
            "javascript:alert(1)",
        ] {
            assert!(HookUrl::parse(bad).is_err(), "{bad}");
        }
        assert!(HookUrl::parse(&format!("https://x.example/{}", "a".repeat(2048))).is_err());
    }

    #[test]
    fn internal_addresses_are_recognised_in_every_form() {
        for internal in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_internal_address(internal.parse().unwrap()), "{internal}");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_internal_address(public.parse().unwrap()), "{public}");
        }
    }
}
