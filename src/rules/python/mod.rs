//! PY: Python source rules over the tree-sitter facts of one module.

pub mod debug_enabled;
pub mod hardcoded_secret;
pub mod layer_violation;
pub mod plain_http_external;
pub mod port_not_allowed;
pub mod shell_injection;
pub mod tls_verify_disabled;
pub mod unsafe_model_load;
pub mod unsafe_yaml_load;

use std::path::{Component, Path};

use crate::lang::python::{Arg, Value};
use crate::source::Span;

/// Test code (`test_*.py`, `*_test.py`, `conftest.py`, or under a `tests`/`test` directory):
/// fixtures there hold fake secrets and local URLs on purpose.
pub fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if name.starts_with("test_") || name.ends_with("_test.py") || name == "conftest.py" {
        return true;
    }
    path.parent().is_some_and(|p| {
        p.components()
            .any(|c| matches!(c, Component::Normal(n) if n == "tests" || n == "test"))
    })
}

/// `name=value` of a keyword argument: from the name to the end of the value.
pub fn keyword_span(arg: &Arg) -> Span {
    match &arg.keyword {
        Some((_, s)) => s.cover(arg.value.span),
        None => arg.value.span,
    }
}

pub fn is_true(arg: Option<&Arg>) -> bool {
    arg.is_some_and(|a| a.value.value == Value::Bool(true))
}

pub fn is_false(arg: Option<&Arg>) -> bool {
    arg.is_some_and(|a| a.value.value == Value::Bool(false))
}
