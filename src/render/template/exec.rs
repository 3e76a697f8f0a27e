//! Executing parsed templates with Go's semantics and Helm's missing-key behaviour
//! (`missingkey=zero`): a missing key is a nil value, a field of a nil value inside one chain
//! is an error (`nil pointer evaluating interface {}.x`), and a nil printed is `<no value>`
//! (which Helm then removes from the output).
//!
//! Output is a [`Str`]: text plus origin segments. Template text is mapped byte for byte to
//! its file; what an action prints maps to the action and, for values, to the values entry.

use std::collections::HashMap;
use std::rc::Rc;

use super::funcs;
use super::parse::{self, Arg, Branch, Cmd, List, Node, Pipe, Tree};
use super::value::{Loc, Obj, Origin, Str, StrBuf, Val, V};
use crate::budget::{self, Exceeded};

const MAX_CALL_DEPTH: usize = budget::TEMPLATE_CALL_DEPTH.get();
const MAX_OUTPUT: usize = budget::TEMPLATE_OUTPUT_BYTES.get();
const MAX_STEPS: u64 = budget::TEMPLATE_STEPS.value;
use crate::source::Span;

/// Why a template did not render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Template syntax.
    Syntax,
    /// A runtime error of the template (nil pointer, wrong type, bad index...).
    Exec,
    /// `required` without a value.
    Required,
    /// `fail`.
    Fail,
    /// A function no Helm chart can call (a typo, a plugin's function).
    UndefinedFunction,
    /// A Helm or Sprig function linea does not implement.
    Unsupported,
    /// `include`/`template` of a name that is not defined.
    MissingTemplate,
    /// A limit of [`crate::budget`] (PARSE004).
    Budget,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExecError {
    pub kind: ErrorKind,
    pub message: String,
    /// Where: the innermost span of a real file.
    pub at: Loc,
    /// The `include`/`template` calls that led there, outermost first.
    pub trace: Vec<Loc>,
}

/// What a function returns when it fails: the kind and a message, or the error of a template
/// it ran (`include`, `tpl`), which travels out unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct FnError {
    pub kind: ErrorKind,
    pub message: String,
    pub inner: Option<Box<ExecError>>,
}

impl FnError {
    pub fn new(message: impl Into<String>) -> FnError {
        FnError::kind(ErrorKind::Exec, message)
    }
    pub fn kind(kind: ErrorKind, message: impl Into<String>) -> FnError {
        FnError {
            kind,
            message: message.into(),
            inner: None,
        }
    }
    fn inner(e: ExecError) -> FnError {
        FnError {
            kind: e.kind,
            message: String::new(),
            inner: Some(Box::new(e)),
        }
    }
}

impl From<String> for FnError {
    fn from(s: String) -> FnError {
        FnError::new(s)
    }
}

impl From<&str> for FnError {
    fn from(s: &str) -> FnError {
        FnError::new(s)
    }
}

/// A named template: a file's body or a `define`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub body: Rc<List>,
    /// The file (index into the render's file table) whose text the spans are in.
    pub file: u32,
}

/// A parsed template file ready to join sets: its body and its defines, shared.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub root: Rc<List>,
    pub defines: Vec<(String, Rc<List>)>,
}

impl From<Tree> for Parsed {
    fn from(t: Tree) -> Parsed {
        Parsed {
            root: Rc::new(t.root),
            defines: t.defines.into_iter().map(|d| (d.name, Rc::new(d.body))).collect(),
        }
    }
}

/// Every template of a chart by name: each file's body under its Helm name
/// (`chart/templates/deployment.yaml`) and every `define`.
#[derive(Debug, Default)]
pub struct Set {
    pub templates: HashMap<String, Entry>,
    /// Names of files that did not parse (a missing define may be one of theirs).
    pub broken: Vec<String>,
    /// Sources of the files, for `tpl` origins and checks.
    pub sources: HashMap<u32, Rc<str>>,
}

