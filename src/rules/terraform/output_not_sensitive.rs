use std::sync::LazyLock;

use regex::Regex;

use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::secret::is_secret_attribute;

/// `a.b.c`, `a.b[0].c`, `a["k"].b` as written in an expression.
static TRAVERSAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b[A-Za-z_][\w-]*(?:\s*\.\s*[A-Za-z_][\w-]*|\s*\[[^\]\[]*\])+"#).expect("static regex")
});

/// The first secret attribute a traversal reads, if any. The segments naming the object
/// (`azurerm_key_vault_secret.db_password`, `data.t.n`) are not attributes: their names may
/// mention a secret while the attribute read (`.name`, `.id`) is harmless.
fn secret_attr(traversal: &str) -> Option<String> {
    let segments: Vec<&str> = traversal
        .split(['.', '['])
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.ends_with(']'))
        .collect();
    let (root, kind) = match segments.first().copied() {
        Some(r @ ("var" | "local")) => (r, 1),
        Some("module") => ("module", 2),
        Some("data") => ("data", 3),
        Some("each" | "count" | "path" | "terraform" | "self") | None => return None,
        Some(r) if r.contains('_') => (r, 2),
        Some(_) => return None,
    };
    // var.x and local.x hold the value itself: their name is what they hold
    let attrs = segments.get(kind..)?;
    let type_name = match root {
        "data" => segments.get(1).copied().unwrap_or(""),
        r => r,
    };
    for a in attrs {
        let secret = is_secret_attribute(a)
            // `random_password.x.result` is a secret; other `.result`s (random_id, random_pet) are not
            || (*a == "result" && type_name == "random_password")
            || (*a == "value" && type_name.ends_with("_secret"));
        if secret {
            return Some((*a).to_string());
        }
    }
    None
}

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
        let Some(attr) = TRAVERSAL.find_iter(&src).find_map(|m| secret_attr(m.as_str())) else {
            return;
        };
        let sensitive = b.body.get("sensitive");
        if sensitive.is_some_and(|s| s.as_bool() == Some(true) || s.is_unknown()) {
            return;
        }
        let name = b.labels.first().map(String::as_str).unwrap_or("");
        cx.report(
            value.span,
            format!("output `{name}` exposes `{attr}` without `sensitive = true`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::secret_attr;

    #[test]
    fn secret_attributes() {
        let s = |t: &str| secret_attr(t);
        assert_eq!(
            s("azurerm_storage_account.data.primary_access_key").as_deref(),
            Some("primary_access_key")
        );
        assert_eq!(s("random_password.db.result").as_deref(), Some("result"));
        assert_eq!(s("azurerm_key_vault_secret.db.value").as_deref(), Some("value"));
        assert_eq!(s("data.azurerm_key_vault_secret.db.value").as_deref(), Some("value"));
        assert_eq!(s("var.db_password").as_deref(), Some("db_password"));
        assert_eq!(
            s("azurerm_kubernetes_cluster.main.kube_config[0].client_key").as_deref(),
            Some("kube_config")
        );
        assert_eq!(s("azurerm_key_vault_secret.db_password.name"), None);
        assert_eq!(s("azurerm_key_vault_secret.db_password.versionless_id"), None);
        assert_eq!(s("var.admin_password_secret_name"), None);
        assert_eq!(s("random_id.suffix.result"), None);
        assert_eq!(s("azurerm_kubernetes_cluster.main.name"), None);
    }
}
