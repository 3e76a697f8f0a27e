use std::sync::OnceLock;

use regex::Regex;

use crate::diagnostic::Label;
use crate::lang::python::{Call, Expr, Hole, Module, Template, Value};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::test_code::is_test_code;

pub struct SqlInjection;

/// Bandit B608's test for a string that is SQL (`bandit/plugins/injection_sql.py`).
fn looks_like_sql(text: &str) -> bool {
    static SQL: OnceLock<Option<Regex>> = OnceLock::new();
    SQL.get_or_init(|| {
        Regex::new(r"(?is)(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)").ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(text))
}

/// Methods that run their first argument as SQL on a cursor, connection or session.
const METHODS: &[&str] = &["execute", "executemany", "executescript", "raw"];
/// Functions that take SQL text.
const FUNCTIONS: &[&str] = &[
    "sqlalchemy.text",
    "sqlalchemy.sql.text",
    "sqlalchemy.sql.expression.text",
    "sqlmodel.text",
    "pandas.read_sql",
    "pandas.read_sql_query",
];
const QUERY_KEYWORDS: &[&str] = &["sql", "query", "statement", "operation", "raw_query", "text"];

fn is_sink(call: &Call) -> bool {
    FUNCTIONS.contains(&call.qualified.as_str()) || (call.callee.contains('.') && METHODS.contains(&call.method()))
}

/// Whether a value sits where SQL expects a value: inside a `'...'` literal, after a
/// comparison, `LIKE`, `IN (`, `VALUES (`, `LIMIT` or `OFFSET`. Identifiers and fragments
/// (`FROM {table}`, `WHERE {clause}`) come from code far more often than from input, and
/// parameters cannot carry them.
fn value_position(literal: &str, hole: &Hole) -> bool {
    let before = literal.get(..hole.at).unwrap_or("");
    if before.matches('\'').count() % 2 == 1 {
        return true;
    }
    let before = before.trim_end();
    if before.ends_with(['=', '<', '>']) {
        return true;
    }
    let (before, paren) = match before.strip_suffix('(') {
        Some(b) => (b.trim_end(), true),
        None => (before, false),
    };
    let word = before
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if paren {
        matches!(word.as_str(), "in" | "values")
    } else {
        matches!(word.as_str(), "like" | "ilike" | "limit" | "offset")
    }
}

/// A value put into the SQL that cannot carry outside input: a literal, a module constant, a
/// number, or a run of placeholders (`", ".join(["%s"] * len(ids))`).
fn harmless(m: &Module, call: &Call, hole: &Expr, src: &str) -> bool {
    match &hole.value {
        Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::None => true,
        Value::Name(n) => {
            m.is_constant(n)
                || m.assigned_before(n, call.scope, call.span.start)
                    .is_some_and(|a| placeholders(a.value.text(src)) || number(&a.value, src))
        }
        Value::Call(_) => placeholders(hole.text(src)) || number(hole, src),
        Value::Other => number(hole, src),
        _ => false,
    }
}

/// A number: `int(...)`, `len(...)`, or arithmetic with a number literal (`page_size + 1`;
/// Python refuses `str + int`).
fn number(e: &Expr, src: &str) -> bool {
    static ARITHMETIC: OnceLock<Option<Regex>> = OnceLock::new();
    let arithmetic = ARITHMETIC.get_or_init(|| Regex::new(r"^[\w.]+\s*[-+*/]\s*\d+$|^\d+\s*[-+*/]\s*[\w.]+$").ok());
    match &e.value {
        Value::Call(f) => matches!(f.as_str(), "int" | "float" | "len"),
        Value::Int(_) => true,
        Value::Other => arithmetic.as_ref().is_some_and(|re| re.is_match(e.text(src))),
        _ => false,
    }
}

fn placeholders(text: &str) -> bool {
    text.contains(".join(") && ["\"?\"", "'?'", "\"%s\"", "'%s'"].iter().any(|p| text.contains(p))
}

impl FileRule for SqlInjection {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        // SQL in tests runs against fixture databases, with fixture values
        if is_test_code(cx.settings, &cx.source().path) {
            return;
        }
        let src = &*cx.source().text;
        let file = cx.source().id;
        let mut found = Vec::new();
        for call in m.calls.iter().filter(|c| is_sink(c)) {
            let Some(query) = call
                .positional(0)
                .or_else(|| QUERY_KEYWORDS.iter().find_map(|k| call.keyword(k)))
            else {
                continue;
            };
            let query = &query.value;
            // the query as passed, or the formatted string the name passed was assigned
            let (template, built_apart): (Option<&Template>, bool) = match &query.value {
                Value::Formatted => (m.template(query.span), false),
                Value::Name(n) => (
                    m.assigned_before(n, call.scope, call.span.start)
                        .filter(|a| a.value.value == Value::Formatted)
                        .and_then(|a| m.template(a.value.span)),
                    true,
                ),
                _ => (None, false),
            };
            let Some(t) = template else {
                continue;
            };
            if !looks_like_sql(&t.literal) {
                continue;
            }
            let unsafe_hole = t
                .holes
                .iter()
                .find(|h| value_position(&t.literal, h) && !harmless(m, call, &h.value, src));
            let Some(hole) = unsafe_hole else {
                continue;
            };
            let value: String = hole.value.text(src).chars().take(30).collect();
            let message = format!("`{value}` is formatted into the SQL passed to {}", call.display());
            let label = built_apart.then(|| Label {
                file,
                span: t.span,
                message: "the query is built here".to_string(),
            });
            found.push((query.span, message, label));
        }
        for (span, message, label) in found {
            let d = cx.report(span, message);
            d.labels.extend(label);
        }
    }
}