impl Set {
    /// Add a parsed file: its body under `name` and its defines. A later definition replaces
    /// an earlier one, except that an empty body never replaces a non-empty one (Go's rule).
    pub fn add(&mut self, name: &str, file: u32, tree: Tree) {
        self.add_parsed(name, file, &Parsed::from(tree));
    }

    /// Add a parsed file (shared with other sets).
    pub fn add_parsed(&mut self, name: &str, file: u32, parsed: &Parsed) {
        self.insert(name.to_string(), file, parsed.root.clone());
        for (d, body) in &parsed.defines {
            self.insert(d.clone(), file, body.clone());
        }
    }

    fn insert(&mut self, name: String, file: u32, body: Rc<List>) {
        let src = self.sources.get(&file);
        let empty = body.iter().all(|n| match n {
            Node::Text(span) => src.is_none_or(|s| span.slice(s).trim().is_empty()),
            _ => false,
        });
        if empty && self.templates.contains_key(&name) {
            return;
        }
        self.templates.insert(name, Entry { body, file });
    }
}

/// What templates read besides their data: the chart's files (`.Files`).
pub trait Host {
    /// The content of a chart file (path relative to the chart root), with its origin.
    fn file(&self, path: &str) -> Option<Str>;
}

/// A host without files.
pub struct NoFiles;

impl Host for NoFiles {
    fn file(&self, _: &str) -> Option<Str> {
        None
    }
}

/// What the spans of the running template are in.
#[derive(Clone)]
enum Src {
    File(u32),
    /// A string given to `tpl`, with the loc of the `tpl` call.
    Tpl(Str, Loc),
}

enum Flow {
    Normal,
    Break,
    Continue,
}

type R<T> = Result<T, ExecError>;

const RANDOM_SEED: u64 = 0x006c_696e_6561;

/// One execution: variables, budgets and caches.
pub struct Exec<'a> {
    pub set: &'a Set,
    pub host: &'a dyn Host,
    vars: Vec<(Rc<str>, Val)>,
    src: Src,
    /// Call sites of `include`/`template`/`tpl` (real-file locs), outermost first.
    calls: Vec<Loc>,
    steps: u64,
    written: usize,
    pub(super) regexes: HashMap<String, Rc<regex::Regex>>,
    tpl_cache: HashMap<Rc<str>, Rc<Tree>>,
    /// State of the deterministic sequence behind `randAlphaNum`, `uuidv4`...
    random: u64,
}

