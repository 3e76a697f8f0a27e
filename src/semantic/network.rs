//! Network sources as infrastructure code writes them: who an address prefix, CIDR block or
//! firewall range lets in. Port specifications are a concept of their own:
//! [`crate::semantic::port`].
//!
//! "The internet" is any source that admits at least half of the address space: the service
//! tags (`*`, `Internet`, `Any`), every `/0` and `/1` (whatever address is written before the
//! slash: `10.0.0.0/0` is the whole internet too), and firewall ranges spanning 2^31 or more
//! addresses (`0.0.0.0`–`255.255.255.255`, but also `1.0.0.0`–`255.255.255.254` and the two
//! halves `0.0.0.0/1` + `128.0.0.0/1` written as separate rules).

use std::net::IpAddr;

/// Source prefixes that mean "anyone on the internet".
pub fn is_internet(source: &str) -> bool {
    let s = source.trim();
    if matches!(s.to_ascii_lowercase().as_str(), "*" | "internet" | "any" | "0.0.0.0") {
        return true;
    }
    let Some((addr, len)) = s.split_once('/') else {
        return false;
    };
    addr.trim().parse::<IpAddr>().is_ok() && len.trim().parse::<u8>().is_ok_and(|l| l <= 1)
}

/// Whether the firewall range `start`–`end` (inclusive, either order) admits the internet;
/// `None` when either end is not an address of the same family.
pub fn is_internet_range(start: &str, end: &str) -> Option<bool> {
    match (start.trim().parse::<IpAddr>().ok()?, end.trim().parse::<IpAddr>().ok()?) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let (a, b) = (u32::from(a), u32::from(b));
            Some(a.abs_diff(b) >= (1 << 31) - 1)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let (a, b) = (u128::from(a), u128::from(b));
            Some(a.abs_diff(b) >= (1 << 127) - 1)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internet_sources() {
        for s in [
            "*",
            "Internet",
            "Any",
            "0.0.0.0/0",
            "::/0",
            "10.0.0.0/0",
            "192.168.1.0/0",
            "0.0.0.0/1",
            "128.0.0.0/1",
            "2001:db8::/0",
        ] {
            assert!(is_internet(s), "{s}");
        }
        for s in [
            "10.0.0.0/8",
            "VirtualNetwork",
            "AzureLoadBalancer",
            "203.0.113.7",
            "0.0.0.0/2",
            "10.0.0.0/x",
            "foo/0",
            "",
        ] {
            assert!(!is_internet(s), "{s}");
        }
    }

    #[test]
    fn internet_ranges() {
        assert_eq!(is_internet_range("0.0.0.0", "255.255.255.255"), Some(true));
        assert_eq!(is_internet_range("1.0.0.0", "255.255.255.254"), Some(true));
        assert_eq!(is_internet_range("128.0.0.0", "255.255.255.255"), Some(true));
        assert_eq!(is_internet_range("0.0.0.0", "127.255.255.255"), Some(true));
        assert_eq!(is_internet_range("255.255.255.255", "0.0.0.0"), Some(true));
        // Azure's "allow Azure services" rule and ordinary office ranges
        assert_eq!(is_internet_range("0.0.0.0", "0.0.0.0"), Some(false));
        assert_eq!(is_internet_range("203.0.113.10", "203.0.113.20"), Some(false));
        assert_eq!(is_internet_range("10.0.0.0", "10.255.255.255"), Some(false));
        assert_eq!(is_internet_range("0.0.0.0", "::"), None);
        assert_eq!(is_internet_range("x", "255.255.255.255"), None);
    }
}
