use std::sync::LazyLock;

use regex::Regex;

use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};

static SECRET_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\.(\w*password\w*|(\w+_)?secret(_value|_key|_text)?|\w*access_key\w*|\w*connection_string\w*|primary_key|secondary_key|\w*_key_pem|private_key\w*|kube_config(_raw)?|kube_admin_config(_raw)?|client_key|client_certificate|sas_url|sas|\w*_token|token|result)\b",
    )
    .expect("static regex")
});

/// TF009: an output whose value comes from a secret-like attribute is not `sensitive = true`.
pub struct OutputNotSensitive;

impl FileRule for OutputNotSensitive {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        if b.kind != "output" {
            return;
        }
        let Some(value) = b.body.get("value") else { return };
        let src = value.span.slice(&cx.source().text).to_string();
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
