//! References in HCL as written: `var.x`, `local.x`, `module.x`, `data.t.n`, `t.n` (and, in
//! test files, `output.x`, `run.r.x`). The Terraform index takes a module's references while
//! its bodies are parsed ([`crate::project::terraform::ModuleFacts`]); test files are read
//! with these too.

use std::collections::HashSet;

use hcl_edit::expr::{Expression, ForExpr, Traversal, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::ForTemplateExpr;
use hcl_edit::visit::{self, Visit};

use super::span_of;
use crate::source::Span;

/// What a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    Var,
    Local,
    Module,
    Data,
    Resource,
    /// `output.x`: only in test files (an assertion on the run's module).
    Output,
    /// `run.r` or `run.r.x` (name `r` or `r.x`): only in test files.
    Run,
}

/// `var.x`, `local.x`, `module.x`, `data.t.n`, `t.n` (and, in test files, `output.x`,
/// `run.r.x`) as written in an expression.
#[derive(Debug, Clone)]
pub struct Reference {
    pub kind: RefKind,
    /// `x` for var/local/module, `t.n` for data and resources.
    pub name: String,
    /// From the root name to the last name part.
    pub span: Span,
}

impl Reference {
    /// The reference as messages name it: "variable `x`", "resource `t.n`".
    pub fn what(&self) -> String {
        let kind = match self.kind {
            RefKind::Var => "variable",
            RefKind::Local => "local",
            RefKind::Module => "module",
            RefKind::Data => "data source",
            RefKind::Resource => "resource",
            RefKind::Output => "output",
            RefKind::Run => "run",
        };
        format!("{kind} `{}`", self.name)
    }
}

/// Names bound by `for` expressions, template `for` directives and `dynamic` blocks: their
/// traversals (`rule.value.port`) are not references to resources.
#[derive(Default)]
struct Collector {
    refs: Vec<Reference>,
    bound: HashSet<String>,
}

fn attr_name(op: &TraversalOperator) -> Option<&str> {
    match op {
        TraversalOperator::GetAttr(a) => Some(a.as_str()),
        _ => None,
    }
}

impl Visit for Collector {
    fn visit_block(&mut self, b: &Block) {
        // `moved { from = ... }` names addresses that no longer exist, by design
        if b.ident.as_str() == "moved" {
            return;
        }
        if b.ident.as_str() == "dynamic" {
            if let Some(l) = b.labels.first() {
                self.bound.insert(l.as_str().to_string());
            }
            if let Some(Expression::Variable(v)) = b.body.get_attribute("iterator").map(|a| &a.value) {
                self.bound.insert(v.as_str().to_string());
            }
        }
        visit::visit_block(self, b);
    }

    fn visit_for_expr(&mut self, f: &ForExpr) {
        if let Some(k) = &f.intro.key_var {
            self.bound.insert(k.as_str().to_string());
        }
        self.bound.insert(f.intro.value_var.as_str().to_string());
        visit::visit_for_expr(self, f);
    }

    fn visit_for_template_expr(&mut self, f: &ForTemplateExpr) {
        if let Some(k) = &f.key_var {
            self.bound.insert(k.as_str().to_string());
        }
        self.bound.insert(f.value_var.as_str().to_string());
        visit::visit_for_template_expr(self, f);
    }

    fn visit_traversal(&mut self, t: &Traversal) {
        if let Expression::Variable(root) = &t.expr {
            let ops: Vec<_> = t.operators.iter().collect();
            let name_at = |i: usize| ops.get(i).and_then(|o| attr_name(o.value()));
            let span_to = |i: usize| {
                let end = ops.get(i).map(|o| span_of(*o)).unwrap_or_default();
                span_of(root).cover(end)
            };
            let r = root.as_str();
            let found = match r {
                "var" | "local" | "module" => name_at(0).map(|n| {
                    let kind = match r {
                        "var" => RefKind::Var,
                        "local" => RefKind::Local,
                        _ => RefKind::Module,
                    };
                    (kind, n.to_string(), span_to(0))
                }),
                "output" => name_at(0).map(|n| (RefKind::Output, n.to_string(), span_to(0))),
                "run" => name_at(0).map(|r| match name_at(1) {
                    Some(x) => (RefKind::Run, format!("{r}.{x}"), span_to(1)),
                    None => (RefKind::Run, r.to_string(), span_to(0)),
                }),
                "data" => name_at(0)
                    .zip(name_at(1))
                    .map(|(t, n)| (RefKind::Data, format!("{t}.{n}"), span_to(1))),
                _ if r.contains('_') => name_at(0).map(|n| (RefKind::Resource, format!("{r}.{n}"), span_to(0))),
                _ => None,
            };
            if let Some((kind, name, span)) = found {
                self.refs.push(Reference { kind, name, span });
            }
        }
        visit::visit_traversal(self, t);
    }
}

/// Every reference in a body, minus traversals of names bound by `for`/`dynamic`.
pub fn references(body: &Body) -> Vec<Reference> {
    let mut c = Collector::default();
    c.visit_body(body);
    unbound(c)
}

/// Every reference in one expression, minus traversals of names bound by `for`.
pub fn expr_references(e: &Expression) -> Vec<Reference> {
    let mut c = Collector::default();
    c.visit_expr(e);
    unbound(c)
}

fn unbound(c: Collector) -> Vec<Reference> {
    let bound = c.bound;
    c.refs
        .into_iter()
        .filter(|r| {
            let root = match r.kind {
                RefKind::Resource => r.name.split('.').next(),
                RefKind::Output => Some("output"),
                RefKind::Run => Some("run"),
                _ => None,
            };
            !root.is_some_and(|root| bound.contains(root))
        })
        .collect()
}
