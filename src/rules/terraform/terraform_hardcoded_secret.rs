use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::secret::{is_secret_attribute, names_a_variable, secret_store_reference, secret_value};
use crate::source::{Node, NodeValue};

/// Values that are obviously not secrets: empty strings, references to a secret store, the name
/// of an environment variable.
fn placeholder(v: &str) -> bool {
    v.trim().is_empty() || secret_store_reference(v) || names_a_variable(v.trim())
}

/// TF008: a literal password, client secret, access key or connection string in a block, or as
/// the default of a secret-named variable; or a value shaped like a key (an AWS access key id,
/// a PEM private key, an Azure storage key, a SAS signature) under any name.
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
        // a value shaped like a key is one wherever it is written, heredocs included
        let shaped = |n: &Node| -> Option<&'static str> {
            let NodeValue::String(s) = &n.value else { return None };
            let src = n.span.slice(&text);
            if !(src.starts_with('"') || src.starts_with("<<")) {
                return None;
            }
            secret_value(s)
        };
        if b.kind == "variable" {
            let name = b.labels.first().map(String::as_str).unwrap_or("");
            if is_secret_attribute(name) {
                if let Some(d) = b.body.get("default") {
                    if literal(d).is_some() {
                        cx.report(d.span, format!("variable `{name}` has a literal default secret"));
                        return;
                    }
                }
            }
            if let Some(what) = b.body.get("default").and_then(shaped) {
                if let Some(d) = b.body.get("default") {
                    cx.report(d.span, format!("the default of variable `{name}` is {what}"));
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
                        if is_secret_attribute(&e.key) && literal(&e.value).is_some() {
                            found.push((e.value.span, format!("`{}` is a literal secret", e.key)));
                        } else if let Some(what) = shaped(&e.value) {
                            found.push((e.value.span, format!("`{}` holds {what}", e.key)));
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
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}
