//! The declarative rule language: `check:` blocks (target / where / assert / message)
//! interpreted over the spanned [`Node`](crate::source::Node) tree.
//!
//! The language is documented for users in `docs/custom-rules.md`; the semantics in short:
//! a path walks maps by key, `[n]` picks a list element, `[*]` visits every element of a list
//! (or value of a map), and a key step on a list applies to each element. Where several
//! elements are reached, every one must satisfy the operator (`quantifier: any` asks for one).
//! Value operators are silent on absent values (unless a `default` is given) and on unknown
//! values; `exists`, `absent` and `has_keys` are about presence.

pub mod assertion;

use crate::budget;
use crate::rules::meta::{Logic, MetaError, RuleMeta};
use crate::rules::{target_node_kind, AnyFileRule, FileContext, NodeKind, Subject};
use crate::source::{Node, NodeValue, Span};

use assertion::{Assertion, CompileError, Env, Outcome};

const CHECK_KEYS: &[&str] = &["target", "type", "kind", "where", "assert", "message", "help"];
/// Placeholders a message may use.
pub const PLACEHOLDERS: &[&str] = &["value", "path", "name", "type", "allowed", "missing", "id"];

/// A compiled `check:` block.
pub struct DeclarativeRule {
    target: String,
    kinds: &'static [NodeKind],
    types: Vec<String>,
    filter: Option<Assertion>,
    assert: Assertion,
    message: String,
    help: Option<String>,
}

impl std::fmt::Debug for DeclarativeRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeclarativeRule").field("target", &self.target).finish()
    }
}

fn kinds_for(kind: NodeKind) -> &'static [NodeKind] {
    // `Rule::kinds` hands out a static slice; a handful of rules are compiled per process, so
    // leaking one small slice each is cheaper than threading lifetimes through the registry.
    Box::leak(vec![kind].into_boxed_slice())
}

/// Validate a message template's placeholders.
fn check_template(text: &str, span: Span) -> Result<(), CompileError> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(CompileError {
                span,
                message: "unclosed `{` in message".into(),
            });
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(CompileError {
                span,
                message: format!(
                    "unknown placeholder `{{{name}}}` in message (known: {})",
                    PLACEHOLDERS.join(", ")
                ),
            });
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

fn compile_check(check: &Node) -> Result<DeclarativeRule, CompileError> {
    let fail = |span: Span, message: String| Err(CompileError { span, message });
    if !check.is_map() {
        return fail(
            check.span,
            "`check` must be a mapping with `target` and `assert`".into(),
        );
    }
    for e in check.entries() {
        if !CHECK_KEYS.contains(&e.key.as_str()) {
            let hint = crate::config::nearest(&e.key, CHECK_KEYS)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            return fail(e.key_span, format!("unknown key `{}` in `check`{hint}", e.key));
        }
    }
    let Some(target_node) = check.get("target") else {
        return fail(
            check.span,
            "`check` needs a `target` (e.g. `terraform.resource`)".into(),
        );
    };
    let Some(target) = target_node.as_str() else {
        return fail(target_node.span, "`target` must be a string".into());
    };
    let Some(kind) = target_node_kind(target) else {
        return fail(target_node.span, format!("unknown target `{target}`"));
    };
    if let (Some(_), Some(k)) = (check.get("type"), check.entry("kind")) {
        return fail(k.key_span, "use either `type` or `kind`, not both".into());
    }
    let mut types = Vec::new();
    if let Some(t) = check.get("type").or_else(|| check.get("kind")) {
        match &t.value {
            NodeValue::String(s) => types.push(s.clone()),
            NodeValue::Seq(items) => {
                for i in items {
                    match i.as_str() {
                        Some(s) => types.push(s.to_string()),
                        None => return fail(i.span, "type names must be strings".into()),
                    }
                }
            }
            _ => return fail(t.span, "`type` takes a name or a list of names".into()),
        }
    }
    let filter = match check.get("where") {
        Some(w) => Some(assertion::compile(w, 0)?),
        None => None,
    };
    let Some(a) = check.get("assert") else {
        return fail(check.span, "`check` needs an `assert`".into());
    };
    let assert = assertion::compile(a, 0)?;
    let message = match check.get("message") {
        Some(m) => match m.as_str() {
            Some(s) => {
                check_template(s, m.span)?;
                s.to_string()
            }
            None => return fail(m.span, "`message` must be a string".into()),
        },
        None => return fail(check.span, "`check` needs a `message`".into()),
    };
    // nested messages: find each one's span for errors by searching the check's entries
    for text in assert.messages() {
        check_template(text, a.span)?;
    }
    let help = match check.get("help") {
        Some(h) => match h.as_str() {
            Some(s) => Some(s.to_string()),
            None => return fail(h.span, "`help` must be a string".into()),
        },
        None => None,
    };
    Ok(DeclarativeRule {
        target: target.to_string(),
        kinds: kinds_for(kind),
        types,
        filter,
        assert,
        message,
        help,
    })
}

