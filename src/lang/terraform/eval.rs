//! Three-valued evaluation of HCL expressions into [`Node`]s.
//!
//! Known: literals, string templates of known parts, `var.x` (tfvars, then default),
//! `local.x`, lists/maps/objects, `tolist`/`toset`/`tomap`/`merge` of known values, `!`/`-`,
//! `==`/`!=`/`&&`/`||` on known values, and conditionals whose condition is known. Everything
//! else is [`NodeValue::Unknown`] with its source text.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::Element;

use super::span_of;
use crate::source::node::Entry;
use crate::source::{Node, NodeValue, Span};

/// Bound on our own recursion (expressions, locals referring to locals, nested blocks).
const MAX_DEPTH: usize = 48;
/// Largest value a local may have, in nodes: `l1 = [local.l2, local.l2]` chains double.
const MAX_VALUE_NODES: usize = 20_000;
/// Nodes a module may copy by substituting variables and locals; past it, references are unknown.
const SUBSTITUTION_BUDGET: usize = 2_000_000;

/// What `var.` and `local.` resolve to in one module.
#[derive(Default)]
pub struct Scope<'a> {
    /// Variable values (tfvars, else default), already evaluated.
    pub vars: HashMap<String, Node>,
    /// Local expressions with the text of the file declaring them.
    pub locals: HashMap<String, (&'a Expression, &'a str)>,
    memo: RefCell<HashMap<String, Node>>,
    active: RefCell<HashSet<String>>,
    /// Nodes copied so far by substitution.
    copied: Cell<usize>,
}

