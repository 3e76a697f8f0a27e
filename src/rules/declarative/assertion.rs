//! Assertions of a `check:` block: compiled once from the rule's YAML, then evaluated on a
//! target's node with three-valued logic (pass, fail, unknown).

use regex::Regex;

use crate::config::Settings;
use crate::semantic::network::{is_internet, is_internet_range};
use crate::semantic::port::{node_ports, render_ports, PortRange};
use crate::semantic::secret::is_secret_name;
use crate::source::node::{parse_path, PathStep};
use crate::source::{Node, NodeValue, Span};

/// Nesting limit for `all`/`any`/`not`: rule files are user input too.
const MAX_DEPTH: usize = 32;

pub const OPERATORS: &[&str] = &[
    "exists",
    "absent",
    "equals",
    "not_equals",
    "in",
    "not_in",
    "matches",
    "lt",
    "gt",
    "lte",
    "gte",
    "port_in",
    "has_keys",
    "internet",
    "secret_name",
];
const LEAF_OPTIONS: &[&str] = &["path", "to", "default", "quantifier", "ignore_case", "message"];
const COMBINATORS: &[&str] = &["all", "any", "not", "each"];
const EACH_KEYS: &[&str] = &["each", "where", "assert", "quantifier", "message"];

#[derive(Debug)]
pub struct Assertion {
    pub kind: AssertionKind,
    /// Overrides the check's message for failures found under this assertion.
    pub message: Option<String>,
}

#[derive(Debug)]
pub enum AssertionKind {
    All(Vec<Assertion>),
    Any(Vec<Assertion>),
    Not(Box<Assertion>),
    /// Evaluate `assert` with each element reached by a path as the root (`where` filters).
    Each(Each),
    Leaf(Leaf),
}

#[derive(Debug)]
pub struct Each {
    path: String,
    steps: Vec<PathStep>,
    filter: Option<Box<Assertion>>,
    assert: Box<Assertion>,
    quantifier: Quantifier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    All,
    Any,
}

#[derive(Debug)]
pub struct Leaf {
    pub path: String,
    steps: Vec<PathStep>,
    /// `port_in` / `internet` with `to:`: the key (beside `path`) holding the end of the port
    /// or address range that starts at `path` (`from_port` / `to_port`, `start_ip_address` /
    /// `end_ip_address`).
    to: Option<String>,
    op: Op,
    default: Option<Node>,
    quantifier: Quantifier,
    ignore_case: bool,
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Lt,
    Gt,
    Lte,
    Gte,
}

#[derive(Debug)]
enum Ports {
    Literal(Vec<PortRange>),
    External,
    Internal,
}

#[derive(Debug)]
enum Keys {
    Literal(Vec<String>),
    RequiredTags,
}

#[derive(Debug)]
enum Op {
    Exists,
    Absent,
    Equals(Node),
    NotEquals(Node),
    In(Vec<Node>),
    NotIn(Vec<Node>),
    Matches(Regex),
    Compare(Cmp, f64),
    PortIn(Ports),
    HasKeys(Keys),
    /// The value is (`true`) / is not (`false`) a source admitting the whole internet.
    Internet(bool),
    /// The value is (`true`) / is not (`false`) a name that says it holds a secret
    /// (`semantic::secret::is_secret_name`).
    SecretName(bool),
}

/// A compile error: where in the rule file, and what.
#[derive(Debug)]
pub struct CompileError {
    pub span: Span,
    pub message: String,
}

fn cerr<T>(span: Span, message: impl Into<String>) -> Result<T, CompileError> {
    Err(CompileError {
        span,
        message: message.into(),
    })
}

