//! The parser of Go's `text/template`: the tree of text, actions and control structures, with
//! `define`d templates collected apart. It follows Go's grammar (`else if`/`else with` chains,
//! `range` with one or two variables, `break`/`continue` only inside `range`, variables checked
//! where they are used); functions are resolved when they run, so an unknown function fails the
//! templates that call it and no other.

use std::rc::Rc;

use super::lex::{lex, Item, Keyword, Tok};
const MAX_PARSE_DEPTH: usize = crate::budget::TEMPLATE_NESTING.get();
use crate::source::Span;

pub type List = Vec<Node>;

#[derive(Debug, Clone)]
pub enum Node {
    Text(Span),
    /// `{{ pipeline }}`; the span covers the whole action.
    Action {
        span: Span,
        pipe: Pipe,
    },
    If(Box<Branch>),
    With(Box<Branch>),
    Range(Box<Branch>),
    /// `{{ template "name" pipeline }}` (and the call half of `block`).
    Template {
        span: Span,
        name: String,
        pipe: Option<Pipe>,
    },
    Break(Span),
    Continue(Span),
}

#[derive(Debug, Clone)]
pub struct Branch {
    /// The opening action.
    pub span: Span,
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

#[derive(Debug, Clone)]
pub struct Pipe {
    pub span: Span,
    /// Variables declared (`$x :=`) or assigned (`$x =`), with their spans.
    pub decl: Vec<(String, Span)>,
    pub assign: bool,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
pub struct Cmd {
    pub span: Span,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub enum Arg {
    /// `.A.B`
    Field {
        span: Span,
        names: Vec<String>,
    },
    /// `$x.A.B`
    Var {
        span: Span,
        name: String,
        fields: Vec<String>,
    },
    /// `(pipeline).A.B`
    Chain {
        span: Span,
        base: Box<Arg>,
        fields: Vec<String>,
    },
    Dot(Span),
    /// A function name.
    Ident {
        span: Span,
        name: String,
    },
    Str {
        span: Span,
        value: Rc<str>,
    },
    Int {
        span: Span,
        value: i64,
    },
    Float {
        span: Span,
        value: f64,
    },
    Bool {
        span: Span,
        value: bool,
    },
    Nil(Span),
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn span(&self) -> Span {
        match self {
            Arg::Field { span, .. }
            | Arg::Var { span, .. }
            | Arg::Chain { span, .. }
            | Arg::Dot(span)
            | Arg::Ident { span, .. }
            | Arg::Str { span, .. }
            | Arg::Int { span, .. }
            | Arg::Float { span, .. }
            | Arg::Bool { span, .. }
            | Arg::Nil(span) => *span,
            Arg::Pipe(p) => p.span,
        }
    }
}

/// A `{{ define "name" }}` (or `block`) body.
#[derive(Debug, Clone)]
pub struct Define {
    pub name: String,
    /// The `define` action.
    pub span: Span,
    pub body: List,
}

/// A parsed template file: its body and the templates it defines.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    pub root: List,
    pub defines: Vec<Define>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
    /// The template went over a budget (PARSE004) rather than being malformed.
    pub budget: bool,
}

/// Parse a template source.
pub fn parse(src: &str) -> Result<Tree, ParseError> {
    let items = lex(src).map_err(|e| ParseError {
        message: e.message,
        span: e.span,
        budget: false,
    })?;
    let mut p = Parser {
        src,
        items,
        pos: 0,
        vars: vec!["$".to_string()],
        range_depth: 0,
        depth: 0,
        defines: Vec::new(),
    };
    let root = p.top()?;
    Ok(Tree {
        root,
        defines: p.defines,
    })
}

struct Parser<'a> {
    src: &'a str,
    items: Vec<Item>,
    pos: usize,
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    defines: Vec<Define>,
}

/// How an item list ended.
enum Stop {
    Eof,
    End(Span),
    /// `{{ else }}`; `chained` when an `if`/`with` follows the `else` in the same action.
    Else {
        span: Span,
        chained: Option<Keyword>,
    },
}

type R<T> = Result<T, ParseError>;

fn describe(t: &Tok) -> String {
    match t {
        Tok::Text => "text".into(),
        Tok::Open => "`{{`".into(),
        Tok::Close => "`}}`".into(),
        Tok::Comment => "comment".into(),
        Tok::Field(f) => format!("`.{f}`"),
        Tok::Dot => "`.`".into(),
        Tok::Var(v) => format!("`{v}`"),
        Tok::Ident(i) => format!("`{i}`"),
        Tok::Keyword(k) => format!("`{}`", format!("{k:?}").to_lowercase()),
        Tok::Str(s) => format!("{s:?}"),
        Tok::Char(_) => "character constant".into(),
        Tok::Number(n) => format!("`{n}`"),
        Tok::Bool(b) => format!("`{b}`"),
        Tok::Nil => "`nil`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Pipe => "`|`".into(),
        Tok::Declare => "`:=`".into(),
        Tok::Assign => "`=`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Space => "space".into(),
    }
}

impl Parser<'_> {
    fn err<T>(&self, message: impl Into<String>, span: Span) -> R<T> {
        Err(ParseError {
            message: message.into(),
            span,
            budget: false,
        })
    }

