//! PY: Python source rules over the tree-sitter facts of one module.

pub mod debug_enabled;
pub mod hardcoded_secret;
pub mod layer_violation;
pub mod plain_http_external;
pub mod port_not_allowed;
pub mod shell_injection;
pub mod sql_injection;
pub mod tls_verify_disabled;
pub mod unsafe_model_load;
pub mod unsafe_yaml_load;

use crate::lang::python::{Arg, Value};
use crate::source::Span;

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
