use std::sync::LazyLock;

use regex::Regex;

use crate::lang::python::Module;
use crate::lang::python::Value;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::secret::is_secret_name;
use crate::semantic::test_code::is_test_code;

pub struct HardcodedSecret;

/// `scheme://user:password@host` with a literal password.
static URL_CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^@\s/]+)@[^\s]+$").expect("regex"));

/// Values that are names rather than secrets: `"password"`, `"refresh_token"`,
/// `"AWS_SECRET_ACCESS_KEY"` (an environment variable's name), `"x-api-key"`.
static IDENTIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[a-z][a-z_.-]*|[A-Z][A-Z0-9_]*|[A-Z][a-z]+(?:[A-Z][a-z]+)*)$").expect("regex"));

/// Values that are not secrets: short, templated, masked, prose, or an identifier.
fn placeholder(value: &str) -> bool {
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

impl FileRule for HardcodedSecret {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        // type stubs hold declarations, not values
        let path = &cx.file.source.path;
        if is_test_code(cx.settings, path) || path.extension().is_some_and(|e| e == "pyi") {
            return;
        }
        let mut found = Vec::new();
        for a in &m.assignments {
            if let Value::Str(v) = &a.value.value {
                if is_secret_name(&a.target) && !placeholder(v) {
                    found.push((a.value.span, format!("`{}` is assigned a string literal", a.target)));
                }
            }
        }
        for call in &m.calls {
            for arg in &call.args {
                let (Some((k, _)), Value::Str(v)) = (&arg.keyword, &arg.value.value) else {
                    continue;
                };
                if is_secret_name(k) && !placeholder(v) {
                    found.push((
                        arg.value.span,
                        format!("`{k}` is passed a string literal in {}", call.display()),
                    ));
                }
            }
        }
        for s in &m.strings {
            if let Some(pw) = URL_CREDENTIALS.captures(&s.value).and_then(|c| c.get(1)) {
                if !placeholder(pw.as_str()) {
                    let scheme = s.value.split("://").next().unwrap_or("");
                    found.push((s.span, format!("`{scheme}://` connection string carries a password")));
                }
            }
        }
        found.sort_by_key(|(s, _)| s.start);
        found.dedup_by_key(|(s, _)| *s);
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
