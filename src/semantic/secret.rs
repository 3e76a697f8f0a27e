//! Secrets written in configuration: which names say a value is a secret, and which literal
//! values are placeholders rather than secrets. One definition for Dockerfile `ENV`/`ARG`,
//! Compose `environment:` and Python source.

use std::sync::LazyLock;

use regex::Regex;

/// Name words (split on `_`) that mark a secret.
const SECRET_WORDS: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIALS", "APIKEY"];
/// Adjacent word pairs that mark a secret.
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("ACCESS", "KEY"),
    ("PRIVATE", "KEY"),
    ("SECRET", "KEY"),
    ("CLIENT", "SECRET"),
    ("CONNECTION", "STRING"),
    ("ACCOUNT", "KEY"),
    ("AUTH", "KEY"),
];
/// Names ending like this point at a secret rather than holding one.
const REFERENCE_SUFFIXES: &[&str] = &[
    "FILE",
    "PATH",
    "DIR",
    "URL",
    "URI",
    "ENDPOINT",
    "NAME",
    "HEADER",
    "TTL",
    "EXPIRY",
    "LENGTH",
    "TYPE",
    "ID",
    "VERSION",
    "ENABLED",
    "REQUIRED",
    "AUDIENCE",
    "ISSUER",
    "SCOPE",
    "SCOPES",
    "HOST",
    "PORT",
    "USER",
    "USERNAME",
    "REGION",
    "MODE",
    "TIMEOUT",
    "LIFETIME",
    "ALGORITHM",
    "PREFIX",
    "POLICY",
    "SIZE",
    "MIN",
    "MAX",
    "VAULT",
];

/// Whether an environment variable's name says it holds a secret (`DB_PASSWORD`,
/// `STRIPE_API_KEY`, `CLIENT_SECRET`); `PASSWORD_FILE` or `TOKEN_URL` point at one instead.
pub fn env_name_is_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-', '.']).filter(|w| !w.is_empty()).collect();
    if words.last().is_some_and(|w| REFERENCE_SUFFIXES.contains(w)) {
        return false;
    }
    words.iter().any(|w| SECRET_WORDS.contains(w))
        || words
            .windows(2)
            .any(|p| SECRET_PAIRS.iter().any(|(a, b)| p[0] == *a && p[1] == *b))
}

/// Values that are names rather than secrets: `"password"`, `"refresh_token"`,
/// `"AWS_SECRET_ACCESS_KEY"` (an environment variable's name), `"x-api-key"`.
static IDENTIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[a-z][a-z_.-]*|[A-Z][A-Z0-9_]*|[A-Z][a-z]+(?:[A-Z][a-z]+)*)$").expect("regex"));

/// Values that are not secrets: short, templated, masked, prose, or an identifier.
pub fn placeholder(value: &str) -> bool {
    let v = value.trim();
    v.len() < 4
        || v.contains(char::is_whitespace)
        || IDENTIFIER.is_match(v)
        || v.starts_with('$')
        || v.starts_with('{')
        || v.starts_with('<')
        || v.starts_with("%(")
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        for yes in [
            "DB_PASSWORD",
            "STRIPE_API_KEY",
            "client_secret",
            "GITHUB_TOKEN",
            "POSTGRES_PASSWORD",
        ] {
            assert!(env_name_is_secret(yes), "{yes}");
        }
        for no in ["PASSWORD_FILE", "TOKEN_URL", "SECRET_NAME", "DB_USER", "KEYCLOAK_HOST"] {
            assert!(!env_name_is_secret(no), "{no}");
        }
    }

    #[test]
    fn placeholders() {
        for p in [
            "",
            "xxx",
            "${DB_PASSWORD}",
            "<your-token>",
            "changeme please",
            "refresh_token",
            "****",
        ] {
            assert!(placeholder(p), "{p}");
        }
        assert!(!placeholder("s3cr3t-Pa55"));
    }
}
