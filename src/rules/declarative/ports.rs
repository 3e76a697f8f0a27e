//! Network sources as infrastructure code writes them. Port specifications are a concept of
//! their own: [`crate::semantic::port`].

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
    fn open_sources() {
        for s in ["*", "Internet", "Any", "0.0.0.0/0", "::/0"] {
            assert!(is_open_source(s), "{s}");
        }
        assert!(!is_open_source("10.0.0.0/8"));
        assert!(!is_open_source("VirtualNetwork"));
    }
}
