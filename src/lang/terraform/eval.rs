//! Three-valued evaluation of HCL expressions into [`Node`]s.
//!
//! What Terraform computes before it talks to a provider is computed here too: literals,
//! string templates (with `%{if}` / `%{for}` directives), `var.x`, `local.x`, `each.*`,
//! `count.index`, arithmetic, comparisons, conditionals, `for` expressions, splats, and the
//! deterministic built-in functions ([`super::functions`]). What needs the provider or the file
//! system (resource attributes, data sources, `file()`, `timestamp()`) is
//! [`NodeValue::Unknown`] with its source text, and an unknown value never triggers a rule.
//!
//! Evaluation errors that Terraform would report (`var.m.missing`, an index out of range) are
//! kept apart from unknowns so that `try()` and `can()` behave as in Terraform; anywhere else an
//! error reads as unknown.
//!
//! Evaluation is bounded in steps and bytes ([`limits`]): a value that would outgrow a budget is
//! unknown, and the construct that hit the budget is recorded ([`Scope::exceeded`]).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, ObjectKey, Traversal, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Directive, Element, Template};

use super::span_of;
use crate::source::node::Entry;
use crate::source::{FileId, Node, NodeValue, Span};

/// The evaluator's budgets (set in [`crate::budget`], documented in `docs/security.md`). A value
/// or evaluation past a limit is unknown.
pub mod limits {
    use crate::budget;

    /// Recursion depth of expressions, locals referring to locals, and nested blocks.
    pub const MAX_DEPTH: usize = budget::TERRAFORM_DEPTH.get();
    /// Longest string a template or function may build (bytes).
    pub const MAX_STRING_BYTES: usize = budget::TERRAFORM_STRING_BYTES.get();
    /// Most elements a list or map may have.
    pub const MAX_ELEMENTS: usize = budget::TERRAFORM_ELEMENTS.get();
    /// Evaluation steps of one module instance (one per expression node, plus the work of
    /// each function call in proportion to its input).
    pub const MAX_STEPS: u64 = budget::TERRAFORM_STEPS_PER_MODULE.value;
    /// Bytes one module instance may build: strings created and values copied by substitution.
    pub const MAX_BYTES: u64 = budget::TERRAFORM_BYTES_PER_MODULE.value;
    /// Bytes the whole run may build, over every module instance.
    pub const RUN_MAX_BYTES: u64 = budget::TERRAFORM_BYTES_PER_RUN.value;
    /// Steps the whole run may take, over every module instance.
    pub const RUN_MAX_STEPS: u64 = budget::TERRAFORM_STEPS_PER_RUN.value;
    /// Instances a `for_each` resource or `dynamic` block is expanded into.
    pub const MAX_EXPANSION: usize = budget::TERRAFORM_EXPANSION.get();
}

/// Bytes a copied node costs besides its strings.
const NODE_BYTES: u64 = 48;

/// Work counted over a whole run, shared by every module instance's [`Scope`].
#[derive(Debug, Default)]
pub struct RunBudget {
    steps: AtomicU64,
    bytes: AtomicU64,
}

impl RunBudget {
    pub fn steps(&self) -> u64 {
        self.steps.load(Ordering::Relaxed)
    }
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// A definite evaluation error (Terraform would fail the plan): caught by `try()` / `can()`,
/// unknown everywhere else.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError(pub String);

pub type Eval = Result<Node, EvalError>;

pub(super) fn error<T>(msg: impl Into<String>) -> Result<T, EvalError> {
    Err(EvalError(msg.into()))
}

/// A local value: its expression and the file declaring it.
#[derive(Clone, Copy)]
pub struct Local<'a> {
    pub expr: &'a Expression,
    pub text: &'a str,
    pub file: FileId,
}

/// Where a value given to a module came from: a tfvars line, a caller's argument, a default.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub file: FileId,
    pub span: Span,
    /// What set it, for the label: "set by `prod.tfvars`", "passed by the caller".
    pub what: String,
}

/// What `var.`, `local.`, `each.` and `count.` resolve to in one module instance.
pub struct Scope<'a> {
    /// Variable values (caller's argument, tfvars, else default), converted to their type.
    pub vars: HashMap<String, Node>,
    /// Where each variable's value was set, when outside the module.
    pub var_origins: HashMap<String, Origin>,
    pub locals: HashMap<String, Local<'a>>,
    /// The file whose expressions are being evaluated: where recorded spans lie.
    file: Cell<FileId>,
    memo: RefCell<HashMap<String, std::rc::Rc<Node>>>,
    active: RefCell<HashSet<String>>,
    /// Names bound by `for` expressions, `dynamic` blocks, `each` and `count`; innermost last.
    bindings: RefCell<Vec<(String, Node)>>,
    /// Reference sites whose value came from outside the module.
    origins: RefCell<HashMap<(FileId, Span), Origin>>,
    /// Every origin recorded, in order: a value computed from one carries it on.
    origin_log: RefCell<Vec<Origin>>,
    /// Constructs that hit a budget.
    exceeded: RefCell<Vec<(FileId, Span, &'static crate::budget::Limit)>>,
    steps: Cell<u64>,
    bytes: Cell<u64>,
    spent: Cell<bool>,
    run: Arc<RunBudget>,
}