    fn eof_span(&self) -> Span {
        Span::empty(self.src.len())
    }

    fn peek(&self) -> Option<&Item> {
        self.items.get(self.pos)
    }

    fn next(&mut self) -> Option<Item> {
        let it = self.items.get(self.pos).cloned();
        if it.is_some() {
            self.pos += 1;
        }
        it
    }

    fn skip_space(&mut self) {
        while matches!(self.peek().map(|i| &i.tok), Some(Tok::Space)) {
            self.pos += 1;
        }
    }

    fn peek_non_space(&mut self) -> Option<&Item> {
        self.skip_space();
        self.peek()
    }

    fn next_non_space(&mut self) -> R<Item> {
        self.skip_space();
        match self.next() {
            Some(i) => Ok(i),
            None => self.err("unexpected end of template", self.eof_span()),
        }
    }

    fn expect_close(&mut self, context: &str) -> R<Span> {
        let it = self.next_non_space()?;
        match it.tok {
            Tok::Close => Ok(it.span),
            t => self.err(format!("unexpected {} in {context}", describe(&t)), it.span),
        }
    }

    fn enter(&mut self, span: Span) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return self.err(format!("template nests deeper than {MAX_PARSE_DEPTH} levels"), span);
        }
        Ok(())
    }

    /// The top level: text, actions and `define`s until the end.
    fn top(&mut self) -> R<List> {
        let mut list = Vec::new();
        loop {
            let Some(it) = self.peek().cloned() else {
                return Ok(list);
            };
            if it.tok == Tok::Open {
                // `{{ define` is only allowed here
                let save = self.pos;
                self.pos += 1;
                if let Some(Item {
                    tok: Tok::Keyword(Keyword::Define),
                    ..
                }) = self.peek_non_space().cloned()
                {
                    self.pos += 1;
                    self.define(it.span)?;
                    continue;
                }
                self.pos = save;
            }
            match self.node(&mut list)? {
                None => {}
                Some(Stop::Eof) => return Ok(list),
                Some(Stop::End(s)) => return self.err("unexpected `{{end}}`", s),
                Some(Stop::Else { span, .. }) => return self.err("unexpected `{{else}}`", span),
            }
        }
    }

    fn define(&mut self, open: Span) -> R<()> {
        let name_item = self.next_non_space()?;
        let Tok::Str(name) = name_item.tok else {
            return self.err("`define` needs a quoted template name", name_item.span);
        };
        let close = self.expect_close("define")?;
        let saved = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
        let (body, stop) = self.list()?;
        self.vars = saved;
        match stop {
            Stop::End(_) => {}
            Stop::Eof => return self.err(format!("unexpected end of template in `define \"{name}\"`"), open),
            Stop::Else { span, .. } => return self.err("unexpected `{{else}}` in `define`", span),
        }
        self.defines.push(Define {
            name,
            span: open.cover(close),
            body,
        });
        Ok(())
    }

    /// Nodes until `{{end}}`, `{{else}}` or the end of input.
    fn list(&mut self) -> R<(List, Stop)> {
        let mut list = Vec::new();
        loop {
            if let Some(stop) = self.node(&mut list)? {
                return Ok((list, stop));
            }
        }
    }

    /// Parse one node into `list`; `Some` when the list ends here.
    fn node(&mut self, list: &mut List) -> R<Option<Stop>> {
        let Some(it) = self.next() else {
            return Ok(Some(Stop::Eof));
        };
        match it.tok {
            Tok::Text => list.push(Node::Text(it.span)),
            Tok::Comment => {}
            Tok::Open => return self.action(it.span, list),
            t => return self.err(format!("unexpected {}", describe(&t)), it.span),
        }
        Ok(None)
    }

    fn action(&mut self, open: Span, list: &mut List) -> R<Option<Stop>> {
        let Some(first) = self.peek_non_space().cloned() else {
            return self.err("unclosed action", open);
        };
        if let Tok::Keyword(k) = first.tok {
            self.pos += 1;
            match k {
                Keyword::End => {
                    let close = self.expect_close("end")?;
                    return Ok(Some(Stop::End(open.cover(close))));
                }
                Keyword::Else => {
                    let next = self.peek_non_space().cloned();
                    if let Some(Item {
                        tok: Tok::Keyword(kw @ (Keyword::If | Keyword::With)),
                        ..
                    }) = next
                    {
                        self.pos += 1;
                        return Ok(Some(Stop::Else {
                            span: open,
                            chained: Some(kw),
                        }));
                    }
                    let close = self.expect_close("else")?;
                    return Ok(Some(Stop::Else {
                        span: open.cover(close),
                        chained: None,
                    }));
                }
                Keyword::If | Keyword::With | Keyword::Range => {
                    let node = self.control(k, open)?;
                    list.push(node);
                }
                Keyword::Break | Keyword::Continue => {
                    let close = self.expect_close(if k == Keyword::Break { "break" } else { "continue" })?;
                    let span = open.cover(close);
                    if self.range_depth == 0 {
                        let word = if k == Keyword::Break { "break" } else { "continue" };
                        return self.err(format!("`{{{{{word}}}}}` outside `{{{{range}}}}`"), span);
                    }
                    list.push(if k == Keyword::Break {
                        Node::Break(span)
                    } else {
                        Node::Continue(span)
                    });
                }
                Keyword::Template => {
                    let (name, pipe, span) = self.template_call(open, "template")?;
                    list.push(Node::Template { span, name, pipe });
                }
                Keyword::Block => {
                    let (name, pipe, span) = self.template_call(open, "block")?;
                    let saved = std::mem::replace(&mut self.vars, vec!["$".to_string()]);
                    let saved_range = std::mem::replace(&mut self.range_depth, 0);
                    let (body, stop) = self.list()?;
                    self.vars = saved;
                    self.range_depth = saved_range;
                    match stop {
                        Stop::End(_) => {}
                        Stop::Eof => return self.err("unexpected end of template in `block`", span),
                        Stop::Else { span, .. } => return self.err("unexpected `{{else}}` in `block`", span),
                    }
                    self.defines.push(Define {
                        name: name.clone(),
                        span,
                        body,
                    });
                    list.push(Node::Template { span, name, pipe });
                }
                Keyword::Define => return self.err("`define` is only allowed at the top level", first.span),
            }
            return Ok(None);
        }
        let pipe = self.pipeline("command", true)?;
        let span = open.cover(pipe.span).cover(self.last_span());
        list.push(Node::Action { span, pipe });
        Ok(None)
    }

    fn last_span(&self) -> Span {
        self.items
            .get(self.pos.saturating_sub(1))
            .map(|i| i.span)
            .unwrap_or_default()
    }

    /// `"name" pipeline? }}` after `template`/`block`.
    fn template_call(&mut self, open: Span, context: &str) -> R<(String, Option<Pipe>, Span)> {
        let name_item = self.next_non_space()?;
        let Tok::Str(name) = name_item.tok else {
            return self.err(format!("`{context}` needs a quoted template name"), name_item.span);
        };
        let pipe = match self.peek_non_space().map(|i| &i.tok) {
            Some(Tok::Close) => {
                self.pos += 1;
                None
            }
            _ => Some(self.pipeline(context, true)?),
        };
        Ok((name, pipe, open.cover(self.last_span())))
    }

    /// `if`/`with`/`range` after the keyword: pipeline, body, optional else, end.
    fn control(&mut self, kind: Keyword, open: Span) -> R<Node> {
        self.enter(open)?;
        let mark = self.vars.len();
        let context = match kind {
            Keyword::If => "if",
            Keyword::With => "with",
            _ => "range",
        };
        let pipe = self.pipeline(context, true)?;
        let span = open.cover(self.last_span());
        if kind == Keyword::Range {
            self.range_depth += 1;
        }
        let (list, stop) = self.list()?;
        if kind == Keyword::Range {
            self.range_depth -= 1;
        }
        let else_list = match stop {
            Stop::End(_) => None,
            Stop::Eof => return self.err(format!("unexpected end of template in `{context}`"), open),
            Stop::Else {
                chained: Some(kw),
                span,
            } => {
                if !((kind == Keyword::If && kw == Keyword::If) || (kind == Keyword::With && kw == Keyword::With)) {
                    return self.err(format!("unexpected `else {kw:?}` in `{context}`").to_lowercase(), span);
                }
                // `{{else if x}}` is `{{else}}{{if x}}...{{end}}` sharing the one `{{end}}`
                let inner = self.control(kw, span)?;
                Some(vec![inner])
            }
            Stop::Else { chained: None, .. } => {
                let (else_list, stop) = self.list()?;
                match stop {
                    Stop::End(_) => {}
                    Stop::Eof => return self.err(format!("unexpected end of template in `{context}`"), open),
                    Stop::Else { span, .. } => return self.err("expected `{{end}}`; found `{{else}}`", span),
                }
                Some(else_list)
            }
        };
        self.vars.truncate(mark);
        self.depth -= 1;
        let b = Box::new(Branch {
            span,
            pipe,
            list,
            else_list,
        });
        Ok(match kind {
            Keyword::If => Node::If(b),
            Keyword::With => Node::With(b),
            _ => Node::Range(b),
        })
    }

    /// A pipeline up to `}}` (`action`) or `)`.
    fn pipeline(&mut self, context: &str, action: bool) -> R<Pipe> {
        let start = self.peek_non_space().map(|i| i.span).unwrap_or(self.eof_span());
        let mut decl = Vec::new();
        let mut assign = false;
        // declarations: `$x :=`, `$x =`, `$i, $v :=` (range)
        let save = self.pos;
        if let Some(Item { tok: Tok::Var(v), span }) = self.peek_non_space().cloned() {
            self.pos += 1;
            match self.peek_non_space().map(|i| i.tok.clone()) {
                Some(Tok::Declare | Tok::Assign) => {
                    assign = self.peek().is_some_and(|i| i.tok == Tok::Assign);
                    self.pos += 1;
                    decl.push((v, span));
                }
                Some(Tok::Comma) if context == "range" => {
                    self.pos += 1;
                    decl.push((v, span));
                    let second = self.next_non_space()?;
                    let Tok::Var(v2) = second.tok else {
                        return self.err("range can only initialize variables", second.span);
                    };
                    let op = self.next_non_space()?;
                    match op.tok {
                        Tok::Declare => {}
                        Tok::Assign => assign = true,
                        t => return self.err(format!("unexpected {} in range", describe(&t)), op.span),
                    }
                    decl.push((v2, second.span));
                }
                Some(Tok::Comma) => {
                    return self.err(format!("too many declarations in {context}"), span);
                }
                _ => self.pos = save,
            }
        }
        for (name, span) in &decl {
            if assign {
                if !self.vars.iter().any(|v| v == name) {
                    return self.err(format!("undefined variable `{name}`"), *span);
                }
            } else {
                self.vars.push(name.clone());
            }
        }
        let mut cmds = Vec::new();
        loop {
            let Some(it) = self.peek_non_space().cloned() else {
                return self.err(format!("unclosed action in {context}"), start);
            };
            match it.tok {
                Tok::Close if action => {
                    self.pos += 1;
                    break;
                }
                Tok::RParen if !action => {
                    self.pos += 1;
                    break;
                }
                Tok::Bool(_)
                | Tok::Char(_)
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::Str(_)
                | Tok::Var(_)
                | Tok::LParen => cmds.push(self.command(action)?),
                t => return self.err(format!("unexpected {} in {context}", describe(&t)), it.span),
            }
        }
        let end = self.last_span();
        if cmds.is_empty() && decl.is_empty() {
            return self.err(format!("missing value for {context}"), start.cover(end));
        }
        if cmds.is_empty() {
            return self.err(format!("missing value for {context}"), start.cover(end));
        }
        for (i, c) in cmds.iter().enumerate().skip(1) {
            if !matches!(
                c.args.first(),
                Some(Arg::Ident { .. } | Arg::Field { .. } | Arg::Var { .. } | Arg::Chain { .. } | Arg::Pipe(_))
            ) {
                return self.err(format!("non executable command in pipeline stage {}", i + 1), c.span);
            }
        }
        let span = start.cover(cmds.last().map(|c| c.span).unwrap_or(start));
        Ok(Pipe {
            span,
            decl,
            assign,
            cmds,
        })
    }

    /// Operands up to `|`, `}}` or `)`.
    fn command(&mut self, action: bool) -> R<Cmd> {
        let mut args = Vec::new();
        loop {
            self.skip_space();
            if let Some(a) = self.operand()? {
                args.push(a);
            }
            let Some(it) = self.peek().cloned() else {
                return self.err("unclosed action", self.eof_span());
            };
            match it.tok {
                Tok::Space => continue,
                Tok::Close if action => break,
                Tok::RParen if !action => break,
                Tok::Pipe => {
                    self.pos += 1;
                    if matches!(self.peek_non_space().map(|i| &i.tok), Some(Tok::Close | Tok::RParen)) {
                        return self.err("missing command after `|`", it.span);
                    }
                    break;
                }
                Tok::Close | Tok::RParen => return self.err(format!("unexpected {}", describe(&it.tok)), it.span),
                t => return self.err(format!("unexpected {} in operand", describe(&t)), it.span),
            }
        }
        let Some(first) = args.first() else {
            return self.err("empty command", self.last_span());
        };
        let span = first.span().cover(args.last().map(Arg::span).unwrap_or_default());
        Ok(Cmd { span, args })
    }

    /// A term and the fields chained to it without space.
    fn operand(&mut self) -> R<Option<Arg>> {
        let Some(term) = self.term()? else { return Ok(None) };
        let mut fields = Vec::new();
        let mut end = term.span();
        while let Some(Item {
            tok: Tok::Field(f),
            span,
        }) = self.peek().cloned()
        {
            self.pos += 1;
            fields.push(f);
            end = span;
        }
        if fields.is_empty() {
            return Ok(Some(term));
        }
        let span = term.span().cover(end);
        Ok(Some(match term {
            Arg::Field { names, .. } => {
                let mut names = names;
                names.extend(fields);
                Arg::Field { span, names }
            }
            Arg::Var { name, fields: f0, .. } => {
                let mut all = f0;
                all.extend(fields);
                Arg::Var {
                    span,
                    name,
                    fields: all,
                }
            }
            Arg::Bool { .. } | Arg::Str { .. } | Arg::Int { .. } | Arg::Float { .. } | Arg::Nil(_) | Arg::Dot(_) => {
                return self.err("unexpected `.` after term", span);
            }
            other => Arg::Chain {
                span,
                base: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> R<Option<Arg>> {
        let Some(it) = self.peek().cloned() else {
            return Ok(None);
        };
        let span = it.span;
        let arg = match it.tok {
            Tok::Ident(name) => Arg::Ident { span, name },
            Tok::Dot => Arg::Dot(span),
            Tok::Nil => Arg::Nil(span),
            Tok::Var(name) => {
                if !self.vars.contains(&name) {
                    return self.err(format!("undefined variable `{name}`"), span);
                }
                Arg::Var {
                    span,
                    name,
                    fields: Vec::new(),
                }
            }
            Tok::Field(f) => Arg::Field { span, names: vec![f] },
            Tok::Bool(value) => Arg::Bool { span, value },
            Tok::Char(value) => Arg::Int { span, value },
            Tok::Number(text) => match number(&text) {
                Some(Num::Int(value)) => Arg::Int { span, value },
                Some(Num::Float(value)) => Arg::Float { span, value },
                None => return self.err(format!("bad number syntax: `{text}`"), span),
            },
            Tok::Str(value) => Arg::Str {
                span,
                value: value.into(),
            },
            Tok::LParen => {
                self.pos += 1;
                self.enter(span)?;
                let p = self.pipeline("parenthesized pipeline", false)?;
                self.depth -= 1;
                let full = span.cover(self.last_span());
                return Ok(Some(Arg::Pipe(Box::new(Pipe { span: full, ..p }))));
            }
            _ => return Ok(None),
        };
        self.pos += 1;
        Ok(Some(arg))
    }
}

enum Num {
    Int(i64),
    Float(f64),
}

/// A Go number literal as the template sees it: an `int` unless it is written as a float
/// (`1.0`, `1e3`).
fn number(text: &str) -> Option<Num> {
    let body = text.trim_start_matches(['+', '-']);
    let hex = body.starts_with("0x") || body.starts_with("0X");
    if (!hex && text.contains(['.', 'e', 'E'])) || (hex && text.contains(['p', 'P'])) {
        return parse_float(text).map(Num::Float);
    }
    if let Some(i) = parse_int(text) {
        return Some(Num::Int(i));
    }
    let f = parse_float(text)?;
    (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(Num::Int(f as i64))
}

/// `ParseInt(text, 0, 64)`: sign, `0x`/`0o`/`0b`/leading-`0` octal prefixes, `_` separators.
pub fn parse_int(text: &str) -> Option<i64> {
    let (neg, t) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(r) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        (2, r)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') || digits.contains("__") {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let v = i64::from_str_radix(&clean, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// `ParseFloat` for the forms templates use (`1.5`, `.5`, `1e3`, `1_000.5`, `0x1p60`).
pub fn parse_float(text: &str) -> Option<f64> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    if let Some(f) = parse_hex_float(&clean) {
        return Some(f);
    }
    let body = clean.trim_start_matches(['+', '-']);
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    if !body.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    clean.parse::<f64>().ok()
}

/// A hexadecimal float: `0x1p60`, `-0x1.8p-1`.
fn parse_hex_float(t: &str) -> Option<f64> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let body = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X"))?;
    let (mant, exp) = body.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> Tree {
        parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    fn err(src: &str) -> String {
        parse(src).map(|_| ()).unwrap_err().message
    }

    #[test]
    fn control_structures_and_defines() {
        let t = ok(r#"{{ define "a" }}x{{ end }}{{ if .A }}1{{ else if .B }}2{{ else }}3{{ end }}"#);
        assert_eq!(t.defines.len(), 1);
        assert_eq!(t.defines[0].name, "a");
        let Node::If(b) = &t.root[0] else { panic!() };
        let Some(else_list) = &b.else_list else { panic!() };
        assert!(matches!(else_list[0], Node::If(_)));
        ok("{{ range $i, $v := .L }}{{ if $v }}{{ break }}{{ end }}{{ continue }}{{ else }}none{{ end }}");
        ok(r#"{{ with $x := .A }}{{ $x }}{{ else with .B }}b{{ end }}"#);
        ok(r#"{{ block "b" . }}default{{ end }}"#);
    }

    #[test]
    fn pipelines_chains_and_literals() {
        let t = ok(r#"{{ (include "x" .).name | default 3 | printf "%d-%s" 1.5 }}"#);
        let Node::Action { pipe, .. } = &t.root[0] else {
            panic!()
        };
        assert_eq!(pipe.cmds.len(), 3);
        assert!(matches!(pipe.cmds[0].args[0], Arg::Chain { .. }));
        assert!(matches!(pipe.cmds[1].args[1], Arg::Int { value: 3, .. }));
        assert!(matches!(pipe.cmds[2].args[2], Arg::Float { .. }));
        let t = ok("{{ $x := 1 }}{{ $x = 2 }}{{ $x.a.b }}");
        let Node::Action { pipe, .. } = &t.root[2] else {
            panic!()
        };
        assert!(matches!(&pipe.cmds[0].args[0], Arg::Var { fields, .. } if fields.len() == 2));
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(err("{{ $y }}"), "undefined variable `$y`");
        assert_eq!(err("{{ break }}"), "`{{break}}` outside `{{range}}`");
        assert!(err("{{ if .x }}").starts_with("unexpected end of template"));
        assert_eq!(err("{{ end }}"), "unexpected `{{end}}`");
        assert!(err("{{ .a | 3 }}").starts_with("non executable command"));
        assert!(err("{{ if }}{{ end }}").starts_with("missing value"));
        assert_eq!(err("{{ .a | }}"), "missing command after `|`");
        assert_eq!(
            err(r#"{{ if 1 }}{{ define "x" }}{{ end }}{{ end }}"#),
            "`define` is only allowed at the top level"
        );
        // variables declared in a control structure end with it
        assert_eq!(err("{{ if $v := 1 }}{{ end }}{{ $v }}"), "undefined variable `$v`");
    }

    #[test]
    fn numbers_follow_go() {
        assert_eq!(parse_int("0x1F"), Some(31));
        assert_eq!(parse_int("0777"), Some(511));
        assert_eq!(parse_int("-1_000"), Some(-1000));
        assert_eq!(parse_int("1.5"), None);
        assert_eq!(parse_float("1e3"), Some(1000.0));
        assert_eq!(parse_float(".5"), Some(0.5));
        assert_eq!(parse_float("0x1p60"), Some(1152921504606846976.0));
        assert_eq!(parse_float("0x1.8p1"), Some(3.0));
        assert!(matches!(number("0x1p10"), Some(Num::Float(f)) if f == 1024.0));
    }
}
