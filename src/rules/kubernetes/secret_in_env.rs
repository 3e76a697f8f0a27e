use std::sync::LazyLock;

use regex::Regex;

use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct SecretInEnv;

static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(passw(or)?d|passwd|secret|token|api_?key|access_?key|private_?key|credentials?|conn(ection)?_?str(ing)?)")
        .expect("valid regex")
});
/// Names that carry a reference to a secret rather than the secret itself.
static REFERENCE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(_(file|path|dir|url|uri|endpoint|name|ref|key_id|header|ttl|expiry|length)$)")
        .expect("valid regex")
});

impl Rule for SecretInEnv {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        for e in c.node.get("env").map(|e| e.items()).unwrap_or_default() {
            let (Some(name), Some(value)) = (e.get("name").and_then(|n| n.as_str()), e.get("value")) else {
                continue;
            };
            let Some(v) = value.scalar_text() else { continue };
            let v = v.trim();
            let is_literal = !v.is_empty() && !v.starts_with('/') && !v.starts_with("$(") && !v.contains("{{");
            if is_literal && SECRET_NAME.is_match(name) && !REFERENCE_NAME.is_match(name) && value.as_bool().is_none() {
                cx.report(
                    value.span,
                    format!(
                        "env var `{name}` of {} holds a literal secret",
                        super::container_name(&c)
                    ),
                );
            }
        }
    }
}