fn suggest(word: &str, candidates: &[&str]) -> String {
    crate::config::nearest(word, candidates)
        .map(|k| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

fn is_scalar(n: &Node) -> bool {
    matches!(
        n.value,
        NodeValue::String(_) | NodeValue::Number { .. } | NodeValue::Bool(_)
    )
}

fn number_of(n: &Node) -> Option<f64> {
    match &n.value {
        NodeValue::Number { value, .. } => Some(*value),
        NodeValue::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

/// Compile one assertion mapping.
pub fn compile(node: &Node, depth: usize) -> Result<Assertion, CompileError> {
    if depth > MAX_DEPTH {
        return cerr(node.span, format!("assertions nest deeper than {MAX_DEPTH} levels"));
    }
    if !node.is_map() {
        return cerr(
            node.span,
            "an assertion is a mapping: `{path: ..., <operator>: ...}` or `all`/`any`/`not`",
        );
    }
    let message = match node.get("message") {
        Some(m) => match m.as_str() {
            Some(s) => Some(s.to_string()),
            None => return cerr(m.span, "`message` must be a string"),
        },
        None => None,
    };
    let combinator: Vec<_> = node
        .entries()
        .iter()
        .filter(|e| COMBINATORS.contains(&e.key.as_str()))
        .collect();
    if let Some(first) = combinator.first() {
        if combinator.len() > 1 {
            return cerr(combinator[1].key_span, "an assertion has one of `all`, `any`, `not`");
        }
        if first.key == "each" {
            return Ok(Assertion {
                kind: AssertionKind::Each(compile_each(node, depth)?),
                message,
            });
        }
        if let Some(extra) = node.entries().iter().find(|e| e.key != first.key && e.key != "message") {
            return cerr(
                extra.key_span,
                format!("`{}` cannot stand beside `{}`; nest it inside", extra.key, first.key),
            );
        }
        let kind = match first.key.as_str() {
            "not" => AssertionKind::Not(Box::new(compile(&first.value, depth + 1)?)),
            k => {
                if !first.value.is_seq() || first.value.items().is_empty() {
                    return cerr(first.value.span, format!("`{k}` takes a non-empty list of assertions"));
                }
                let mut items = Vec::new();
                for i in first.value.items() {
                    items.push(compile(i, depth + 1)?);
                }
                if k == "all" {
                    AssertionKind::All(items)
                } else {
                    AssertionKind::Any(items)
                }
            }
        };
        return Ok(Assertion { kind, message });
    }
    Ok(Assertion {
        kind: AssertionKind::Leaf(compile_leaf(node)?),
        message,
    })
}

fn quantifier_of(node: &Node) -> Result<Quantifier, CompileError> {
    match node.get("quantifier") {
        None => Ok(Quantifier::All),
        Some(q) => match q.as_str() {
            Some("all") => Ok(Quantifier::All),
            Some("any") => Ok(Quantifier::Any),
            _ => cerr(q.span, "`quantifier` must be `all` or `any`"),
        },
    }
}

fn compile_each(node: &Node, depth: usize) -> Result<Each, CompileError> {
    for e in node.entries() {
        if !EACH_KEYS.contains(&e.key.as_str()) {
            return cerr(
                e.key_span,
                format!("`{}` cannot stand beside `each`{}", e.key, suggest(&e.key, EACH_KEYS)),
            );
        }
    }
    let path_node = node.get("each").unwrap_or(node);
    let Some(path) = path_node.scalar_text() else {
        return cerr(path_node.span, "`each` takes a path");
    };
    let steps = match parse_path(&path) {
        Ok(s) => s,
        Err(e) => return cerr(path_node.span, e),
    };
    let Some(a) = node.get("assert") else {
        return cerr(node.span, "`each` needs an `assert`");
    };
    let filter = match node.get("where") {
        Some(w) => Some(Box::new(compile(w, depth + 1)?)),
        None => None,
    };
    Ok(Each {
        path,
        steps,
        filter,
        assert: Box::new(compile(a, depth + 1)?),
        quantifier: quantifier_of(node)?,
    })
}

fn compile_leaf(node: &Node) -> Result<Leaf, CompileError> {
    let mut op_entry = None;
    for e in node.entries() {
        let k = e.key.as_str();
        if OPERATORS.contains(&k) {
            if op_entry.is_some() {
                return cerr(
                    e.key_span,
                    "an assertion has exactly one operator; combine with `all`/`any`",
                );
            }
            op_entry = Some(e);
        } else if !LEAF_OPTIONS.contains(&k) {
            let mut all: Vec<&str> = OPERATORS.to_vec();
            all.extend_from_slice(LEAF_OPTIONS);
            all.extend_from_slice(COMBINATORS);
            return cerr(e.key_span, format!("unknown assertion key `{k}`{}", suggest(k, &all)));
        }
    }
    let Some(op_entry) = op_entry else {
        return cerr(
            node.span,
            format!("assertion without an operator (one of {})", OPERATORS.join(", ")),
        );
    };
    let path_node = match node.get("path") {
        Some(p) => p,
        None => {
            return cerr(
                op_entry.key_span,
                "assertion without a `path` (use `.` for the target itself)",
            )
        }
    };
    let Some(path) = path_node.scalar_text() else {
        return cerr(path_node.span, "`path` must be a string");
    };
    let steps = match parse_path(&path) {
        Ok(s) => s,
        Err(e) => return cerr(path_node.span, e),
    };
    let v = &op_entry.value;
    let scalar = |v: &Node| -> Result<Node, CompileError> {
        if is_scalar(v) {
            Ok(v.clone())
        } else {
            cerr(v.span, format!("`{}` takes a string, number or boolean", op_entry.key))
        }
    };
    let scalars = |v: &Node| -> Result<Vec<Node>, CompileError> {
        if !v.is_seq() {
            return cerr(v.span, format!("`{}` takes a list of values", op_entry.key));
        }
        v.items().iter().map(scalar).collect()
    };
    let number = |v: &Node| -> Result<f64, CompileError> {
        match number_of(v) {
            Some(n) => Ok(n),
            None => cerr(v.span, format!("`{}` takes a number", op_entry.key)),
        }
    };
    let op = match op_entry.key.as_str() {
        k @ ("exists" | "absent") => {
            if v.as_bool() != Some(true) && !v.is_null() {
                let other = if k == "exists" { "absent" } else { "exists" };
                return cerr(v.span, format!("write `{k}: true` (use `{other}` for the opposite)"));
            }
            if k == "exists" {
                Op::Exists
            } else {
                Op::Absent
            }
        }
        "equals" => Op::Equals(scalar(v)?),
        "not_equals" => Op::NotEquals(scalar(v)?),
        "in" => Op::In(scalars(v)?),
        "not_in" => Op::NotIn(scalars(v)?),
        "matches" => {
            let Some(re) = v.as_str() else {
                return cerr(v.span, "`matches` takes a regular expression string");
            };
            match Regex::new(re) {
                Ok(r) => Op::Matches(r),
                Err(e) => {
                    let msg = e.to_string();
                    let last = msg.lines().last().unwrap_or("").trim().to_string();
                    return cerr(v.span, format!("invalid regular expression: {last}"));
                }
            }
        }
        "lt" => Op::Compare(Cmp::Lt, number(v)?),
        "gt" => Op::Compare(Cmp::Gt, number(v)?),
        "lte" => Op::Compare(Cmp::Lte, number(v)?),
        "gte" => Op::Compare(Cmp::Gte, number(v)?),
        "port_in" => Op::PortIn(match &v.value {
            NodeValue::String(s) if s.starts_with('$') => match s.as_str() {
                "$ports.external" => Ports::External,
                "$ports.internal" => Ports::Internal,
                _ => {
                    return cerr(
                        v.span,
                        format!("unknown setting `{s}` (use `$ports.external` or `$ports.internal`)"),
                    )
                }
            },
            NodeValue::Seq(items) => {
                let mut out = Vec::new();
                for i in items {
                    match node_ports(i) {
                        Some(p) => out.extend(p.into_iter().map(|(r, _)| r)),
                        None => return cerr(i.span, "not a port, range (`20-25`) or `*`"),
                    }
                }
                Ports::Literal(out)
            }
            _ => {
                return cerr(
                    v.span,
                    "`port_in` takes a list of ports or `$ports.external`/`$ports.internal`",
                )
            }
        }),
        "internet" => match v.as_bool() {
            Some(b) => Op::Internet(b),
            None => return cerr(v.span, "`internet` takes `true` or `false`"),
        },
        "secret_name" => match v.as_bool() {
            Some(b) => Op::SecretName(b),
            None => return cerr(v.span, "`secret_name` takes `true` or `false`"),
        },
        "has_keys" => Op::HasKeys(match &v.value {
            NodeValue::String(s) if s == "$terraform.required_tags" => Keys::RequiredTags,
            NodeValue::String(s) if s.starts_with('$') => {
                return cerr(
                    v.span,
                    format!("unknown setting `{s}` (use `$terraform.required_tags`)"),
                )
            }
            NodeValue::Seq(items) => {
                let mut out = Vec::new();
                for i in items {
                    match i.scalar_text() {
                        Some(s) => out.push(s),
                        None => return cerr(i.span, "`has_keys` takes a list of key names"),
                    }
                }
                Keys::Literal(out)
            }
            _ => return cerr(v.span, "`has_keys` takes a list of keys or `$terraform.required_tags`"),
        }),
        _ => return cerr(op_entry.key_span, "unknown operator"),
    };
    let default = match node.get("default") {
        Some(d) if matches!(op, Op::Exists | Op::Absent) => {
            return cerr(d.span, "`default` has no meaning with `exists`/`absent`")
        }
        Some(d) => Some(scalar(d)?),
        None => None,
    };
    let quantifier = quantifier_of(node)?;
    let ignore_case = match node.get("ignore_case") {
        None => false,
        Some(b) => match b.as_bool() {
            Some(b) => b,
            None => return cerr(b.span, "`ignore_case` must be true or false"),
        },
    };
    let to = match node.get("to") {
        None => None,
        Some(t) if !matches!(op, Op::PortIn(_) | Op::Internet(_)) => {
            return cerr(t.span, "`to` goes with `port_in` and `internet` only")
        }
        Some(t) => match t.as_str() {
            Some(k) if !k.is_empty() && !k.contains(['.', '[', '*']) && !path.contains(['[', '*']) => {
                Some(k.to_string())
            }
            _ => {
                return cerr(
                    t.span,
                    "`to` names the key beside `path` that ends the range (`to: to_port`)",
                )
            }
        },
    };
    Ok(Leaf {
        path,
        steps,
        to,
        op,
        default,
        quantifier,
        ignore_case,
    })
}

/// A place an assertion points at: the offending value (failures) or the value that satisfied
/// it (witnesses, used by `not`).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub span: Span,
    pub path: String,
    pub value: String,
    pub allowed: String,
    pub missing: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Satisfied; `Some` when a concrete value satisfied it, `None` when vacuously (value absent).
    Pass(Option<Finding>),
    Fail(Vec<Finding>),
    /// Depends on a value that cannot be computed: never reported.
    Unknown,
}

/// What evaluation needs besides the node.
pub struct Env<'a> {
    pub settings: &'a Settings,
    /// Where findings about absent values point (the block/object header).
    pub header: Span,
    /// Whether the file counts as production: the value of the `$prod` path.
    pub prod: bool,
}

/// The text of a value in messages.
pub fn render(n: &Node) -> String {
    match &n.value {
        NodeValue::Null => "null".into(),
        NodeValue::Unknown(t) => t.clone(),
        NodeValue::Seq(items) => {
            let parts: Vec<String> = items.iter().take(8).map(render).collect();
            let more = if items.len() > 8 { ", ..." } else { "" };
            format!("[{}{more}]", parts.join(", "))
        }
        NodeValue::Map(_) => "{...}".into(),
        _ => n.scalar_text().unwrap_or_default(),
    }
}

fn scalar_eq(n: &Node, expected: &Node, ignore_case: bool) -> bool {
    match (&n.value, &expected.value) {
        (NodeValue::Number { value: a, .. }, NodeValue::Number { value: b, .. }) => a == b,
        (NodeValue::Bool(a), NodeValue::Bool(b)) => a == b,
        _ => match (n.scalar_text(), expected.scalar_text()) {
            (Some(a), Some(b)) if ignore_case => a.eq_ignore_ascii_case(&b),
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
    }
}

impl Leaf {
    fn allowed(&self, settings: &Settings) -> String {
        match &self.op {
            Op::Exists | Op::Absent | Op::Internet(_) | Op::SecretName(_) => String::new(),
            Op::Equals(v) | Op::NotEquals(v) => render(v),
            Op::In(vs) | Op::NotIn(vs) => vs.iter().map(render).collect::<Vec<_>>().join(", "),
            Op::Matches(r) => r.as_str().to_string(),
            Op::Compare(_, n) => n.to_string(),
            Op::PortIn(p) => render_ports(&self.ports(p, settings)),
            Op::HasKeys(k) => self.keys(k, settings).join(", "),
        }
    }

    fn ports(&self, p: &Ports, settings: &Settings) -> Vec<PortRange> {
        match p {
            Ports::Literal(v) => v.clone(),
            Ports::External => settings
                .config
                .ports
                .external
                .iter()
                .map(|p| PortRange::single(*p as u32))
                .collect(),
            Ports::Internal => settings
                .config
                .ports
                .internal
                .iter()
                .map(|p| PortRange::single(*p as u32))
                .collect(),
        }
    }

    fn keys(&self, k: &Keys, settings: &Settings) -> Vec<String> {
        match k {
            Keys::Literal(v) => v.clone(),
            Keys::RequiredTags => settings.config.terraform.required_tags.clone(),
        }
    }

    fn finding(&self, span: Span, value: String, env: &Env<'_>) -> Finding {
        Finding {
            span,
            path: self.path.clone(),
            value,
            allowed: self.allowed(env.settings),
            missing: String::new(),
            message: None,
        }
    }

    fn eval(&self, root: &Node, env: &Env<'_>) -> Outcome {
        if self.path == "$prod" {
            let prod = Node::new(env.header, NodeValue::Bool(env.prod));
            return self.apply(Some(&prod), env.header, env);
        }
        if let Some(outcome) = self.address_range(root, env) {
            return outcome;
        }
        if let Some(range) = self.port_range(root) {
            return match range {
                Some(r) => self.apply(Some(&r), r.span, env),
                None => Outcome::Unknown,
            };
        }
        self.walk(root, &self.steps, env.header, env)
    }

    /// With `to:`, the range from `path` to its sibling `to` as one `"from-to"` value at the
    /// start's span; `Some(None)` when an end is not a number. `None` when there is no `to`, or
    /// the end is absent (then the start alone is tested).
    fn port_range(&self, root: &Node) -> Option<Option<Node>> {
        if !matches!(self.op, Op::PortIn(_)) {
            return None;
        }
        let to_key = self.to.as_ref()?;
        let from = root.at(&self.path)?;
        let parent = match self.path.rsplit_once('.') {
            Some((p, _)) => root.at(p)?,
            None => root,
        };
        let to = parent.get(to_key)?;
        let port = |n: &Node| number_of(n).filter(|v| v.fract() == 0.0 && (0.0..=65535.0).contains(v));
        Some(match (port(from), port(to)) {
            (Some(a), Some(b)) if a <= b => Some(Node::new(from.span, NodeValue::String(format!("{a}-{b}")))),
            (Some(a), Some(b)) => Some(Node::new(from.span, NodeValue::String(format!("{b}-{a}")))),
            _ => None,
        })
    }

    /// `internet` with `to:`: whether the address range from `path` to its sibling `to` admits
    /// the internet, reported once at the start. `None` when there is no `to`, or either end is
    /// absent (then the start alone is tested as a source).
    fn address_range(&self, root: &Node, env: &Env<'_>) -> Option<Outcome> {
        let Op::Internet(want) = self.op else { return None };
        let to_key = self.to.as_ref()?;
        let from = root.at(&self.path).filter(|n| !n.is_null())?;
        let parent = match self.path.rsplit_once('.') {
            Some((p, _)) => root.at(p)?,
            None => root,
        };
        let to = parent.get(to_key).filter(|n| !n.is_null())?;
        if from.is_unknown() || to.is_unknown() {
            return Some(Outcome::Unknown);
        }
        let (a, b) = (from.scalar_text()?, to.scalar_text()?);
        let internet = is_internet_range(&a, &b).unwrap_or(false);
        let f = self.finding(from.span, format!("{a}\u{2013}{b}"), env);
        Some(if internet == want {
            Outcome::Pass(Some(f))
        } else {
            Outcome::Fail(vec![f])
        })
    }

    /// Follow the path. Steps are bounded by the path's length, so recursion is bounded.
    fn walk(&self, node: &Node, steps: &[PathStep], anchor: Span, env: &Env<'_>) -> Outcome {
        let Some((step, rest)) = steps.split_first() else {
            return self.apply(Some(node), anchor, env);
        };
        match (&node.value, step) {
            (NodeValue::Unknown(_), _) => Outcome::Unknown,
            // a key step through a list applies to each element: repeated blocks need no `[*]`
            (NodeValue::Seq(items), PathStep::Key(_)) => self.each(items.iter().map(|i| (i, i.span)), steps, env),
            (NodeValue::Map(entries), PathStep::Key(k)) => match entries.iter().find(|e| &e.key == k) {
                Some(e) => self.walk(&e.value, rest, e.key_span, env),
                None => self.apply(None, anchor, env),
            },
            (NodeValue::Seq(items), PathStep::Index(i)) => match items.get(*i) {
                Some(n) => self.walk(n, rest, n.span, env),
                None => self.apply(None, anchor, env),
            },
            (NodeValue::Seq(items), PathStep::Each) => self.each(items.iter().map(|i| (i, i.span)), rest, env),
            (NodeValue::Map(entries), PathStep::Each) => {
                self.each(entries.iter().map(|e| (&e.value, e.key_span)), rest, env)
            }
            _ => self.apply(None, anchor, env),
        }
    }

    fn each<'n>(&self, items: impl Iterator<Item = (&'n Node, Span)>, rest: &[PathStep], env: &Env<'_>) -> Outcome {
        let outcomes: Vec<Outcome> = items.map(|(n, anchor)| self.walk(n, rest, anchor, env)).collect();
        match self.quantifier {
            Quantifier::All => combine_all(outcomes),
            Quantifier::Any => combine_any(outcomes, env.header, &self.path),
        }
    }

    fn apply(&self, node: Option<&Node>, anchor: Span, env: &Env<'_>) -> Outcome {
        let node = node.filter(|n| !n.is_null());
        let defaulted;
        let node = match (node, &self.default) {
            (None, Some(d)) => {
                defaulted = Node::new(anchor, d.value.clone());
                Some(&defaulted)
            }
            (n, _) => n,
        };
        match (&self.op, node) {
            (Op::Exists, None) => Outcome::Fail(vec![self.finding(anchor, "unset".into(), env)]),
            (Op::Exists, Some(n)) => Outcome::Pass(Some(self.finding(n.span, render(n), env))),
            (Op::Absent, None) => Outcome::Pass(Some(self.finding(anchor, "unset".into(), env))),
            (Op::Absent, Some(n)) => Outcome::Fail(vec![self.finding(n.span, render(n), env)]),
            (Op::HasKeys(k), n) => {
                if n.is_some_and(|n| n.is_unknown()) {
                    return Outcome::Unknown;
                }
                let span = n.map(|n| n.span).unwrap_or(anchor);
                let keys = self.keys(k, env.settings);
                let entries = n.map(|n| n.entries()).unwrap_or(&[]);
                let missing: Vec<String> = keys
                    .iter()
                    .filter(|k| !entries.iter().any(|e| &e.key == *k))
                    .map(|k| format!("`{k}`"))
                    .collect();
                let mut f = self.finding(span, n.map(render).unwrap_or_else(|| "unset".into()), env);
                if missing.is_empty() {
                    Outcome::Pass(Some(f))
                } else {
                    f.missing = missing.join(", ");
                    Outcome::Fail(vec![f])
                }
            }
            // value operators say nothing about a value that is not there
            (_, None) => Outcome::Pass(None),
            (_, Some(n)) if n.is_unknown() => Outcome::Unknown,
            (Op::PortIn(p), Some(n)) => {
                let Some(ports) = node_ports(n) else {
                    return Outcome::Unknown;
                };
                let allowed = self.ports(p, env.settings);
                let bad: Vec<Finding> = ports
                    .iter()
                    .filter(|(r, _)| !r.within(&allowed))
                    .map(|(r, at)| self.finding(at.span, r.render(), env))
                    .collect();
                if bad.is_empty() {
                    Outcome::Pass(Some(self.finding(n.span, render(n), env)))
                } else {
                    Outcome::Fail(bad)
                }
            }
            (op, Some(n)) => {
                let ok = match op {
                    Op::Equals(v) => scalar_eq(n, v, self.ignore_case),
                    Op::NotEquals(v) => !scalar_eq(n, v, self.ignore_case),
                    Op::In(vs) => vs.iter().any(|v| scalar_eq(n, v, self.ignore_case)),
                    Op::NotIn(vs) => !vs.iter().any(|v| scalar_eq(n, v, self.ignore_case)),
                    Op::Matches(r) => n.scalar_text().is_some_and(|t| r.is_match(&t)),
                    Op::Compare(c, bound) => match number_of(n) {
                        Some(x) => match c {
                            Cmp::Lt => x < *bound,
                            Cmp::Gt => x > *bound,
                            Cmp::Lte => x <= *bound,
                            Cmp::Gte => x >= *bound,
                        },
                        None => false,
                    },
                    Op::Internet(want) => n.scalar_text().is_some_and(|t| is_internet(&t)) == *want,
                    Op::SecretName(want) => n.scalar_text().is_some_and(|t| is_secret_name(&t)) == *want,
                    Op::Exists | Op::Absent | Op::PortIn(_) | Op::HasKeys(_) => true,
                };
                let f = self.finding(n.span, render(n), env);
                if ok {
                    Outcome::Pass(Some(f))
                } else {
                    Outcome::Fail(vec![f])
                }
            }
        }
    }
}

fn combine_all(outcomes: Vec<Outcome>) -> Outcome {
    let mut fails = Vec::new();
    let mut unknown = false;
    let mut witness = None;
    for o in outcomes {
        match o {
            Outcome::Fail(f) => fails.extend(f),
            Outcome::Unknown => unknown = true,
            Outcome::Pass(w) => witness = witness.or(w),
        }
    }
    if !fails.is_empty() {
        Outcome::Fail(fails)
    } else if unknown {
        Outcome::Unknown
    } else {
        Outcome::Pass(witness)
    }
}

fn combine_any(outcomes: Vec<Outcome>, header: Span, path: &str) -> Outcome {
    let mut first_fail = None;
    let mut unknown = false;
    let empty = outcomes.is_empty();
    for o in outcomes {
        match o {
            Outcome::Pass(w) => return Outcome::Pass(w),
            Outcome::Unknown => unknown = true,
            Outcome::Fail(f) => {
                if first_fail.is_none() {
                    first_fail = Some(f);
                }
            }
        }
    }
    if unknown {
        return Outcome::Unknown;
    }
    match first_fail {
        Some(f) => Outcome::Fail(f),
        None if empty => Outcome::Fail(vec![Finding {
            span: header,
            path: path.to_string(),
            value: "unset".into(),
            allowed: String::new(),
            missing: String::new(),
            message: None,
        }]),
        None => Outcome::Unknown,
    }
}

/// The elements a path reaches, each with its anchor; `None` when an unknown value is in the way.
fn reach<'n>(root: &'n Node, steps: &[PathStep], anchor: Span) -> Option<Vec<(&'n Node, Span)>> {
    let mut current = vec![(root, anchor)];
    for step in steps {
        let mut next = Vec::new();
        for (n, _) in current {
            match (&n.value, step) {
                (NodeValue::Unknown(_), _) => return None,
                (NodeValue::Seq(items), PathStep::Key(k)) => {
                    for i in items {
                        match &i.value {
                            NodeValue::Unknown(_) => return None,
                            NodeValue::Map(_) => next.extend(i.entry(k).map(|e| (&e.value, e.key_span))),
                            _ => {}
                        }
                    }
                }
                (NodeValue::Map(_), PathStep::Key(k)) => next.extend(n.entry(k).map(|e| (&e.value, e.key_span))),
                (NodeValue::Seq(items), PathStep::Index(i)) => next.extend(items.get(*i).map(|n| (n, n.span))),
                (NodeValue::Seq(items), PathStep::Each) => next.extend(items.iter().map(|n| (n, n.span))),
                (NodeValue::Map(entries), PathStep::Each) => {
                    next.extend(entries.iter().map(|e| (&e.value, e.key_span)))
                }
                _ => {}
            }
        }
        current = next;
    }
    // the last step's lists are the elements themselves (`each: security_rule`)
    let mut out = Vec::new();
    for (n, a) in current {
        match &n.value {
            NodeValue::Unknown(_) => return None,
            NodeValue::Seq(items) => {
                for i in items {
                    if i.is_unknown() {
                        return None;
                    }
                    out.push((i, i.span));
                }
            }
            NodeValue::Null => {}
            _ => out.push((n, a)),
        }
    }
    Some(out)
}