impl Default for Scope<'_> {
    fn default() -> Self {
        Scope::new(Arc::new(RunBudget::default()))
    }
}

pub(super) fn unknown(span: Span, text: &str) -> Node {
    Node::new(span, NodeValue::Unknown(span.slice(text).to_string()))
}

pub(super) fn string(span: Span, s: String) -> Node {
    Node::new(span, NodeValue::String(s))
}

pub(super) fn boolean(span: Span, b: bool) -> Node {
    Node::new(span, NodeValue::Bool(b))
}

/// How Terraform prints a number: integers without a fraction.
pub fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

pub(super) fn number(span: Span, v: f64) -> Node {
    Node::new(
        span,
        NodeValue::Number {
            value: v,
            raw: number_text(v),
        },
    )
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

/// A value's cost in bytes (nodes and strings), counting no further than `cap`.
pub fn weight(n: &Node, cap: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        total += NODE_BYTES;
        match &x.value {
            NodeValue::String(s) | NodeValue::Unknown(s) => total += s.len() as u64,
            NodeValue::Number { raw, .. } => total += raw.len() as u64,
            NodeValue::Seq(items) => stack.extend(items.iter()),
            NodeValue::Map(entries) => {
                for e in entries {
                    total += e.key.len() as u64;
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
        if total > cap {
            break;
        }
    }
    total
}

pub(super) fn truthy(n: &Node) -> Option<bool> {
    match &n.value {
        NodeValue::Bool(b) => Some(*b),
        NodeValue::String(s) if s == "true" => Some(true),
        NodeValue::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

/// Whether a value is wholly known (no unknown anywhere inside).
pub fn is_known(n: &Node) -> bool {
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        match &x.value {
            NodeValue::Unknown(_) => return false,
            NodeValue::Seq(items) => stack.extend(items.iter()),
            NodeValue::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    true
}

/// Terraform equality of two values; `None` when an unknown decides it.
pub fn known_eq(a: &Node, b: &Node) -> Option<bool> {
    match (&a.value, &b.value) {
        (NodeValue::Unknown(_), _) | (_, NodeValue::Unknown(_)) => None,
        (NodeValue::Null, NodeValue::Null) => Some(true),
        (NodeValue::Number { value: x, .. }, NodeValue::Number { value: y, .. }) => Some(x == y),
        (NodeValue::Bool(x), NodeValue::Bool(y)) => Some(x == y),
        (NodeValue::String(x), NodeValue::String(y)) => Some(x == y),
        (NodeValue::Seq(x), NodeValue::Seq(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for (p, q) in x.iter().zip(y) {
                match known_eq(p, q) {
                    Some(false) => return Some(false),
                    None => all = None,
                    Some(true) => {}
                }
            }
            all
        }
        (NodeValue::Map(x), NodeValue::Map(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for e in x {
                let Some(f) = y.iter().find(|f| f.key == e.key) else {
                    return Some(false);
                };
                match known_eq(&e.value, &f.value) {
                    Some(false) => return Some(false),
                    None => all = None,
                    Some(true) => {}
                }
            }
            all
        }
        _ => Some(false),
    }
}

/// A number, converting a numeric string as Terraform does.
pub(super) fn as_number(n: &Node) -> Option<f64> {
    match &n.value {
        NodeValue::Number { value, .. } => Some(*value),
        NodeValue::String(s) => s.trim().parse::<f64>().ok().filter(|v| v.is_finite()),
        _ => None,
    }
}

/// A string, converting numbers and booleans as Terraform does.
pub(super) fn as_text(n: &Node) -> Option<String> {
    match &n.value {
        NodeValue::String(s) => Some(s.clone()),
        NodeValue::Number { value, .. } => Some(number_text(*value)),
        NodeValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl<'a> Scope<'a> {
    pub fn new(run: Arc<RunBudget>) -> Self {
        Scope {
            vars: HashMap::new(),
            var_origins: HashMap::new(),
            locals: HashMap::new(),
            file: Cell::new(FileId::default()),
            memo: RefCell::new(HashMap::new()),
            active: RefCell::new(HashSet::new()),
            bindings: RefCell::new(Vec::new()),
            origins: RefCell::new(HashMap::new()),
            origin_log: RefCell::new(Vec::new()),
            exceeded: RefCell::new(Vec::new()),
            steps: Cell::new(0),
            bytes: Cell::new(0),
            spent: Cell::new(false),
            run,
        }
    }

    /// Set the file whose expressions are evaluated next (for recorded spans).
    pub fn set_file(&self, file: FileId) {
        self.file.set(file);
    }

    /// Steps taken so far: the measure of work tests bound.
    pub fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// Bytes built so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.get()
    }

    /// The constructs whose evaluation hit a budget, with their file and the budget.
    pub fn exceeded(&self) -> Vec<(FileId, Span, &'static crate::budget::Limit)> {
        self.exceeded.borrow().clone()
    }

    /// Reference sites whose value came from outside the module, with where it was set.
    pub fn take_origins(&self) -> HashMap<(FileId, Span), Origin> {
        std::mem::take(&mut *self.origins.borrow_mut())
    }

    /// Where the value at a reference site was set, when outside the module.
    pub fn origin_at(&self, file: FileId, span: Span) -> Option<Origin> {
        self.origins.borrow().get(&(file, span)).cloned()
    }

    fn over(&self, span: Span, limit: &'static crate::budget::Limit) {
        if !self.spent.replace(true) {
            self.exceeded.borrow_mut().push((self.file.get(), span, limit));
        }
    }

    /// Count `n` steps; false when a step budget is spent.
    pub(super) fn step(&self, n: u64, span: Span) -> bool {
        if self.spent.get() {
            return false;
        }
        let s = self.steps.get().saturating_add(n);
        self.steps.set(s);
        let run = self.run.steps.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        if s > limits::MAX_STEPS || run > limits::RUN_MAX_STEPS {
            let limit = match s > limits::MAX_STEPS {
                true => &crate::budget::TERRAFORM_STEPS_PER_MODULE,
                false => &crate::budget::TERRAFORM_STEPS_PER_RUN,
            };
            self.over(span, limit);
            return false;
        }
        true
    }

    /// Count `n` bytes built; false when a byte budget is spent.
    pub(super) fn charge(&self, n: u64, span: Span) -> bool {
        if self.spent.get() {
            return false;
        }
        let b = self.bytes.get().saturating_add(n);
        self.bytes.set(b);
        let run = self.run.bytes.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        if b > limits::MAX_BYTES || run > limits::RUN_MAX_BYTES {
            let limit = match b > limits::MAX_BYTES {
                true => &crate::budget::TERRAFORM_BYTES_PER_MODULE,
                false => &crate::budget::TERRAFORM_BYTES_PER_RUN,
            };
            self.over(span, limit);
            return false;
        }
        true
    }

    /// The unknown a construct becomes when its value would be too large.
    pub(super) fn too_big(&self, span: Span, text: &str, limit: &'static crate::budget::Limit) -> Node {
        self.over(span, limit);
        unknown(span, text)
    }

    /// A string result, or unknown when it is too long or the byte budget is spent.
    pub(super) fn make_string(&self, span: Span, s: String, text: &str) -> Node {
        if s.len() > limits::MAX_STRING_BYTES {
            self.over(span, &crate::budget::TERRAFORM_STRING_BYTES);
            return unknown(span, text);
        }
        if !self.charge(s.len() as u64 + NODE_BYTES, span) {
            return unknown(span, text);
        }
        string(span, s)
    }

    /// A collection result, or unknown when it has too many elements.
    pub(super) fn make_seq(&self, span: Span, items: Vec<Node>, text: &str) -> Node {
        if items.len() > limits::MAX_ELEMENTS {
            self.over(span, &crate::budget::TERRAFORM_ELEMENTS);
            return unknown(span, text);
        }
        Node::new(span, NodeValue::Seq(items))
    }

    pub(super) fn make_map(&self, span: Span, entries: Vec<Entry>, text: &str) -> Node {
        if entries.len() > limits::MAX_ELEMENTS {
            self.over(span, &crate::budget::TERRAFORM_ELEMENTS);
            return unknown(span, text);
        }
        Node::new(span, NodeValue::Map(entries))
    }

    /// Run `f` with `name` bound to `value` (a `for` variable, a `dynamic` iterator, `each`).
    pub fn with_binding<T>(&self, name: &str, value: Node, f: impl FnOnce() -> T) -> T {
        self.bindings.borrow_mut().push((name.to_string(), value));
        let out = f();
        self.bindings.borrow_mut().pop();
        out
    }

    fn binding(&self, name: &str) -> Option<Node> {
        self.bindings
            .borrow()
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// A local's value, evaluated once; a cycle or a too-deep chain is unknown.
    fn local(&self, name: &str, depth: usize) -> Option<Result<std::rc::Rc<Node>, EvalError>> {
        if let Some(n) = self.memo.borrow().get(name) {
            return Some(Ok(n.clone()));
        }
        let local = *self.locals.get(name)?;
        let span = span_of(local.expr);
        if depth > limits::MAX_DEPTH || !self.active.borrow_mut().insert(name.to_string()) {
            return Some(Ok(std::rc::Rc::new(unknown(span, local.text))));
        }
        // a local sees neither the bindings nor the file of the place that refers to it
        let saved = std::mem::take(&mut *self.bindings.borrow_mut());
        let file = self.file.replace(local.file);
        let v = self.ev(local.expr, local.text, depth + 1);
        self.file.set(file);
        *self.bindings.borrow_mut() = saved;
        self.active.borrow_mut().remove(name);
        // an error is kept for `try()`, but not memoized as a value
        let v = match v {
            Ok(n) => std::rc::Rc::new(n),
            Err(e) => return Some(Err(e)),
        };
        self.memo.borrow_mut().insert(name.to_string(), v.clone());
        Some(Ok(v))
    }

    /// The origin recorded for a local's value, carried to the site that refers to it.
    fn local_origin(&self, name: &str, value: &Node) -> Option<Origin> {
        let local = self.locals.get(name)?;
        self.origins.borrow().get(&(local.file, value.span)).cloned()
    }

    /// Evaluate an expression of a file whose text is `text`; errors read as unknown.
    pub fn eval(&self, expr: &Expression, text: &str, depth: usize) -> Node {
        match self.ev(expr, text, depth) {
            Ok(n) => n,
            Err(_) => unknown(span_of(expr), text),
        }
    }

    /// Evaluate, keeping errors apart from unknowns.
    pub fn try_eval(&self, expr: &Expression, text: &str, depth: usize) -> Eval {
        self.ev(expr, text, depth)
    }

    pub(super) fn ev(&self, expr: &Expression, text: &str, depth: usize) -> Eval {
        let mark = self.origin_log.borrow().len();
        let out = self.ev_inner(expr, text, depth);
        // a value computed from one set outside the module was set there too
        if let Ok(n) = &out {
            let log = self.origin_log.borrow();
            if log.len() > mark {
                let key = (self.file.get(), n.span);
                let mut origins = self.origins.borrow_mut();
                origins.entry(key).or_insert_with(|| log[mark].clone());
            }
        }
        out
    }

    fn record_origin(&self, span: Span, o: Origin) {
        self.origin_log.borrow_mut().push(o.clone());
        self.origins.borrow_mut().insert((self.file.get(), span), o);
    }

    fn ev_inner(&self, expr: &Expression, text: &str, depth: usize) -> Eval {
        let span = span_of(expr);
        if depth > limits::MAX_DEPTH || !self.step(1, span) {
            return Ok(unknown(span, text));
        }
        let value = match expr {
            Expression::Null(_) => NodeValue::Null,
            Expression::Bool(b) => NodeValue::Bool(*b.value()),
            Expression::Number(n) => {
                let raw = span.slice(text).trim();
                match n.value().as_f64() {
                    Some(v) => NodeValue::Number {
                        value: v,
                        raw: if raw.is_empty() {
                            number_text(v)
                        } else {
                            raw.to_string()
                        },
                    },
                    None => return Ok(unknown(span, text)),
                }
            }
            Expression::String(s) => NodeValue::String(s.value().to_string()),
            Expression::Array(a) => {
                let mut items = Vec::with_capacity(a.len());
                for e in a.iter() {
                    items.push(self.ev(e, text, depth + 1)?);
                }
                return Ok(self.make_seq(span, items, text));
            }
            Expression::Object(o) => {
                let mut entries: Vec<Entry> = Vec::with_capacity(o.len());
                let mut index: HashMap<String, usize> = HashMap::new();
                for (k, v) in o.iter() {
                    let (key, key_span) = match k {
                        ObjectKey::Ident(i) => (i.as_str().to_string(), span_of(i)),
                        ObjectKey::Expression(e) => {
                            // `(var.x) = 1` and `"a" = 1`; a bare name is the name itself
                            let kn = match e {
                                Expression::Variable(v) => string(span_of(e), v.as_str().to_string()),
                                _ => self.ev(e, text, depth + 1)?,
                            };
                            match as_text(&kn) {
                                Some(s) => (s, kn.span),
                                // unknown keys make the whole object unknown: `has_keys` must not guess
                                None => return Ok(unknown(span, text)),
                            }
                        }
                    };
                    let value = self.ev(v.expr(), text, depth + 1)?;
                    let entry = Entry { key, key_span, value };
                    match index.get(&entry.key) {
                        Some(&i) => entries[i] = entry,
                        None => {
                            index.insert(entry.key.clone(), entries.len());
                            entries.push(entry);
                        }
                    }
                }
                return Ok(self.make_map(span, entries, text));
            }
            Expression::StringTemplate(t) => return self.template(t, span, text, depth),
            Expression::HeredocTemplate(h) => return self.template(&h.template, span, text, depth),
            Expression::Parenthesis(p) => {
                let mut v = self.ev(p.inner(), text, depth + 1)?;
                if !matches!(v.value, NodeValue::Seq(_) | NodeValue::Map(_)) {
                    v.span = span;
                }
                return Ok(v);
            }
            Expression::Variable(v) => {
                return Ok(match self.binding(v.as_str()) {
                    Some(n) => respan(n, span),
                    None => unknown(span, text),
                })
            }
            Expression::Conditional(c) => {
                let cond = self.ev(&c.cond_expr, text, depth + 1)?;
                return match &cond.value {
                    NodeValue::Unknown(_) => {
                        // both branches equal and known: the condition does not matter
                        let (Ok(t), Ok(f)) = (
                            self.ev(&c.true_expr, text, depth + 1),
                            self.ev(&c.false_expr, text, depth + 1),
                        ) else {
                            return Ok(unknown(span, text));
                        };
                        if is_known(&t) && known_eq(&t, &f) == Some(true) {
                            Ok(t)
                        } else {
                            Ok(unknown(span, text))
                        }
                    }
                    _ => match truthy(&cond) {
                        Some(true) => self.ev(&c.true_expr, text, depth + 1),
                        Some(false) => self.ev(&c.false_expr, text, depth + 1),
                        None => error("condition is not a bool"),
                    },
                };
            }
            Expression::FuncCall(f) => return self.func_call(f, span, text, depth),
            Expression::Traversal(t) => return self.traversal(t, span, text, depth),
            Expression::UnaryOp(u) => {
                let v = self.ev(&u.expr, text, depth + 1)?;
                if v.is_unknown() {
                    return Ok(unknown(span, text));
                }
                match u.operator.value() {
                    UnaryOperator::Not => match truthy(&v) {
                        Some(b) => NodeValue::Bool(!b),
                        None => return error("`!` needs a bool"),
                    },
                    UnaryOperator::Neg => match as_number(&v) {
                        Some(x) => return Ok(number(span, -x)),
                        None => return error("`-` needs a number"),
                    },
                }
            }
            Expression::BinaryOp(b) => return self.binary(b, span, text, depth),
            Expression::ForExpr(f) => return self.for_expr(f, span, text, depth),
        };
        Ok(Node::new(span, value))
    }

    fn binary(&self, b: &hcl_edit::expr::BinaryOp, span: Span, text: &str, depth: usize) -> Eval {
        let l = self.ev(&b.lhs_expr, text, depth + 1)?;
        let r = self.ev(&b.rhs_expr, text, depth + 1)?;
        let op = *b.operator.value();
        match op {
            BinaryOperator::And | BinaryOperator::Or => {
                let (x, y) = (truthy(&l), truthy(&r));
                let is_and = op == BinaryOperator::And;
                // a known `false &&` (or `true ||`) decides whatever the other side is
                if x == Some(!is_and) || y == Some(!is_and) {
                    return Ok(boolean(span, !is_and));
                }
                return Ok(match (x, y) {
                    (Some(_), Some(_)) => boolean(span, is_and),
                    _ if (l.is_unknown() || x.is_some()) && (r.is_unknown() || y.is_some()) => unknown(span, text),
                    _ => return error("logical operator needs bools"),
                });
            }
            BinaryOperator::Eq | BinaryOperator::NotEq => {
                return Ok(match known_eq(&l, &r) {
                    Some(e) => boolean(span, e == (op == BinaryOperator::Eq)),
                    None => unknown(span, text),
                })
            }
            _ => {}
        }
        if l.is_unknown() || r.is_unknown() {
            return Ok(unknown(span, text));
        }
        let (Some(x), Some(y)) = (as_number(&l), as_number(&r)) else {
            return error("arithmetic needs numbers");
        };
        let v = match op {
            BinaryOperator::Less => return Ok(boolean(span, x < y)),
            BinaryOperator::LessEq => return Ok(boolean(span, x <= y)),
            BinaryOperator::Greater => return Ok(boolean(span, x > y)),
            BinaryOperator::GreaterEq => return Ok(boolean(span, x >= y)),
            BinaryOperator::Plus => x + y,
            BinaryOperator::Minus => x - y,
            BinaryOperator::Mul => x * y,
            BinaryOperator::Div if y == 0.0 => return error("division by zero"),
            BinaryOperator::Div => x / y,
            BinaryOperator::Mod if y == 0.0 => return error("modulo by zero"),
            BinaryOperator::Mod => x % y,
            _ => return Ok(unknown(span, text)),
        };
        if !v.is_finite() {
            return Ok(unknown(span, text));
        }
        Ok(number(span, v))
    }

    fn func_call(&self, f: &hcl_edit::expr::FuncCall, span: Span, text: &str, depth: usize) -> Eval {
        if f.name.is_namespaced() {
            return Ok(unknown(span, text));
        }
        let name = f.name.name.as_str();
        match name {
            // errors are their business: evaluate lazily
            "try" => {
                for a in f.args.iter() {
                    match self.ev(a, text, depth + 1) {
                        Ok(v) if is_known(&v) => return Ok(v),
                        // an unknown first success: which argument wins is unknown
                        Ok(_) => return Ok(unknown(span, text)),
                        Err(_) => continue,
                    }
                }
                return error("no argument of `try` succeeded");
            }
            "can" => {
                let Some(a) = f.args.iter().next() else {
                    return error("`can` takes one argument");
                };
                return Ok(match self.ev(a, text, depth + 1) {
                    Ok(v) if is_known(&v) => boolean(span, true),
                    Ok(_) => unknown(span, text),
                    Err(_) => boolean(span, false),
                });
            }
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        for a in f.args.iter() {
            args.push(self.ev(a, text, depth + 1)?);
        }
        // `f(list...)`: the last argument's elements are the final arguments
        if f.args.expand_final() {
            match args.pop() {
                Some(last) => match last.value {
                    NodeValue::Seq(items) => args.extend(items),
                    NodeValue::Unknown(_) => return Ok(unknown(span, text)),
                    _ => return error("`...` needs a list"),
                },
                None => return Ok(unknown(span, text)),
            }
        }
        super::functions::call(self, name, args, span, text)
    }

    fn template(&self, t: &Template, span: Span, text: &str, depth: usize) -> Eval {
        let mut out = String::new();
        match self.render(t, &mut out, span, text, depth)? {
            true => Ok(self.make_string(span, out, text)),
            false => Ok(unknown(span, text)),
        }
    }

    /// Append a template's text to `out`; false when some part is unknown.
    fn render(&self, t: &Template, out: &mut String, span: Span, text: &str, depth: usize) -> Result<bool, EvalError> {
        if depth > limits::MAX_DEPTH {
            return Ok(false);
        }
        let elements: Vec<&Element> = t.iter().collect();
        // `~` strip markers remove the whitespace next to an interpolation or directive
        let strip_after = |i: usize| match elements.get(i) {
            Some(Element::Interpolation(x)) => x.strip.strip_end(),
            Some(Element::Directive(d)) => match d.as_ref() {
                Directive::If(d) => d.endif_expr.strip.strip_end(),
                Directive::For(d) => d.endfor_expr.strip.strip_end(),
            },
            _ => false,
        };
        let strip_before = |i: usize| match elements.get(i) {
            Some(Element::Interpolation(x)) => x.strip.strip_start(),
            Some(Element::Directive(d)) => match d.as_ref() {
                Directive::If(d) => d.if_expr.strip.strip_start(),
                Directive::For(d) => d.for_expr.strip.strip_start(),
            },
            _ => false,
        };
        for (i, el) in elements.iter().enumerate() {
            if out.len() > limits::MAX_STRING_BYTES {
                self.over(span, &crate::budget::TERRAFORM_STRING_BYTES);
                return Ok(false);
            }
            let directive = match el {
                Element::Directive(d) => Some(d.as_ref()),
                _ => None,
            };
            match (el, directive) {
                (Element::Literal(s), _) => {
                    let mut v: &str = s.value();
                    if i > 0 && strip_after(i - 1) {
                        v = v.trim_start();
                    }
                    if strip_before(i + 1) {
                        v = v.trim_end();
                    }
                    out.push_str(v);
                }
                (Element::Interpolation(x), _) => {
                    let v = self.ev(&x.expr, text, depth + 1)?;
                    match &v.value {
                        NodeValue::Unknown(_) => return Ok(false),
                        NodeValue::Null => return error("null in a template"),
                        NodeValue::Seq(_) | NodeValue::Map(_) => return error("a collection in a template"),
                        _ => out.push_str(&as_text(&v).unwrap_or_default()),
                    }
                }
                (_, Some(Directive::If(d))) => {
                    let cond = self.ev(&d.if_expr.cond_expr, text, depth + 1)?;
                    match truthy(&cond) {
                        Some(true) => {
                            if !self.render(&d.if_expr.template, out, span, text, depth + 1)? {
                                return Ok(false);
                            }
                        }
                        Some(false) => {
                            if let Some(e) = &d.else_expr {
                                if !self.render(&e.template, out, span, text, depth + 1)? {
                                    return Ok(false);
                                }
                            }
                        }
                        None if cond.is_unknown() => return Ok(false),
                        None => return error("template condition is not a bool"),
                    }
                }
                (Element::Directive(_), None) => return Ok(false),
                (_, Some(Directive::For(d))) => {
                    let f = &d.for_expr;
                    let coll = self.ev(&f.collection_expr, text, depth + 1)?;
                    let Some(pairs) = self.pairs(&coll)? else {
                        return Ok(false);
                    };
                    for (k, v) in pairs {
                        if !self.step(1, span) {
                            return Ok(false);
                        }
                        let ok = self.with_binding(f.value_var.as_str(), v, || match &f.key_var {
                            Some(kv) => self
                                .with_binding(kv.as_str(), k, || self.render(&f.template, out, span, text, depth + 1)),
                            None => self.render(&f.template, out, span, text, depth + 1),
                        })?;
                        if !ok {
                            return Ok(false);
                        }
                    }
                }
            }
        }
        Ok(true)
    }

    /// The (key, value) pairs a `for` iterates; `None` when the collection is unknown.
    fn pairs(&self, coll: &Node) -> Result<Option<Vec<(Node, Node)>>, EvalError> {
        Ok(Some(match &coll.value {
            NodeValue::Unknown(_) => return Ok(None),
            NodeValue::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (number(v.span, i as f64), v.clone()))
                .collect(),
            NodeValue::Map(entries) => entries
                .iter()
                .map(|e| (string(e.key_span, e.key.clone()), e.value.clone()))
                .collect(),
            NodeValue::Null => return error("`for` over null"),
            _ => return error("`for` over a value that is not a collection"),
        }))
    }

    fn for_expr(&self, f: &ForExpr, span: Span, text: &str, depth: usize) -> Eval {
        let coll = self.ev(&f.intro.collection_expr, text, depth + 1)?;
        let Some(pairs) = self.pairs(&coll)? else {
            return Ok(unknown(span, text));
        };
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str());
        let value_var = f.intro.value_var.as_str();
        let mut items: Vec<Node> = Vec::new();
        let mut entries: Vec<Entry> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (k, v) in pairs {
            if !self.step(1, span) {
                return Ok(unknown(span, text));
            }
            let run = || -> Result<Option<(Option<Node>, Node)>, EvalError> {
                if let Some(c) = &f.cond {
                    let keep = self.ev(&c.expr, text, depth + 1)?;
                    match truthy(&keep) {
                        Some(true) => {}
                        Some(false) => return Ok(None),
                        None if keep.is_unknown() => return Err(EvalError(String::new())),
                        None => return error("`for` condition is not a bool"),
                    }
                }
                let key = match &f.key_expr {
                    Some(ke) => Some(self.ev(ke, text, depth + 1)?),
                    None => None,
                };
                Ok(Some((key, self.ev(&f.value_expr, text, depth + 1)?)))
            };
            let bound = self.with_binding(value_var, v, || match key_var {
                Some(kv) => self.with_binding(kv, k, run),
                None => run(),
            });
            let (key, value) = match bound {
                Ok(Some(x)) => x,
                Ok(None) => continue,
                // an unknown condition: which elements remain is unknown
                Err(e) if e.0.is_empty() => return Ok(unknown(span, text)),
                Err(e) => return Err(e),
            };
            match key {
                None => items.push(value),
                Some(kn) => {
                    let Some(key) = as_text(&kn) else {
                        if kn.is_unknown() {
                            return Ok(unknown(span, text));
                        }
                        return error("object key is not a string");
                    };
                    match index.get(&key) {
                        Some(&i) if f.grouping => {
                            if let NodeValue::Seq(group) = &mut entries[i].value.value {
                                group.push(value);
                            }
                        }
                        Some(_) => return error(format!("duplicate key `{key}` in `for`")),
                        None => {
                            index.insert(key.clone(), entries.len());
                            let value = if f.grouping {
                                Node::new(value.span, NodeValue::Seq(vec![value]))
                            } else {
                                value
                            };
                            entries.push(Entry {
                                key,
                                key_span: kn.span,
                                value,
                            });
                        }
                    }
                }
            }
        }
        if f.key_expr.is_some() {
            Ok(self.make_map(span, entries, text))
        } else {
            Ok(self.make_seq(span, items, text))
        }
    }

    /// Copy a value to a reference site, charged before it is copied; unknown when over budget.
    fn copy(&self, v: &Node, span: Span, text: &str) -> Node {
        if self.spent.get() {
            return unknown(span, text);
        }
        let remaining = limits::MAX_BYTES.saturating_sub(self.bytes.get()) + 1;
        let w = weight(v, remaining);
        if !self.charge(w, span) {
            return unknown(span, text);
        }
        respan(v.clone(), span)
    }

    fn traversal(&self, t: &Traversal, span: Span, text: &str, depth: usize) -> Eval {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let (mut cur, rest): (Node, &[&TraversalOperator]) = match &t.expr {
            Expression::Variable(root) => {
                let root = root.as_str();
                let first = match ops.first() {
                    Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
                    _ => None,
                };
                match (root, first) {
                    ("var", Some(name)) => match self.vars.get(name) {
                        Some(v) => {
                            let v = self.copy(v, span, text);
                            if let Some(o) = self.var_origins.get(name) {
                                self.record_origin(span, o.clone());
                            }
                            (v, &ops[1..])
                        }
                        None => return Ok(unknown(span, text)),
                    },
                    ("local", Some(name)) => match self.local(name, depth) {
                        Some(v) => {
                            let v = v?;
                            let origin = self.local_origin(name, &v);
                            let v = self.copy(&v, span, text);
                            if let Some(o) = origin {
                                self.record_origin(span, o);
                            }
                            (v, &ops[1..])
                        }
                        None => return Ok(unknown(span, text)),
                    },
                    _ => match self.binding(root) {
                        Some(v) => (respan(v, span), &ops[..]),
                        None => return Ok(unknown(span, text)),
                    },
                }
            }
            other => (self.ev(other, text, depth + 1)?, &ops[..]),
        };
        let mut i = 0;
        while i < rest.len() {
            if cur.is_unknown() {
                return Ok(unknown(span, text));
            }
            match rest[i] {
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let full = matches!(rest[i], TraversalOperator::FullSplat(_));
                    // the operators the splat applies to each element
                    let mut j = i + 1;
                    while j < rest.len() {
                        let applies = match rest[j] {
                            TraversalOperator::GetAttr(_) => true,
                            TraversalOperator::Index(_) | TraversalOperator::LegacyIndex(_) => full,
                            _ => false,
                        };
                        if !applies {
                            break;
                        }
                        j += 1;
                    }
                    let elements = match cur.value {
                        NodeValue::Seq(items) => items,
                        NodeValue::Null => Vec::new(),
                        _ => vec![cur],
                    };
                    let mut out = Vec::with_capacity(elements.len());
                    for mut e in elements {
                        for op in &rest[i + 1..j] {
                            e = match self.step_into(e, op, span, text, depth)? {
                                Some(n) => n,
                                None => return Ok(unknown(span, text)),
                            };
                        }
                        out.push(e);
                    }
                    cur = Node::new(span, NodeValue::Seq(out));
                    i = j;
                }
                op => {
                    cur = match self.step_into(cur, op, span, text, depth)? {
                        Some(n) => n,
                        None => return Ok(unknown(span, text)),
                    };
                    i += 1;
                }
            }
        }
        if cur.is_unknown() {
            return Ok(unknown(span, text));
        }
        Ok(respan(cur, span))
    }

    /// One attribute or index step; `None` when the result is unknown.
    fn step_into(
        &self,
        cur: Node,
        op: &TraversalOperator,
        span: Span,
        text: &str,
        depth: usize,
    ) -> Result<Option<Node>, EvalError> {
        if cur.is_unknown() {
            return Ok(None);
        }
        let key = match op {
            TraversalOperator::GetAttr(a) => string(span, a.as_str().to_string()),
            TraversalOperator::Index(e) => self.ev(e, text, depth + 1)?,
            TraversalOperator::LegacyIndex(n) => number(span, *n.value() as f64),
            _ => return Ok(None),
        };
        if key.is_unknown() {
            return Ok(None);
        }
        match cur.value {
            NodeValue::Seq(mut items) => {
                if matches!(op, TraversalOperator::GetAttr(_)) {
                    return error("attribute of a list");
                }
                let Some(i) = as_number(&key).filter(|v| v.fract() == 0.0) else {
                    return error("list index is not a whole number");
                };
                if i < 0.0 || i as usize >= items.len() {
                    return error("list index out of range");
                }
                Ok(Some(items.swap_remove(i as usize)))
            }
            NodeValue::Map(entries) => {
                let Some(k) = as_text(&key) else {
                    return error("map key is not a string");
                };
                match entries.into_iter().find(|e| e.key == k) {
                    Some(e) => Ok(Some(e.value)),
                    None => error(format!("no attribute `{k}`")),
                }
            }
            NodeValue::Null => error("attribute of null"),
            _ => error("attribute of a value that is not a collection"),
        }
    }

    /// A block body as a map: attributes as entries, nested blocks as lists of maps, `dynamic`
    /// blocks expanded when their `for_each` is known. `span` is the span given to the map
    /// (the block header).
    pub fn body(&self, body: &Body, span: Span, text: &str, depth: usize) -> Node {
        if depth > limits::MAX_DEPTH {
            return Node::new(span, NodeValue::Unknown("…".into()));
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut add_block = |entries: &mut Vec<Entry>, key: String, key_span: Span, value: Node| match index.get(&key) {
            Some(&i) => match &mut entries[i].value.value {
                NodeValue::Seq(items) if !value.is_unknown() => match value.value {
                    NodeValue::Seq(more) => items.extend(more),
                    _ => items.push(value),
                },
                _ => entries[i].value = Node::new(entries[i].value.span, NodeValue::Unknown(format!("dynamic {key}"))),
            },
            None => {
                index.insert(key.clone(), entries.len());
                let value = match value.value {
                    NodeValue::Unknown(_) | NodeValue::Seq(_) => value,
                    _ => Node::new(value.span, NodeValue::Seq(vec![value])),
                };
                entries.push(Entry { key, key_span, value });
            }
        };
        for s in body.iter() {
            match s {
                Structure::Attribute(a) => entries.push(Entry {
                    key: a.key.as_str().to_string(),
                    key_span: span_of(&a.key),
                    value: self.eval(&a.value, text, depth + 1),
                }),
                Structure::Block(b) => {
                    let hs = super::header_span(b);
                    if b.ident.as_str() == "dynamic" {
                        let name = b.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default();
                        let value = self.dynamic(b, &name, hs, text, depth);
                        add_block(&mut entries, name, hs, value);
                    } else {
                        let value = self.body(&b.body, hs, text, depth + 1);
                        add_block(&mut entries, b.ident.as_str().to_string(), span_of(&b.ident), value);
                    }
                }
            }
        }
        Node::new(span, NodeValue::Map(entries))
    }

    /// A `dynamic "name" { for_each = ...; iterator = x; content { ... } }` block: a list of
    /// the content evaluated once per element (each pointing at the dynamic block's header),
    /// or unknown when `for_each` is unknown or too large.
    fn dynamic(&self, b: &hcl_edit::structure::Block, name: &str, header: Span, text: &str, depth: usize) -> Node {
        let unknown_block = || Node::new(header, NodeValue::Unknown(format!("dynamic {name}")));
        let Some(fe) = b.body.get_attribute("for_each") else {
            return unknown_block();
        };
        let Some(content) = b.body.blocks().find(|c| c.ident.as_str() == "content") else {
            return unknown_block();
        };
        let iterator = match b.body.get_attribute("iterator").map(|a| &a.value) {
            Some(Expression::Variable(v)) => v.as_str().to_string(),
            _ => name.to_string(),
        };
        let coll = self.eval(&fe.value, text, depth + 1);
        let Ok(Some(pairs)) = self.pairs(&coll) else {
            return unknown_block();
        };
        if pairs.len() > limits::MAX_EXPANSION {
            return unknown_block();
        }
        let mut out = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let it = Node::new(
                header,
                NodeValue::Map(vec![
                    Entry {
                        key: "key".into(),
                        key_span: header,
                        value: k,
                    },
                    Entry {
                        key: "value".into(),
                        key_span: header,
                        value: v,
                    },
                ]),
            );
            let n = self.with_binding(&iterator, it, || self.body(&content.body, header, text, depth + 1));
            out.push(n);
        }
        Node::new(header, NodeValue::Seq(out))
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
        if is_known(f) {
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