impl<'a> Exec<'a> {
    pub fn new(set: &'a Set, host: &'a dyn Host) -> Exec<'a> {
        Exec {
            set,
            host,
            vars: Vec::new(),
            src: Src::File(0),
            calls: Vec::new(),
            steps: 0,
            written: 0,
            regexes: HashMap::new(),
            tpl_cache: HashMap::new(),
            random: RANDOM_SEED,
        }
    }

    /// The next number of the render's fixed pseudo-random sequence (splitmix64).
    pub(super) fn next_random(&mut self) -> u64 {
        self.random = self.random.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.random;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Render the template `name` with `data` as `.` and `$`. Budgets start afresh.
    pub fn render(&mut self, name: &str, data: Val) -> R<Str> {
        self.random = RANDOM_SEED;
        self.steps = 0;
        self.written = 0;
        self.calls.clear();
        let Some(entry) = self.set.templates.get(name).cloned() else {
            return Err(ExecError {
                kind: ErrorKind::MissingTemplate,
                message: format!("no template named `{name}`"),
                at: Loc::new(0, 0, 0),
                trace: Vec::new(),
            });
        };
        self.src = Src::File(entry.file);
        self.vars = vec![("$".into(), data.clone())];
        let mut out = StrBuf::default();
        self.list(&entry.body, &data, &mut out)?;
        Ok(out.finish())
    }

    /// The template text of `span` for messages (shortened), or `(…)`.
    fn source_text(&self, span: Span) -> String {
        let text = match &self.src {
            Src::File(f) => self.set.sources.get(f).map(|s| span.slice(s).to_string()),
            Src::Tpl(s, _) => Some(span.slice(s.as_str()).to_string()),
        };
        match text.filter(|t| !t.is_empty()) {
            Some(t) if t.chars().count() <= 48 => t.split_whitespace().collect::<Vec<_>>().join(" "),
            _ => "(…)".to_string(),
        }
    }

    /// The innermost real-file loc of `span` in the running template.
    fn loc(&self, span: Span) -> Loc {
        match &self.src {
            Src::File(f) => Loc::new(*f, span.start, span.end),
            Src::Tpl(_, call) => *call,
        }
    }

    /// The origin of what an action at `span` prints.
    fn action_origin(&self, span: Span) -> Origin {
        match &self.src {
            Src::File(f) => Origin {
                at: Some(Loc::new(*f, span.start, span.end)),
                ..Origin::default()
            },
            Src::Tpl(s, call) => {
                let seg = s
                    .segs()
                    .iter()
                    .find(|g| g.start as usize <= span.start && span.start < g.end as usize);
                Origin {
                    at: Some(*call),
                    value: seg.and_then(|g| g.origin.value),
                    ..Origin::default()
                }
            }
        }
    }

    pub(super) fn error(&self, kind: ErrorKind, message: impl Into<String>, span: Span) -> ExecError {
        ExecError {
            kind,
            message: message.into(),
            at: self.loc(span),
            trace: self.calls.clone(),
        }
    }

    fn step(&mut self, span: Span) -> R<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(self.error(
                ErrorKind::Budget,
                Exceeded {
                    limit: &budget::TEMPLATE_STEPS,
                }
                .to_string(),
                span,
            ));
        }
        Ok(())
    }

    fn wrote(&mut self, n: usize, span: Span) -> R<()> {
        self.written += n;
        if self.written > MAX_OUTPUT {
            return Err(self.error(
                ErrorKind::Budget,
                Exceeded {
                    limit: &budget::TEMPLATE_OUTPUT_BYTES,
                }
                .to_string(),
                span,
            ));
        }
        Ok(())
    }

    fn top(&self) -> bool {
        self.calls.is_empty()
    }

    fn list(&mut self, list: &List, dot: &Val, out: &mut StrBuf) -> R<Flow> {
        for node in list {
            match self.node(node, dot, out)? {
                Flow::Normal => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Normal)
    }

    fn node(&mut self, node: &Node, dot: &Val, out: &mut StrBuf) -> R<Flow> {
        match node {
            Node::Text(span) => {
                self.step(*span)?;
                self.wrote(span.len(), *span)?;
                let set = self.set;
                match &self.src {
                    Src::File(f) => {
                        let f = *f;
                        let text = set.sources.get(&f).map(|s| span.slice(s)).unwrap_or("");
                        out.push(
                            text,
                            Origin {
                                at: Some(Loc::new(f, span.start, span.end)),
                                linear: true,
                                ..Origin::default()
                            },
                        );
                    }
                    Src::Tpl(s, call) => {
                        let (s, call) = (s.clone(), *call);
                        let start = out.len();
                        out.push_slice(&s, span.start, span.end);
                        out.fill(
                            start,
                            Origin {
                                at: Some(call),
                                ..Origin::default()
                            },
                            self.top(),
                        );
                    }
                }
                Ok(Flow::Normal)
            }
            Node::Action { span, pipe } => {
                self.step(*span)?;
                let v = self.pipe(pipe, dot)?;
                if pipe.decl.is_empty() {
                    let start = out.len();
                    super::format::print(&v, out);
                    self.wrote(out.len() - start, *span)?;
                    let origin = self.action_origin(*span);
                    out.fill(start, origin, self.top());
                }
                Ok(Flow::Normal)
            }
            Node::If(b) => self.branch(b, dot, out, Kind::If),
            Node::With(b) => self.branch(b, dot, out, Kind::With),
            Node::Range(b) => self.range(b, dot, out),
            Node::Template { span, name, pipe } => {
                self.step(*span)?;
                let data = match pipe {
                    Some(p) => self.pipe(p, dot)?,
                    None => Val::no_value(),
                };
                let start = out.len();
                self.call_template(name, data, *span, out)?;
                let origin = self.action_origin(*span);
                out.fill(start, origin, self.top());
                Ok(Flow::Normal)
            }
            Node::Break(_) => Ok(Flow::Break),
            Node::Continue(_) => Ok(Flow::Continue),
        }
    }

    fn branch(&mut self, b: &Branch, dot: &Val, out: &mut StrBuf, kind: Kind) -> R<Flow> {
        self.step(b.span)?;
        let mark = self.vars.len();
        let v = self.pipe(&b.pipe, dot)?;
        let flow = if v.truth() {
            match kind {
                Kind::If => self.list(&b.list, dot, out),
                Kind::With => self.list(&b.list, &v, out),
            }
        } else if let Some(e) = &b.else_list {
            self.list(e, dot, out)
        } else {
            Ok(Flow::Normal)
        };
        self.vars.truncate(mark);
        flow
    }

    fn range(&mut self, b: &Branch, dot: &Val, out: &mut StrBuf) -> R<Flow> {
        self.step(b.span)?;
        let mark = self.vars.len();
        let v = self.pipe(&b.pipe, dot)?;
        let two = b.pipe.decl.len() > 1;
        let mut items: Vec<(Val, Val)> = Vec::new();
        match &v.v {
            V::NoValue | V::Nil => {}
            V::List(l) => {
                items = l
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (Val::int(i as i64), x.clone()))
                    .collect()
            }
            V::Map(m) => match m.try_borrow() {
                Ok(m) => items = m.iter().map(|(k, x)| (key_val(k, x), x.clone())).collect(),
                Err(_) => return Err(self.error(ErrorKind::Exec, "map changed while ranging over it", b.span)),
            },
            V::Int(n) | V::Int64(n) => {
                if two {
                    return Err(self.error(
                        ErrorKind::Exec,
                        format!("can't use {n} to iterate over more than one variable"),
                        b.span,
                    ));
                }
                let n = (*n).clamp(0, crate::budget::TEMPLATE_LIST_ENTRIES.value as i64);
                items = (0..n).map(|i| (Val::int(i), Val::int(i))).collect();
            }
            V::Obj(o) => match &**o {
                Obj::Files(paths) => {
                    for p in paths.iter() {
                        let content = self.host.file(p).unwrap_or_default();
                        items.push((Val::str(p.as_str()), Val::string(content)));
                    }
                }
                Obj::ApiVersions(list) => {
                    items = list
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (Val::int(i as i64), Val::str(s.as_str())))
                        .collect()
                }
                Obj::KubeVersion { .. } => {
                    return Err(self.error(ErrorKind::Exec, "range can't iterate over the kube version", b.span))
                }
            },
            _ => {
                return Err(self.error(
                    ErrorKind::Exec,
                    format!("range can't iterate over {}", super::format::sprint(&v)),
                    b.span,
                ))
            }
        }
        if items.is_empty() {
            let flow = match &b.else_list {
                Some(e) => self.list(e, dot, out),
                None => Ok(Flow::Normal),
            };
            self.vars.truncate(mark);
            return flow.map(|_| Flow::Normal);
        }
        let decl_names: Vec<&str> = b.pipe.decl.iter().map(|(n, _)| n.as_str()).collect();
        let inner = self.vars.len();
        for (index, elem) in items {
            self.step(b.span)?;
            match (b.pipe.assign, decl_names.as_slice()) {
                (_, []) => {}
                (true, [one]) => self.set_var(one, elem.clone()),
                (true, [i, v, ..]) => {
                    self.set_var(i, index.clone());
                    self.set_var(v, elem.clone());
                }
                (false, [_]) => self.set_top(1, elem.clone()),
                (false, [_, _, ..]) => {
                    self.set_top(1, elem.clone());
                    self.set_top(2, index.clone());
                }
            }
            let flow = self.list(&b.list, &elem, out);
            self.vars.truncate(inner);
            match flow? {
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        self.vars.truncate(mark);
        Ok(Flow::Normal)
    }

    fn set_var(&mut self, name: &str, v: Val) {
        if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| &**n == name) {
            slot.1 = v;
        }
    }

    /// Set the `n`th variable from the top of the stack (1 = the last pushed).
    fn set_top(&mut self, n: usize, v: Val) {
        let len = self.vars.len();
        if let Some(slot) = len.checked_sub(n).and_then(|i| self.vars.get_mut(i)) {
            slot.1 = v;
        }
    }

    fn var(&self, name: &str, span: Span) -> R<Val> {
        match self.vars.iter().rev().find(|(n, _)| &**n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.error(ErrorKind::Exec, format!("undefined variable `{name}`"), span)),
        }
    }

    /// Evaluate a pipeline; declared variables are pushed (the caller pops them at the end of
    /// its structure), assigned ones set.
    pub(super) fn pipe(&mut self, pipe: &Pipe, dot: &Val) -> R<Val> {
        let mut value: Option<Val> = None;
        for cmd in &pipe.cmds {
            let v = self.cmd(cmd, dot, value.take())?;
            value = Some(v.dig());
        }
        let value = value.unwrap_or_else(Val::no_value);
        for (name, _) in &pipe.decl {
            if pipe.assign {
                self.set_var(name, value.clone());
            } else {
                self.vars.push((name.as_str().into(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, cmd: &Cmd, fin: &Option<Val>) -> R<()> {
        if cmd.args.len() > 1 || fin.is_some() {
            return Err(self.error(
                ErrorKind::Exec,
                "can't give argument to non-function",
                cmd.args.first().map(Arg::span).unwrap_or(cmd.span),
            ));
        }
        Ok(())
    }

    fn cmd(&mut self, cmd: &Cmd, dot: &Val, fin: Option<Val>) -> R<Val> {
        self.step(cmd.span)?;
        let Some(first) = cmd.args.first() else {
            return Err(self.error(ErrorKind::Exec, "empty command", cmd.span));
        };
        let rest = &cmd.args[1..];
        match first {
            Arg::Field { span, names } => self.chain(dot.clone(), "", names, rest, fin, dot, *span),
            Arg::Chain { span, base, fields } => {
                let text = self.source_text(base.span());
                let base = self.arg(base, dot)?;
                self.chain(base, &text, fields, rest, fin, dot, *span)
            }
            Arg::Var { span, name, fields } => {
                let v = self.var(name, *span)?;
                if fields.is_empty() {
                    self.not_a_function(cmd, &fin)?;
                    return Ok(v);
                }
                self.chain(v, name, fields, rest, fin, dot, *span)
            }
            Arg::Ident { span, name } => self.function(name, *span, rest, fin, dot),
            Arg::Pipe(p) => {
                self.not_a_function(cmd, &fin)?;
                self.pipe(p, dot)
            }
            other => {
                self.not_a_function(cmd, &fin)?;
                self.literal(other, dot)
            }
        }
    }

    fn literal(&mut self, a: &Arg, dot: &Val) -> R<Val> {
        Ok(match a {
            Arg::Dot(_) => dot.clone(),
            Arg::Nil(span) => return Err(self.error(ErrorKind::Exec, "nil is not a command", *span)),
            Arg::Bool { value, .. } => Val::bool(*value),
            Arg::Int { value, .. } => Val::int(*value),
            Arg::Float { value, .. } => Val::float(*value),
            Arg::Str { value, .. } => Val::string(Str::literal(value.clone())),
            _ => return self.arg(a, dot),
        })
    }

    /// An argument of a function: fields are not dug down (a nil stays nil for the function).
    pub(super) fn arg(&mut self, a: &Arg, dot: &Val) -> R<Val> {
        match a {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Ok(Val::nil()),
            Arg::Field { span, names } => self.chain(dot.clone(), "", names, &[], None, dot, *span),
            Arg::Var { span, name, fields } => {
                let v = self.var(name, *span)?;
                if fields.is_empty() {
                    return Ok(v);
                }
                self.chain(v, name, fields, &[], None, dot, *span)
            }
            Arg::Chain { span, base, fields } => {
                let text = self.source_text(base.span());
                let base = self.arg(base, dot)?;
                self.chain(base, &text, fields, &[], None, dot, *span)
            }
            Arg::Ident { span, name } => self.function(name, *span, &[], None, dot),
            Arg::Pipe(p) => {
                let mark = self.vars.len();
                let v = self.pipe(p, dot);
                self.vars.truncate(mark);
                v
            }
            Arg::Bool { value, .. } => Ok(Val::bool(*value)),
            Arg::Int { value, .. } => Ok(Val::int(*value)),
            Arg::Float { value, .. } => Ok(Val::float(*value)),
            Arg::Str { value, .. } => Ok(Val::string(Str::literal(value.clone()))),
        }
    }

    /// `receiver.A.B args...`: map keys (missing → nil; a field of nil is an error), and the
    /// methods of Helm's objects (`.Files.Get`, `.Capabilities.APIVersions.Has`). `base`
    /// names the receiver in messages (`$x`, empty for `.`).
    #[allow(clippy::too_many_arguments)]
    fn chain(
        &mut self,
        receiver: Val,
        base: &str,
        names: &[String],
        args: &[Arg],
        fin: Option<Val>,
        dot: &Val,
        span: Span,
    ) -> R<Val> {
        let mut cur = receiver;
        let last = names.len().saturating_sub(1);
        for (i, name) in names.iter().enumerate() {
            let is_last = i == last;
            cur = match &cur.v {
                V::NoValue => Val::no_value(),
                V::Nil => {
                    return Err(self.error(
                        ErrorKind::Exec,
                        format!("nil pointer evaluating `{base}.{}`", names[..=i].join(".")),
                        span,
                    ))
                }
                V::Map(m) => {
                    if is_last && (!args.is_empty() || fin.is_some()) {
                        return Err(self.error(
                            ErrorKind::Exec,
                            format!("{name} is not a method but has arguments"),
                            span,
                        ));
                    }
                    let found = m.try_borrow().ok().and_then(|m| m.get(name.as_str()).cloned());
                    found.unwrap_or_else(Val::nil)
                }
                V::Obj(o) => {
                    let o = o.clone();
                    let (call_args, fin) = if is_last { (args, fin.clone()) } else { (&[][..], None) };
                    self.method(&o, name, call_args, fin, dot, span)?
                }
                _ => {
                    return Err(self.error(
                        ErrorKind::Exec,
                        format!("can't evaluate field {name} in type {}", cur.type_name()),
                        span,
                    ))
                }
            };
        }
        if names.is_empty() && (!args.is_empty() || fin.is_some()) {
            return Err(self.error(ErrorKind::Exec, "can't give argument to non-function", span));
        }
        Ok(cur)
    }

    fn method(&mut self, o: &Obj, name: &str, args: &[Arg], fin: Option<Val>, dot: &Val, span: Span) -> R<Val> {
        let mut vals = Vec::with_capacity(args.len() + 1);
        for a in args {
            vals.push(self.arg(a, dot)?);
        }
        vals.extend(fin);
        funcs::method(self, o, name, vals).map_err(|e| self.fn_error(e, name, span))
    }

    fn function(&mut self, name: &str, span: Span, args: &[Arg], fin: Option<Val>, dot: &Val) -> R<Val> {
        // `and`/`or` stop at the first argument that decides them
        if name == "and" || name == "or" {
            if args.is_empty() && fin.is_none() {
                return Err(self.error(
                    ErrorKind::Exec,
                    format!("wrong number of args for {name}: want at least 1 got 0"),
                    span,
                ));
            }
            let want = name == "or";
            let mut v = Val::no_value();
            for a in args {
                v = self.arg(a, dot)?;
                if v.truth() == want {
                    return Ok(v);
                }
            }
            return Ok(fin.unwrap_or(v));
        }
        let mut vals = Vec::with_capacity(args.len() + 1);
        for a in args {
            vals.push(self.arg(a, dot)?);
        }
        vals.extend(fin);
        match funcs::call(self, name, vals, dot, span) {
            Some(r) => r.map_err(|e| self.fn_error(e, name, span)),
            None => {
                let (kind, message) = if funcs::is_known(name) {
                    (
                        ErrorKind::Unsupported,
                        format!("function `{name}` is not supported by linea's renderer"),
                    )
                } else {
                    (ErrorKind::UndefinedFunction, format!("function `{name}` not defined"))
                };
                Err(self.error(kind, message, span))
            }
        }
    }

    /// `{{ template "name" data }}`: the named template's output, in place.
    fn call_template(&mut self, name: &str, data: Val, span: Span, out: &mut StrBuf) -> R<()> {
        let Some(entry) = self.set.templates.get(name).cloned() else {
            return Err(self.error(
                ErrorKind::MissingTemplate,
                format!("template `{name}` is not defined"),
                span,
            ));
        };
        if self.calls.len() >= MAX_CALL_DEPTH {
            return Err(self.error(
                ErrorKind::Budget,
                Exceeded {
                    limit: &budget::TEMPLATE_CALL_DEPTH,
                }
                .to_string(),
                span,
            ));
        }
        let call = self.loc(span);
        self.calls.push(call);
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".into(), data.clone())]);
        let saved_src = std::mem::replace(&mut self.src, Src::File(entry.file));
        let r = self.list(&entry.body, &data, out);
        self.src = saved_src;
        self.vars = saved_vars;
        self.calls.pop();
        r.map(|_| ())
    }

    /// `include "name" data`: the named template's output as a string.
    pub(super) fn include(&mut self, name: &str, data: Val, span: Span) -> Result<Str, FnError> {
        let mut out = StrBuf::default();
        match self.call_template(name, data, span, &mut out) {
            Ok(()) => Ok(out.finish()),
            Err(e) => Err(FnError::inner(e)),
        }
    }

    /// `tpl text data`: `text` rendered as a template with the chart's defines.
    pub(super) fn tpl(&mut self, text: &Str, data: Val, span: Span) -> Result<Str, FnError> {
        let key: Rc<str> = text.as_str().into();
        let tree = match self.tpl_cache.get(&key) {
            Some(t) => t.clone(),
            None => {
                let t = match parse::parse(text.as_str()) {
                    Ok(t) => Rc::new(t),
                    Err(e) => {
                        return Err(FnError::kind(
                            ErrorKind::Syntax,
                            format!("the text given to `tpl` does not parse: {}", e.message),
                        ))
                    }
                };
                self.tpl_cache.insert(key, t.clone());
                t
            }
        };
        if self.calls.len() >= MAX_CALL_DEPTH {
            return Err(FnError::kind(
                ErrorKind::Budget,
                Exceeded {
                    limit: &budget::TEMPLATE_CALL_DEPTH,
                }
                .to_string(),
            ));
        }
        let call = self.loc(span);
        self.calls.push(call);
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".into(), data.clone())]);
        let saved_src = std::mem::replace(&mut self.src, Src::Tpl(text.clone(), call));
        let mut out = StrBuf::default();
        let r = self.list(&tree.root, &data, &mut out);
        self.src = saved_src;
        self.vars = saved_vars;
        self.calls.pop();
        match r {
            Ok(_) => Ok(super::funcs::remove_no_value(&out.finish())),
            Err(e) => Err(FnError::inner(e)),
        }
    }
}

enum Kind {
    If,
    With,
}

/// The key of a map entry as a range variable, with the key's origin.
fn key_val(k: &str, v: &Val) -> Val {
    Val::str(k).with_origin(v.ko)
}

impl Exec<'_> {
    /// Turn a function's error into the execution error: a template's error as it is, any
    /// other with the function's name.
    fn fn_error(&self, e: FnError, name: &str, span: Span) -> ExecError {
        match e.inner {
            Some(inner) => *inner,
            None if matches!(e.kind, ErrorKind::Required | ErrorKind::Fail | ErrorKind::Unsupported) => {
                self.error(e.kind, e.message, span)
            }
            None => self.error(e.kind, format!("`{name}`: {}", e.message), span),
        }
    }
}
