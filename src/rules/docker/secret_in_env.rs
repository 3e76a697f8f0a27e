//! DF005: ENV/ARG whose name looks like a secret and carries a literal value.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};

pub struct SecretInEnv;

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

pub(crate) fn looks_secret(name: &str) -> bool {
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

impl FileRule for SecretInEnv {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        if !(i.is("ENV") || i.is("ARG")) {
            return;
        }
        for p in &i.pairs {
            let Some(value) = &p.value else { continue };
            if value.text.is_empty() || value.text.contains('$') || !looks_secret(&p.key.text) {
                continue;
            }
            cx.report(
                value.span,
                format!("`{}` is given a literal value in `{}`", p.key.text, i.keyword),
            );
        }
    }
}