/// Compile a rule's `check:` block into a rule the engine can run.
pub fn compile(meta: &RuleMeta) -> Result<Box<dyn AnyFileRule>, MetaError> {
    let Logic::Check(node) = &meta.logic else {
        return Err(MetaError {
            path: meta.origin.clone(),
            text: meta.text.clone(),
            span: Span::default(),
            message: "not a declarative rule".into(),
        });
    };
    compile_check(node)
        .map(|r| Box::new(r) as Box<dyn AnyFileRule>)
        .map_err(|e| MetaError {
            path: meta.origin.clone(),
            text: meta.text.clone(),
            span: e.span,
            message: e.message,
        })
}

/// Fill a message template. Each placeholder's value is cut to [`budget::MESSAGE_VALUE_BYTES`]
/// and the message to [`budget::MESSAGE_BYTES`]: a template repeating `{value}` over a 10 MB
/// scalar stays one short line.
pub fn render_message(template: &str, f: &assertion::Finding, name: &str, type_name: &str, id: &str) -> String {
    let out = fill_template(template, f, name, type_name, id);
    budget::truncate(&out, budget::MESSAGE_BYTES.get()).into_owned()
}

fn fill_template(template: &str, f: &assertion::Finding, name: &str, type_name: &str, id: &str) -> String {
    let max = budget::MESSAGE_BYTES.get();
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let v = match &after[..close] {
            "value" => f.value.as_str(),
            "path" => f.path.as_str(),
            "name" => name,
            "type" => type_name,
            "allowed" => f.allowed.as_str(),
            "missing" => f.missing.as_str(),
            "id" => id,
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
                rest = &after[close + 1..];
                continue;
            }
        };
        out.push_str(&budget::truncate(v, budget::MESSAGE_VALUE_BYTES.get()));
        rest = &after[close + 1..];
        if out.len() > max {
            return out;
        }
    }
    out.push_str(rest);
    out
}

impl DeclarativeRule {
    /// Evaluate on a subject: the failures to report, already rendered.
    pub fn findings(
        &self,
        subject: &Subject<'_>,
        settings: &crate::config::Settings,
        prod: bool,
        id: &str,
    ) -> Vec<(Span, String)> {
        let Some(view) = subject.target_view() else {
            return Vec::new();
        };
        if view.target != self.target {
            return Vec::new();
        }
        if !self.types.is_empty() && !self.types.iter().any(|t| t == view.type_name) {
            return Vec::new();
        }
        let env = Env {
            settings,
            header: view.header,
            prod,
        };
        if let Some(w) = &self.filter {
            if !matches!(w.eval(view.node, &env), Outcome::Pass(_)) {
                return Vec::new();
            }
        }
        let Outcome::Fail(failures) = self.assert.eval(view.node, &env) else {
            return Vec::new();
        };
        let name = view.name.unwrap_or("");
        // a value the provider defaults (the argument is omitted) says so
        let defaults = match subject {
            Subject::TfBlock(b) => &b.defaults[..],
            _ => &[],
        };
        let mut out: Vec<(Span, String)> = failures
            .iter()
            .map(|f| {
                let t = f.message.as_deref().unwrap_or(&self.message);
                let mut msg = render_message(t, f, name, view.type_name, id);
                let defaulted = defaults.iter().filter(|d| d.span == f.span).find(|d| {
                    d.path == f.path || d.path.strip_suffix(f.path.as_str()).is_some_and(|p| p.ends_with('.'))
                });
                if let Some(d) = defaulted {
                    msg = format!("{msg} (unset: {})", d.note);
                }
                (f.span, msg)
            })
            .collect();
        out.dedup();
        out
    }
}

impl AnyFileRule for DeclarativeRule {
    fn kinds(&self) -> &'static [NodeKind] {
        self.kinds
    }

    /// A check on objects of every kind, or of CustomResourceDefinitions, may read anything in them.
    fn reads_crd_schemas(&self) -> bool {
        self.kinds.contains(&NodeKind::K8sObject)
            && (self.types.is_empty() || self.types.iter().any(|t| t == "CustomResourceDefinition"))
    }

    fn check_subject(&self, subject: &Subject<'_>, cx: &mut FileContext<'_>) {
        let id = cx.meta.id.clone();
        let prod = cx.is_prod(cx.environment());
        for (span, msg) in self.findings(subject, cx.settings, prod, &id) {
            let d = cx.report(span, msg);
            if let Some(h) = &self.help {
                d.help = Some(h.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests;
