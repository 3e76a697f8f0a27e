//! Port specifications as infrastructure code writes them: `443`, `"443"`, `"20-25"`, `"*"`,
//! lists of those, and comma-separated strings. Shared by `port_in` and the native port rules.

use crate::source::{Node, NodeValue};

/// An inclusive port range; a single port is `(p, p)`, `*` is `(0, 65535)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortRange {
    pub start: u32,
    pub end: u32,
}

impl PortRange {
    pub fn single(p: u32) -> Self {
        PortRange { start: p, end: p }
    }
    pub fn is_all(&self) -> bool {
        self.start <= 1 && self.end >= 65535
    }
    /// Whether every port of the range is in `allowed`.
    pub fn within(&self, allowed: &[PortRange]) -> bool {
        // ranges are small in practice except `*`; walk the covered intervals instead of ports
        let mut from = self.start;
        loop {
            let Some(cover) = allowed.iter().find(|a| a.start <= from && from <= a.end) else {
                return false;
            };
            if cover.end >= self.end {
                return true;
            }
            from = cover.end + 1;
        }
    }
    pub fn render(&self) -> String {
        if self.is_all() {
            "*".into()
        } else if self.start == self.end {
            self.start.to_string()
        } else {
            format!("{}-{}", self.start, self.end)
        }
    }
}

/// Parse one textual port spec: `443`, `20-25`, `*`, `0-65535`, `80,443`. `None` when it is
/// not a port spec (a reference, a name like `http`).
pub fn parse_port_text(text: &str) -> Option<Vec<PortRange>> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        if part == "*" || part.eq_ignore_ascii_case("any") {
            out.push(PortRange { start: 0, end: 65535 });
        } else if let Some((a, b)) = part.split_once('-') {
            let (a, b) = (a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?);
            if a > b || b > 65535 {
                return None;
            }
            out.push(PortRange { start: a, end: b });
        } else {
            let p = part.parse::<u32>().ok()?;
            if p > 65535 {
                return None;
            }
            out.push(PortRange::single(p));
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The ports a node denotes, each with the node it came from. `None` when some part is
/// unknown or not a port spec: the caller must not report anything then.
pub fn node_ports(node: &Node) -> Option<Vec<(PortRange, &Node)>> {
    let mut out = Vec::new();
    let mut stack = vec![(node, 0usize)];
    while let Some((n, depth)) = stack.pop() {
        match &n.value {
            NodeValue::Number { value, .. } => {
                if value.fract() != 0.0 || *value < 0.0 || *value > 65535.0 {
                    return None;
                }
                out.push((PortRange::single(*value as u32), n));
            }
            NodeValue::String(s) => {
                for r in parse_port_text(s)? {
                    out.push((r, n));
                }
            }
            NodeValue::Seq(items) if depth < 4 => {
                for i in items.iter().rev() {
                    stack.push((i, depth + 1));
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

pub fn render_ports(ports: &[PortRange]) -> String {
    ports.iter().map(PortRange::render).collect::<Vec<_>>().join(", ")
}

/// Source prefixes that mean "anyone on the internet".
pub fn is_open_source(prefix: &str) -> bool {
    matches!(
        prefix.trim().to_ascii_lowercase().as_str(),
        "*" | "internet" | "any" | "0.0.0.0/0" | "0.0.0.0" | "::/0" | "0::0/0"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(parse_port_text("443"), Some(vec![PortRange::single(443)]));
        assert_eq!(parse_port_text("20-25"), Some(vec![PortRange { start: 20, end: 25 }]));
        assert!(parse_port_text("*").unwrap()[0].is_all());
        assert_eq!(parse_port_text("80, 443").map(|v| v.len()), Some(2));
        assert_eq!(parse_port_text("http"), None);
        assert_eq!(parse_port_text("25-20"), None);
        assert_eq!(parse_port_text("70000"), None);
    }

    #[test]
    fn within() {
        let allowed = vec![PortRange::single(443), PortRange { start: 8000, end: 8010 }];
        assert!(PortRange::single(443).within(&allowed));
        assert!(PortRange { start: 8000, end: 8005 }.within(&allowed));
        assert!(!PortRange { start: 442, end: 443 }.within(&allowed));
        assert!(!PortRange { start: 0, end: 65535 }.within(&allowed));
        let adjacent = vec![PortRange { start: 1, end: 5 }, PortRange { start: 6, end: 9 }];
        assert!(PortRange { start: 2, end: 8 }.within(&adjacent));
    }

    #[test]
    fn open_sources() {
        for s in ["*", "Internet", "Any", "0.0.0.0/0", "::/0"] {
            assert!(is_open_source(s), "{s}");
        }
        assert!(!is_open_source("10.0.0.0/8"));
        assert!(!is_open_source("VirtualNetwork"));
    }
}