/// The number of nodes in a value, counting no further than `cap`.
fn size_capped(n: &Node, cap: usize) -> usize {
    let mut count = 0;
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        count += 1;
        if count > cap {
            break;
        }
        match &x.value {
            NodeValue::Seq(items) => stack.extend(items.iter()),
            NodeValue::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
}

fn unknown(span: Span, text: &str) -> Node {
    Node::new(span, NodeValue::Unknown(span.slice(text).to_string()))
}

/// Move a value computed elsewhere (a variable default, a local in another file) to the
/// reference site, so every span it carries lies in the file being checked.
pub fn respan(mut n: Node, span: Span) -> Node {
    let mut stack: Vec<&mut Node> = vec![&mut n];
    while let Some(x) = stack.pop() {
        x.span = span;
        match &mut x.value {
            NodeValue::Seq(items) => stack.extend(items.iter_mut()),
            NodeValue::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_span = span;
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
    n
}

fn truthy(n: &Node) -> Option<bool> {
    match &n.value {
        NodeValue::Bool(b) => Some(*b),
        NodeValue::String(s) if s == "true" => Some(true),
        NodeValue::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

fn known_eq(a: &Node, b: &Node) -> Option<bool> {
    match (&a.value, &b.value) {
        (NodeValue::Unknown(_), _) | (_, NodeValue::Unknown(_)) => None,
        (NodeValue::Null, NodeValue::Null) => Some(true),
        (NodeValue::Number { value: x, .. }, NodeValue::Number { value: y, .. }) => Some(x == y),
        (NodeValue::Bool(x), NodeValue::Bool(y)) => Some(x == y),
        (NodeValue::String(x), NodeValue::String(y)) => Some(x == y),
        (NodeValue::Seq(_) | NodeValue::Map(_), _) | (_, NodeValue::Seq(_) | NodeValue::Map(_)) => None,
        _ => Some(false),
    }
}

fn contains_unknown(n: &Node) -> bool {
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        match &x.value {
            NodeValue::Unknown(_) => return true,
            NodeValue::Seq(items) => stack.extend(items.iter()),
            NodeValue::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    false
}

impl<'a> Scope<'a> {
    /// A local's value, evaluated once; a cycle or a too-deep chain is unknown.
    fn local(&self, name: &str, depth: usize) -> Option<Node> {
        if let Some(n) = self.memo.borrow().get(name) {
            return Some(n.clone());
        }
        let (expr, text) = *self.locals.get(name)?;
        if depth > MAX_DEPTH || !self.active.borrow_mut().insert(name.to_string()) {
            return Some(unknown(span_of(expr), text));
        }
        let mut v = self.eval(expr, text, depth + 1);
        if size_capped(&v, MAX_VALUE_NODES) > MAX_VALUE_NODES {
            v = unknown(span_of(expr), text);
        }
        self.active.borrow_mut().remove(name);
        self.memo.borrow_mut().insert(name.to_string(), v.clone());
        Some(v)
    }

    /// Evaluate an expression of a file whose text is `text`.
    pub fn eval(&self, expr: &Expression, text: &str, depth: usize) -> Node {
        let span = span_of(expr);
        if depth > MAX_DEPTH {
            return unknown(span, text);
        }
        let value = match expr {
            Expression::Null(_) => NodeValue::Null,
            Expression::Bool(b) => NodeValue::Bool(*b.value()),
            Expression::Number(n) => {
                let raw = span.slice(text).trim();
                match n.value().as_f64() {
                    Some(v) => NodeValue::Number {
                        value: v,
                        raw: if raw.is_empty() { v.to_string() } else { raw.to_string() },
                    },
                    None => return unknown(span, text),
                }
            }
            Expression::String(s) => NodeValue::String(s.value().to_string()),
            Expression::Array(a) => NodeValue::Seq(a.iter().map(|e| self.eval(e, text, depth + 1)).collect()),
            Expression::Object(o) => {
                let mut entries = Vec::new();
                for (k, v) in o.iter() {
                    let (key, key_span) = match k {
                        ObjectKey::Ident(i) => (i.as_str().to_string(), span_of(i)),
                        ObjectKey::Expression(e) => {
                            let kn = self.eval(e, text, depth + 1);
                            match kn.scalar_text() {
                                Some(s) => (s, kn.span),
                                // unknown keys make the whole object unknown: `has_keys` must not guess
                                None => return unknown(span, text),
                            }
                        }
                    };
                    entries.push(Entry {
                        key,
                        key_span,
                        value: self.eval(v.expr(), text, depth + 1),
                    });
                }
                NodeValue::Map(entries)
            }
            Expression::StringTemplate(t) => return self.template(t.iter(), span, text, depth),
            Expression::HeredocTemplate(h) => {
                if h.indent().is_some() {
                    return unknown(span, text);
                }
                return self.template(h.template.iter(), span, text, depth);
            }
            Expression::Parenthesis(p) => return self.eval(p.inner(), text, depth + 1),
            Expression::Variable(_) => return unknown(span, text),
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, text, depth + 1);
                return match truthy(&cond) {
                    Some(true) => self.eval(&c.true_expr, text, depth + 1),
                    Some(false) => self.eval(&c.false_expr, text, depth + 1),
                    None => unknown(span, text),
                };
            }
            Expression::FuncCall(f) => {
                if f.name.is_namespaced() {
                    return unknown(span, text);
                }
                let args: Vec<&Expression> = f.args.iter().collect();
                match (f.name.name.as_str(), args.as_slice()) {
                    ("tolist" | "toset" | "tomap", [a]) if !f.args.expand_final() => {
                        let mut v = self.eval(a, text, depth + 1);
                        v.span = span;
                        return v;
                    }
                    ("merge", args) if !args.is_empty() && !f.args.expand_final() => {
                        let mut out: Vec<Entry> = Vec::new();
                        for a in args {
                            let v = self.eval(a, text, depth + 1);
                            match v.value {
                                NodeValue::Map(entries) => {
                                    for e in entries {
                                        out.retain(|x| x.key != e.key);
                                        out.push(e);
                                    }
                                }
                                NodeValue::Null => {}
                                _ => return unknown(span, text),
                            }
                        }
                        NodeValue::Map(out)
                    }
                    _ => return unknown(span, text),
                }
            }
            Expression::Traversal(t) => return self.traversal(t, span, text, depth),
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, text, depth + 1);
                match (u.operator.value(), &v.value) {
                    (UnaryOperator::Not, _) if truthy(&v).is_some() => NodeValue::Bool(!truthy(&v).unwrap_or(false)),
                    (UnaryOperator::Neg, NodeValue::Number { value, .. }) => NodeValue::Number {
                        value: -value,
                        raw: span.slice(text).trim().to_string(),
                    },
                    _ => return unknown(span, text),
                }
            }
            Expression::BinaryOp(b) => {
                let l = self.eval(&b.lhs_expr, text, depth + 1);
                let r = self.eval(&b.rhs_expr, text, depth + 1);
                let v = match b.operator.value() {
                    BinaryOperator::Eq => known_eq(&l, &r),
                    BinaryOperator::NotEq => known_eq(&l, &r).map(|x| !x),
                    BinaryOperator::And => truthy(&l).zip(truthy(&r)).map(|(x, y)| x && y),
                    BinaryOperator::Or => truthy(&l).zip(truthy(&r)).map(|(x, y)| x || y),
                    _ => None,
                };
                match v {
                    Some(b) => NodeValue::Bool(b),
                    None => return unknown(span, text),
                }
            }
            Expression::ForExpr(_) => return unknown(span, text),
        };
        Node::new(span, value)
    }

    fn template<'e>(&self, elements: impl Iterator<Item = &'e Element>, span: Span, text: &str, depth: usize) -> Node {
        let mut out = String::new();
        for el in elements {
            match el {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr, text, depth + 1);
                    match v.scalar_text() {
                        Some(s) => out.push_str(&s),
                        None if v.is_null() => {}
                        None => return unknown(span, text),
                    }
                }
                Element::Directive(_) => return unknown(span, text),
            }
        }
        Node::new(span, NodeValue::String(out))
    }

    fn traversal(&self, t: &hcl_edit::expr::Traversal, span: Span, text: &str, depth: usize) -> Node {
        let Expression::Variable(root) = &t.expr else {
            return unknown(span, text);
        };
        let mut ops = t.operators.iter().map(|o| o.value());
        let first = match ops.next() {
            Some(TraversalOperator::GetAttr(a)) => a.as_str(),
            _ => return unknown(span, text),
        };
        let base = match root.as_str() {
            "var" => self.vars.get(first).cloned(),
            "local" => self.local(first, depth),
            _ => None,
        };
        let Some(mut cur) = base else {
            return unknown(span, text);
        };
        let cost = size_capped(&cur, MAX_VALUE_NODES);
        if self.copied.get() + cost > SUBSTITUTION_BUDGET {
            return unknown(span, text);
        }
        self.copied.set(self.copied.get() + cost);
        for op in ops {
            let next = match op {
                TraversalOperator::GetAttr(a) => cur.get(a.as_str()).cloned(),
                TraversalOperator::Index(e) => {
                    let k = self.eval(e, text, depth + 1);
                    match (&cur.value, &k.value) {
                        (NodeValue::Seq(items), NodeValue::Number { value, .. })
                            if value.fract() == 0.0 && *value >= 0.0 =>
                        {
                            items.get(*value as usize).cloned()
                        }
                        (NodeValue::Map(_), _) => k.scalar_text().and_then(|s| cur.get(&s).cloned()),
                        _ => None,
                    }
                }
                TraversalOperator::LegacyIndex(i) => cur.items().get(*i.value() as usize).cloned(),
                _ => None,
            };
            match next {
                Some(n) if !n.is_unknown() => cur = n,
                _ => return unknown(span, text),
            }
        }
        if cur.is_unknown() {
            return unknown(span, text);
        }
        respan(cur, span)
    }

    /// A block body as a map: attributes as entries, nested blocks as lists of maps.
    /// `span` is the span given to the resulting map (the block header).
    pub fn body(&self, body: &Body, span: Span, text: &str, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return Node::new(span, NodeValue::Unknown("…".into()));
        }
        let mut entries: Vec<Entry> = Vec::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => entries.push(Entry {
                    key: a.key.as_str().to_string(),
                    key_span: span_of(&a.key),
                    value: self.eval(&a.value, text, depth + 1),
                }),
                Structure::Block(b) => {
                    let (key, key_span, value) = if b.ident.as_str() == "dynamic" {
                        let name = b.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default();
                        let hs = super::header_span(b);
                        (name, hs, unknown(span_of(b), text))
                    } else {
                        let hs = super::header_span(b);
                        (
                            b.ident.as_str().to_string(),
                            span_of(&b.ident),
                            self.body(&b.body, hs, text, depth + 1),
                        )
                    };
                    match entries.iter_mut().find(|e| e.key == key) {
                        Some(e) => match &mut e.value.value {
                            NodeValue::Seq(items) if !value.is_unknown() => items.push(value),
                            _ => e.value = Node::new(e.value.span, NodeValue::Unknown(format!("dynamic {key}"))),
                        },
                        None => {
                            let value = if value.is_unknown() {
                                value
                            } else {
                                Node::new(value.span, NodeValue::Seq(vec![value]))
                            };
                            entries.push(Entry { key, key_span, value });
                        }
                    }
                }
            }
        }
        Node::new(span, NodeValue::Map(entries))
    }
}

/// Whether `count`/`for_each` of an evaluated block body make zero instances.
pub fn has_zero_instances(body: &Node) -> bool {
    if let Some(c) = body.get("count") {
        if c.as_f64() == Some(0.0) || c.as_str() == Some("0") {
            return true;
        }
    }
    if let Some(f) = body.get("for_each") {
        if !contains_unknown(f) {
            return match &f.value {
                NodeValue::Seq(items) => items.is_empty(),
                NodeValue::Map(entries) => entries.is_empty(),
                NodeValue::Null => true,
                _ => false,
            };
        }
    }
    false
}