impl Each {
    fn eval(&self, root: &Node, env: &Env<'_>) -> Outcome {
        let Some(elements) = reach(root, &self.steps, env.header) else {
            return Outcome::Unknown;
        };
        let mut outcomes = Vec::new();
        for (n, anchor) in elements {
            let inner = Env {
                settings: env.settings,
                header: anchor,
                prod: env.prod,
            };
            if let Some(w) = &self.filter {
                match w.eval(n, &inner) {
                    Outcome::Pass(_) => {}
                    Outcome::Fail(_) => continue,
                    Outcome::Unknown => {
                        outcomes.push(Outcome::Unknown);
                        continue;
                    }
                }
            }
            outcomes.push(self.assert.eval(n, &inner));
        }
        match self.quantifier {
            Quantifier::All => combine_all(outcomes),
            Quantifier::Any => combine_any(outcomes, env.header, &self.path),
        }
    }
}

impl Assertion {
    pub fn eval(&self, root: &Node, env: &Env<'_>) -> Outcome {
        let out = match &self.kind {
            AssertionKind::Leaf(l) => l.eval(root, env),
            AssertionKind::Each(e) => e.eval(root, env),
            AssertionKind::All(items) => combine_all(items.iter().map(|a| a.eval(root, env)).collect()),
            AssertionKind::Any(items) => combine_any(items.iter().map(|a| a.eval(root, env)).collect(), env.header, ""),
            AssertionKind::Not(inner) => match inner.eval(root, env) {
                Outcome::Pass(Some(w)) => Outcome::Fail(vec![w]),
                Outcome::Pass(None) => Outcome::Pass(None),
                Outcome::Fail(f) => Outcome::Pass(f.into_iter().next()),
                Outcome::Unknown => Outcome::Unknown,
            },
        };
        match (&self.message, out) {
            (Some(m), Outcome::Fail(fs)) => Outcome::Fail(
                fs.into_iter()
                    .map(|mut f| {
                        f.message.get_or_insert_with(|| m.clone());
                        f
                    })
                    .collect(),
            ),
            (_, o) => o,
        }
    }

    /// Every message template in this assertion tree, for validation.
    pub fn messages(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(a) = stack.pop() {
            out.extend(a.message.as_deref());
            match &a.kind {
                AssertionKind::All(v) | AssertionKind::Any(v) => stack.extend(v.iter()),
                AssertionKind::Not(i) => stack.push(i),
                AssertionKind::Each(e) => {
                    stack.push(&e.assert);
                    stack.extend(e.filter.as_deref());
                }
                AssertionKind::Leaf(_) => {}
            }
        }
        out
    }
}
