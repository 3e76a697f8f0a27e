//! One module per input language. Each turns text into a span-carrying model; none of them
//! knows about rules.

pub mod compose;
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

/// A file that could not be parsed (the parser's message and where it stopped), or a construct
/// that went over a [`crate::budget`] limit.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
    pub kind: ErrorKind,
}

/// Which core rule reports a [`ParseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text does not parse (PARSE001).
    Syntax,
    /// A construct went over a budget (PARSE004): its value is unknown, the rest of the file is
    /// still checked.
    Budget,
}

impl ParseError {
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError {
            message: message.into(),
            span,
            kind: ErrorKind::Syntax,
        }
    }

    /// A construct over a budget (PARSE004).
    pub fn budget(message: impl Into<String>, span: Span) -> Self {
        ParseError {
            message: message.into(),
            span,
            kind: ErrorKind::Budget,
        }
    }

    /// The id of the core rule that reports this error.
    pub fn rule(&self) -> &'static str {
        match self.kind {
            ErrorKind::Syntax => "PARSE001",
            ErrorKind::Budget => "PARSE004",
        }
    }
}
