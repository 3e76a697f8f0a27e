use std::sync::LazyLock;

use regex::Regex;

use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};
use crate::source::{Node, NodeValue};

/// Attribute names that hold credentials.
static SECRET_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(.*_)?(password|passwd|pwd|secret|client_secret|secret_key|access_key|api_key|auth_token|token|connection_string|primary_key|secondary_key|sas_token|private_key|shared_key|account_key)$",
    )
    .expect("static regex")
});

/// Values that are obviously not secrets: Key Vault references, empty strings.
fn placeholder(v: &str) -> bool {
    let t = v.trim();
    t.is_empty() || t.starts_with("@Microsoft.KeyVault(") || t.starts_with("arn:") || t.starts_with("projects/")
}

/// TF008: a literal password, client secret, access key or connection string in a block, or as
/// the default of a secret-named variable.
pub struct TerraformHardcodedSecret;

impl FileRule for TerraformHardcodedSecret {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        // a plan holds every value in clear, generated ones included: how the value is
        // written is judged on the `.tf` itself
        if b.planned {
            return;
        }
        let text = cx.source().text.clone();
        // the value must be written right here, as a string literal without interpolation
        let literal = |n: &Node| -> Option<String> {
            let NodeValue::String(s) = &n.value else { return None };
            let src = n.span.slice(&text);
            (src.starts_with('"') && !src.contains("${") && !placeholder(s)).then(|| s.clone())
        };
        if b.kind == "variable" {
            let name = b.labels.first().map(String::as_str).unwrap_or("");
            if SECRET_KEY.is_match(name) {
                if let Some(d) = b.body.get("default") {
                    if literal(d).is_some() {
                        cx.report(d.span, format!("variable `{name}` has a literal default secret"));
                    }
                }
            }
            return;
        }
        if !matches!(b.kind.as_str(), "resource" | "data" | "module" | "provider" | "locals") {
            return;
        }
        let mut stack: Vec<(&Node, usize)> = vec![(&b.body, 0)];
        let mut found = Vec::new();
        while let Some((n, depth)) = stack.pop() {
            if depth > 32 {
                continue;
            }
            match &n.value {
                NodeValue::Map(entries) => {
                    for e in entries {
                        if SECRET_KEY.is_match(&e.key) && literal(&e.value).is_some() {
                            found.push((e.value.span, e.key.clone()));
                        } else {
                            stack.push((&e.value, depth + 1));
                        }
                    }
                }
                NodeValue::Seq(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
                _ => {}
            }
        }
        found.sort_by_key(|(s, _)| s.start);
        for (span, key) in found {
            cx.report(span, format!("`{key}` is a literal secret"));
        }
    }
}
