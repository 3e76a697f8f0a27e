//! Terraform (HCL) on hcl-edit: parsing with spans, and the evaluated view of blocks as
//! [`Node`] trees for rules.
//!
//! A file parses to a [`TfFile`] holding hcl-edit's body (every block, attribute and
//! expression keeps its byte span). A *module* is every `*.tf` of one directory; the project
//! index evaluates each module's blocks with its variables (tfvars, then defaults) and locals
//! and stores the result as [`TfBlock`]s in the file that declares them.
//!
//! Blocks as nodes: attributes are map entries; nested blocks are entries whose value is a
//! **list with one map per block**, whether the block appears once or many times (so a path
//! like `security_rule.access` reaches every rule). `dynamic` blocks make that entry unknown.

pub mod eval;

use hcl_edit::structure::{Block, Body};

use crate::lang::ParseError;
use crate::source::{FileId, Node, Span};

pub use eval::Scope;

/// One parsed `.tf` or `.tfvars` file.
#[derive(Debug, Default)]
pub struct TfFile {
    /// `None` when the file did not parse.
    pub body: Option<Body>,
    /// The evaluated top-level blocks, filled in by the project index (module-aware).
    pub blocks: Vec<TfBlock>,
}

/// A top-level block (`resource "T" "N"`, `variable "x"`, `terraform`, ...) after evaluation.
#[derive(Debug, Clone)]
pub struct TfBlock {
    pub file: FileId,
    /// `resource`, `data`, `module`, `variable`, `output`, `locals`, `provider`, `terraform`...
    pub kind: String,
    pub labels: Vec<String>,
    pub label_spans: Vec<Span>,
    /// From the keyword to the last label: where "missing" findings point.
    pub header: Span,
    /// The whole block.
    pub span: Span,
    /// The evaluated body.
    pub body: Node,
    /// False when `count`/`for_each` make zero instances: such a block is not checked.
    pub enabled: bool,
}

impl TfBlock {
    /// Resource or data type, module source, provider name, variable/output name.
    pub fn type_name(&self) -> &str {
        match self.kind.as_str() {
            "module" => self.body.get("source").and_then(|n| n.as_str()).unwrap_or(""),
            _ => self.labels.first().map(String::as_str).unwrap_or(""),
        }
    }

    /// The block's name: the second label of resources/data, the first of the rest.
    pub fn name(&self) -> Option<&str> {
        match self.kind.as_str() {
            "resource" | "data" => self.labels.get(1),
            _ => self.labels.first(),
        }
        .map(String::as_str)
    }

    /// `azurerm_key_vault.main`, `data.x.y`, `module.m`, `var.v`.
    pub fn address(&self) -> String {
        match self.kind.as_str() {
            "resource" => self.labels.join("."),
            "data" => format!("data.{}", self.labels.join(".")),
            "module" => format!("module.{}", self.labels.join(".")),
            "variable" => format!("var.{}", self.labels.join(".")),
            k => format!("{k}.{}", self.labels.join(".")),
        }
    }
}

pub fn span_of(x: &impl hcl_edit::Span) -> Span {
    x.span().map(Span::from).unwrap_or_default()
}

/// The span from a block's keyword to its last label.
pub fn header_span(b: &Block) -> Span {
    let start = span_of(&b.ident);
    let end = b.labels.last().map(span_of).unwrap_or(start);
    start.cover(end)
}

/// Parse one file. A syntax error yields an empty file and the parser's position.
pub fn parse(text: &str) -> (TfFile, Vec<ParseError>) {
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => (
            TfFile {
                body: Some(body),
                blocks: Vec::new(),
            },
            Vec::new(),
        ),
        Err(e) => {
            let at = e.location().offset().min(text.len());
            // point at the offending character, not past the end of the file
            let end = text[at..].chars().next().map(|c| at + c.len_utf8()).unwrap_or(at);
            let message = e.message().lines().next().unwrap_or("invalid HCL").trim();
            let message = if message.is_empty() {
                "invalid HCL".to_string()
            } else {
                format!("invalid HCL: {message}")
            };
            (TfFile::default(), vec![ParseError::new(message, Span::new(at, end))])
        }
    }
}

#[cfg(test)]
mod tests;
