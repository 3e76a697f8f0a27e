//! `pyproject.toml` into the spanned [`Node`] tree (keys keep their spans), via the `toml`
//! crate's spanned document parser, plus the views the layout rules ask for.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::lang::ParseError;
use crate::source::node::{Entry, Node, NodeValue};
use crate::source::Span;

/// Nesting beyond this becomes `Unknown` (bounded recursion on hostile input).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone)]
pub struct PyProject {
    pub root: Node,
    pub errors: Vec<ParseError>,
}

/// A dependency string of `[project] dependencies` (or an optional group) with its span.
#[derive(Debug, Clone)]
pub struct Dependency<'a> {
    pub text: &'a str,
    pub span: Span,
}

impl PyProject {
    /// The entry of a dotted table path (`tool.pytest.ini_options`), if present.
    pub fn table(&self, path: &str) -> Option<&Node> {
        let mut cur = &self.root;
        for part in path.split('.') {
            cur = cur.get(part)?;
        }
        Some(cur)
    }

    /// The span of a top-level table's key (`[project]`), for "missing" findings.
    pub fn header(&self, key: &str) -> Option<Span> {
        self.root.entry(key).map(|e| e.key_span)
    }

    /// `[project] dependencies`, as written.
    pub fn dependencies(&self) -> Vec<Dependency<'_>> {
        self.table("project.dependencies")
            .map(|n| strings(n.items()))
            .unwrap_or_default()
    }

    /// Whether `[project] dependencies` is declared (directly or as `dynamic`), or poetry's.
    pub fn declares_dependencies(&self) -> bool {
        self.table("project.dependencies").is_some()
            || self
                .table("project.dynamic")
                .is_some_and(|d| d.items().iter().any(|i| i.as_str() == Some("dependencies")))
            || self.table("tool.poetry.dependencies").is_some()
    }
}

fn strings(items: &[Node]) -> Vec<Dependency<'_>> {
    items
        .iter()
        .filter_map(|n| n.as_str().map(|text| Dependency { text, span: n.span }))
        .collect()
}

fn span(r: std::ops::Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

/// Parse `pyproject.toml`. Never panics; errors keep what could be recovered.
pub fn parse(text: &str) -> PyProject {
    let (doc, errs) = DeTable::parse_recoverable(text);
    let errors = errs
        .iter()
        .take(1)
        .map(|e| {
            let s = e.span().map(span).unwrap_or_default();
            ParseError::new(format!("invalid TOML: {}", e.message().trim()), s)
        })
        .collect();
    let root_span = span(doc.span());
    let root = Node::new(root_span, table(doc.get_ref(), 0));
    PyProject { root, errors }
}

fn table(t: &DeTable<'_>, depth: usize) -> NodeValue {
    let mut entries: Vec<Entry> = t
        .iter()
        .map(|(k, v)| Entry {
            key: k.get_ref().to_string(),
            key_span: span(k.span()),
            value: value(v, depth + 1),
        })
        .collect();
    entries.sort_by_key(|e| e.key_span.start);
    NodeValue::Map(entries)
}

fn value(v: &Spanned<DeValue<'_>>, depth: usize) -> Node {
    let s = span(v.span());
    if depth > MAX_DEPTH {
        return Node::new(s, NodeValue::Unknown(String::new()));
    }
    let value = match v.get_ref() {
        DeValue::String(x) => NodeValue::String(x.to_string()),
        DeValue::Integer(i) => {
            // `as_str` holds the digits without the `0x`/`0o`/`0b` prefix
            let raw = i.as_str().to_string();
            let value = i64::from_str_radix(&raw, i.radix())
                .map(|n| n as f64)
                .unwrap_or(f64::NAN);
            NodeValue::Number { value, raw }
        }
        DeValue::Float(f) => {
            let raw = f.as_str().to_string();
            NodeValue::Number {
                value: raw.replace('_', "").parse().unwrap_or(f64::NAN),
                raw,
            }
        }
        DeValue::Boolean(b) => NodeValue::Bool(*b),
        DeValue::Datetime(d) => NodeValue::String(d.to_string()),
        DeValue::Array(a) => NodeValue::Seq(a.iter().map(|x| value(x, depth + 1)).collect()),
        DeValue::Table(t) => table(t, depth),
    };
    Node::new(s, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_views() {
        let text = "[project]\nname = \"svc\"\ndependencies = [\"fastapi==0.115.0\", \"uvicorn\"]\n\n[tool.pytest.ini_options]\naddopts = \"-q\"\n";
        let p = parse(text);
        assert!(p.errors.is_empty());
        let deps = p.dependencies();
        assert_eq!(deps.len(), 2);
        assert_eq!(&text[deps[1].span.start..deps[1].span.end], "\"uvicorn\"");
        assert!(p.table("tool.pytest.ini_options").is_some());
        assert_eq!(p.header("project").map(|s| &text[s.start..s.end]), Some("project"));
    }

    #[test]
    fn reports_errors() {
        let p = parse("[project\nname = 1\n");
        assert_eq!(p.errors.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "(?s).{0,300}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_near_syntax(text in r#"[ \t\n#=:;\\\[\]()\-.@a-z0-9"'{}]{0,200}"#) {
            let _ = parse(&text);
        }
    }
}
