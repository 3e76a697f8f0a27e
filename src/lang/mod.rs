//! One module per input language. Each turns text into a span-carrying model; none of them
//! knows about rules.

pub mod docker;
pub mod ini;
pub mod k8s;
pub mod makefile;
pub mod openapi;
pub mod pip;
pub mod pyproject;
pub mod python;
pub mod shell;
pub mod terraform;
pub mod yaml;

pub mod azure_pipelines;
pub mod gha;
pub mod pipeline;

use crate::source::Span;

/// A file that could not be parsed: the parser's message and where it stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

impl ParseError {
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError {
            message: message.into(),
            span,
        }
    }
}
