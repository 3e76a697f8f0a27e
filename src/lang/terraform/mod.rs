//! Terraform (HCL) on hcl-edit: parsing with spans, and the evaluated view of blocks as
//! [`Node`] trees for rules.
//!
//! A file parses to a [`TfFile`] holding hcl-edit's body (every block, attribute and
//! expression keeps its byte span). A *module* is every `*.tf` of one directory; the project
//! index evaluates each module's blocks with its variables (tfvars, then defaults) and locals
//! and keeps the result as [`TfBlock`]s per module and instance.
//!
//! Blocks as nodes: attributes are map entries; nested blocks are entries whose value is a
//! **list with one map per block**, whether the block appears once or many times (so a path
//! like `security_rule.access` reaches every rule). `dynamic` blocks are expanded when their
//! `for_each` is known, else that entry is unknown.
//!
//! A module evaluated in several contexts (called by several roots, or a root with one var file
//! per environment) has one [`Instance`] per context; its blocks are evaluated once per instance.

pub mod azapi;
pub mod eval;
pub mod functions;
pub mod json;
pub mod plan;
pub mod provider_defaults;
pub mod refs;
pub mod types;

use std::collections::HashMap;
use std::sync::Arc;

use hcl_edit::structure::{Block, Body};

use crate::lang::ParseError;
use crate::source::{Environment, FileId, Node, Span};

pub use eval::{Origin, Scope};

/// One context a module is evaluated in: a root with one environment's var files, or a module
/// called by one instance of its caller.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    /// The environment of the root this instance belongs to.
    pub env: Environment,
    /// Names the context in findings: "prod, via infra/envs/prod/main.tf:12".
    pub label: String,
    /// Whether findings in this instance name it (a called module, or one of several roots).
    pub named: bool,
    /// The call (or var file) that makes this instance: the label of findings about something
    /// missing.
    pub anchor: Option<(FileId, Span, String)>,
    /// Reference sites in the module whose value was set outside it (a caller's argument, a
    /// tfvars line).
    pub origins: HashMap<(FileId, Span), Origin>,
    /// Position among the module's instances, and how many there are.
    pub index: usize,
    pub of: usize,
}

/// One parsed `.tf`, `.tfvars`, `.tftest.hcl` or lock file. Its evaluated blocks live in the
/// project's Terraform index (per module and instance), not here.
#[derive(Debug, Default)]
pub struct TfFile {
    /// `None` when the file did not parse. A `.tf` file's body is let go once the project's
    /// Terraform index is built: its blocks are evaluated there, and what rules read of its
    /// syntax is kept as the module's facts ([`crate::project::terraform::ModuleFacts`]).
    pub body: Option<Body>,
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
    /// The `for_each` key when the block was expanded per key (`["a"]`, `[0]`).
    pub key: Option<String>,
    /// The context of this evaluation; `None` for the module's own (the one project rules see).
    pub instance: Option<Arc<Instance>>,
    /// The environment this evaluation deploys to (its instance's, else its module's).
    pub env: Environment,
    /// Omitted arguments filled in with the provider's default ([`provider_defaults`]).
    pub defaults: Vec<provider_defaults::Defaulted>,
    /// The azurerm type an `azapi_resource` is checked as ([`azapi`]); its body then also
    /// holds the azurerm arguments read from the ARM body.
    pub checked_as: Option<&'static str>,
    /// Read from a plan's planned values (`terraform show -json`), not evaluated from `.tf`
    /// text: rules about how the source is written skip it.
    pub planned: bool,
}

impl Default for TfBlock {
    fn default() -> Self {
        TfBlock {
            file: FileId::default(),
            kind: String::new(),
            labels: Vec::new(),
            label_spans: Vec::new(),
            header: Span::default(),
            span: Span::default(),
            body: Node::new(Span::default(), crate::source::NodeValue::Null),
            enabled: true,
            key: None,
            instance: None,
            env: Environment::Unknown,
            defaults: Vec::new(),
            checked_as: None,
            planned: false,
        }
    }
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
        Ok(body) => (TfFile { body: Some(body) }, Vec::new()),
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
