use std::sync::LazyLock;

use regex::Regex;

use crate::rules::{Context, NodeKind, Rule, Subject};

static SECRET_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\.(\w*password\w*|(\w+_)?secret(_value|_key|_text)?|\w*access_key\w*|\w*connection_string\w*|primary_key|secondary_key|\w*_key_pem|private_key\w*|kube_config(_raw)?|kube_admin_config(_raw)?|client_key|client_certificate|sas_url|sas|\w*_token|token|result)\b",
    )
    .expect("static regex")
});

/// TF009: an output whose value comes from a secret-like attribute is not `sensitive = true`.
pub struct OutputNotSensitive;

impl Rule for OutputNotSensitive {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::TfBlock]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::TfBlock(b) = subject else { return };
        if b.kind != "output" {
            return;
        }
        let Some(value) = b.body.get("value") else { return };
        let Some(src) = cx.source().map(|s| value.span.slice(&s.text).to_string()) else {
            return;
        };
        if src.contains("nonsensitive(") {
            return;
        }
        let Some(m) = SECRET_ATTR.find(&src) else { return };
        // `random_password.x.result` is a secret; other `.result`s (random_id, random_pet) are not
        if m.as_str() == ".result" && !src.contains("random_password.") {
            return;
        }
        let sensitive = b.body.get("sensitive");
        if sensitive.is_some_and(|s| s.as_bool() == Some(true) || s.is_unknown()) {
            return;
        }
        let name = b.labels.first().map(String::as_str).unwrap_or("");
        let attr = m.as_str().trim_start_matches('.');
        cx.report(
            value.span,
            format!("output `{name}` exposes `{attr}` without `sensitive = true`"),
        );
    }
}
