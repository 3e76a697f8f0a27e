//! The object tree a kustomization is built on: YAML values where every node and key knows the
//! real file span that wrote it ([`KNode::at`]) and, when a patch, `images:` or another
//! transformer replaced the value, the line that set it ([`KNode::set`]). Written back out as
//! YAML with one origin piece per key and scalar.

use crate::lang::yaml::Document;
use crate::lang::ParseError;
use crate::source::node::{Entry, Node, NodeValue};
use crate::source::origin::{OriginBuilder, OriginMap, Piece, Place};
use crate::source::{FileId, Span};

/// A span of one file of the build's file table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Src {
    pub file: u32,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KNode {
    pub v: KVal,
    /// What wrote the node: a base line, a patch line, a kustomization entry.
    pub at: Src,
    /// The overlay line that set this value over the one `at` wrote.
    pub set: Option<Src>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum KVal {
    Null,
    Bool(bool),
    /// A number by its source spelling.
    Num(String),
    Str(String),
    Seq(Vec<KNode>),
    Map(Vec<KEntry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct KEntry {
    pub key: String,
    pub key_at: Src,
    pub value: KNode,
}

impl KNode {
    pub fn new(v: KVal, at: Src) -> KNode {
        KNode { v, at, set: None }
    }

    pub fn str(s: impl Into<String>, at: Src) -> KNode {
        KNode::new(KVal::Str(s.into()), at)
    }

    pub fn map(at: Src) -> KNode {
        KNode::new(KVal::Map(Vec::new()), at)
    }

    /// The tree of a parsed YAML node of file `file`; `remap` moves spans of text that was
    /// parsed out of another (an inline patch string) to the file.
    pub fn from_node(n: &Node, file: u32, remap: &dyn Fn(Span) -> Span) -> KNode {
        let at = Src {
            file,
            span: remap(n.span),
        };
        let v = match &n.value {
            NodeValue::Null => KVal::Null,
            NodeValue::Bool(b) => KVal::Bool(*b),
            NodeValue::Number { raw, .. } => KVal::Num(raw.clone()),
            NodeValue::String(s) => KVal::Str(s.clone()),
            NodeValue::Unknown(s) => KVal::Str(s.clone()),
            NodeValue::Seq(items) => KVal::Seq(items.iter().map(|i| KNode::from_node(i, file, remap)).collect()),
            NodeValue::Map(entries) => KVal::Map(
                entries
                    .iter()
                    .map(|e| KEntry {
                        key: e.key.clone(),
                        key_at: Src {
                            file,
                            span: remap(e.key_span),
                        },
                        value: KNode::from_node(&e.value, file, remap),
                    })
                    .collect(),
            ),
        };
        KNode { v, at, set: None }
    }

    pub fn get(&self, key: &str) -> Option<&KNode> {
        self.entries().iter().find(|e| e.key == key).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut KNode> {
        match &mut self.v {
            KVal::Map(es) => es.iter_mut().find(|e| e.key == key).map(|e| &mut e.value),
            _ => None,
        }
    }

    pub fn entry(&self, key: &str) -> Option<&KEntry> {
        self.entries().iter().find(|e| e.key == key)
    }

    pub fn entries(&self) -> &[KEntry] {
        match &self.v {
            KVal::Map(es) => es,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[KNode] {
        match &self.v {
            KVal::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            KVal::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text (strings, numbers by spelling, booleans).
    pub fn text(&self) -> Option<String> {
        match &self.v {
            KVal::Str(s) => Some(s.clone()),
            KVal::Num(n) => Some(n.clone()),
            KVal::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.v, KVal::Map(_))
    }

    pub fn is_scalar(&self) -> bool {
        !matches!(self.v, KVal::Map(_) | KVal::Seq(_))
    }

    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.path(path).and_then(KNode::as_str)
    }

    pub fn path(&self, path: &[&str]) -> Option<&KNode> {
        let mut n = self;
        for k in path {
            n = n.get(k)?;
        }
        Some(n)
    }

    /// The map at `path`, created (at `at`) where missing; `None` when something on the way is
    /// not a map.
    pub fn map_at(&mut self, path: &[&str], at: Src) -> Option<&mut KNode> {
        let mut n = self;
        for k in path {
            if !n.is_map() {
                return None;
            }
            if n.get(k).is_none_or(|v| matches!(v.v, KVal::Null)) {
                n.insert(k, KNode::map(at), at);
            }
            n = n.get_mut(k)?;
        }
        n.is_map().then_some(n)
    }

    /// Set `key` of a map: a new entry written by `at`, or the existing value replaced.
    pub fn insert(&mut self, key: &str, value: KNode, key_at: Src) {
        if let KVal::Map(es) = &mut self.v {
            match es.iter_mut().find(|e| e.key == key) {
                Some(e) => e.value = value,
                None => es.push(KEntry {
                    key: key.to_string(),
                    key_at,
                    value,
                }),
            }
        }
    }

    /// Set a scalar of a map to `value`, written by `by`: an existing scalar keeps where it was
    /// written and records `by` as what set it.
    pub fn set_scalar(&mut self, key: &str, value: KVal, by: Src) {
        if let Some(old) = self.get_mut(key) {
            if old.is_scalar() {
                if old.v != value {
                    old.v = value;
                    old.set = Some(by);
                }
                return;
            }
        }
        self.insert(key, KNode::new(value, by), by);
    }

    pub fn remove(&mut self, key: &str) -> Option<KNode> {
        match &mut self.v {
            KVal::Map(es) => {
                let i = es.iter().position(|e| e.key == key)?;
                Some(es.remove(i).value)
            }
            _ => None,
        }
    }

    /// Same value, wherever it was written.
    pub fn same(&self, other: &KNode) -> bool {
        match (&self.v, &other.v) {
            (KVal::Num(a), KVal::Num(b)) => a == b || a.parse::<f64>().ok() == b.parse::<f64>().ok(),
            (KVal::Seq(a), KVal::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y)),
            (KVal::Map(a), KVal::Map(b)) => {
                a.len() == b.len() && a.iter().all(|e| other.get(&e.key).is_some_and(|v| e.value.same(v)))
            }
            (a, b) => a == b,
        }
    }

    /// Every node of the tree, depth first, with a mutable visit.
    pub fn walk_mut(&mut self, f: &mut dyn FnMut(&mut KNode)) {
        f(self);
        match &mut self.v {
            KVal::Seq(items) => items.iter_mut().for_each(|i| i.walk_mut(f)),
            KVal::Map(es) => es.iter_mut().for_each(|e| e.value.walk_mut(f)),
            _ => {}
        }
    }
}

/// Writes trees as a YAML stream, with a piece per key and scalar.
pub struct Emitter<'a> {
    pub out: String,
    /// Where each key and scalar of `out` came from, packed as it is written ([`Src::file`]
    /// numbers the files).
    origins: OriginBuilder,
    /// The texts of the file table, to tell verbatim copies.
    texts: &'a [String],
    /// The documents written, as parsing `out` would give them (spans into `out`), and what
    /// that parse would report (a key written twice in one map).
    docs: Vec<Document>,
    errors: Vec<ParseError>,
    /// False once a string holds a character whose reading back the emitter does not vouch
    /// for (a line or paragraph separator, a byte order mark, a non-printable): `out` is then
    /// parsed instead.
    exact: bool,
}

impl<'a> Emitter<'a> {
    pub fn new(texts: &'a [String]) -> Emitter<'a> {
        Emitter {
            out: String::new(),
            origins: OriginBuilder::default(),
            texts,
            docs: Vec::new(),
            errors: Vec::new(),
            exact: true,
        }
    }

    pub fn document(&mut self, n: &KNode) {
        let start = self.out.len();
        self.out.push_str("---\n");
        let root = match &n.v {
            KVal::Map(es) if !es.is_empty() => self.map(es, 0, false),
            _ => {
                let node = self.scalar(n);
                self.out.push('\n');
                node
            }
        };
        // a document runs to the next one's `---`
        if let Some(last) = self.docs.last_mut() {
            last.span.end = start;
        }
        self.docs.push(Document {
            root,
            index: self.docs.len(),
            span: Span::new(start, start),
        });
    }

    /// The text written, its origin pieces, and its documents as a YAML stream (what parsing
    /// the text gives, built as it was written; `None` when only a parse can tell).
    pub fn finish(mut self) -> (String, OriginMap, Option<crate::lang::yaml::Stream>) {
        if let Some(last) = self.docs.last_mut() {
            last.span.end = self.out.len();
        }
        let stream = self.exact.then_some(crate::lang::yaml::Stream {
            documents: self.docs,
            errors: self.errors,
        });
        (self.out, self.origins.finish(), stream)
    }

    fn piece(&mut self, start: usize, at: Src, value: Option<Src>) {
        let end = self.out.len();
        let written = &self.out[start..end];
        let linear = self
            .texts
            .get(at.file as usize)
            .and_then(|t| t.get(at.span.start..at.span.end))
            .is_some_and(|s| s == written);
        let place = |s: Src| Place {
            file: FileId(s.file),
            span: s.span,
        };
        self.origins.push(Piece {
            start,
            end,
            at: place(at),
            linear,
            value: value.map(place),
            via: None,
            computed: false,
            generated: false,
        });
    }

    fn indent(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    /// The entries of a map at `indent`; `inline` when the first one follows a `- `.
    fn map(&mut self, es: &[KEntry], indent: usize, inline: bool) -> Node {
        let start = self.out.len() + if inline { 0 } else { indent };
        let mut entries: Vec<Entry> = Vec::with_capacity(es.len());
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, e) in es.iter().enumerate() {
            if i > 0 || !inline {
                self.indent(indent);
            }
            let key_start = self.out.len();
            self.exact &= readable_back(&e.key);
            write_str(&mut self.out, &e.key);
            let key_span = Span::new(key_start, self.out.len());
            self.piece(key_start, e.key_at, None);
            self.out.push(':');
            let value = self.value(&e.value, indent);
            match seen.get(e.key.as_str()) {
                // as the parser does: reported, and the later value replaces the first in place
                Some(&at) => {
                    self.errors
                        .push(ParseError::new(format!("duplicate key `{}`", e.key), key_span));
                    if let Some(first) = entries.get_mut(at) {
                        first.key_span = key_span;
                        first.value = value;
                    }
                }
                None => {
                    seen.insert(&e.key, entries.len());
                    entries.push(Entry {
                        key: e.key.clone(),
                        key_span,
                        value,
                    });
                }
            }
        }
        let end = entries.iter().map(|e| e.value.span.end).max().unwrap_or(start);
        Node::new(Span::new(start, end), NodeValue::Map(entries))
    }

    /// A value after `key:` (or `-`) at `indent`.
    fn value(&mut self, n: &KNode, indent: usize) -> Node {
        match &n.v {
            KVal::Map(es) if !es.is_empty() => {
                self.out.push('\n');
                self.map(es, indent + 2, false)
            }
            KVal::Seq(items) if !items.is_empty() => {
                self.out.push('\n');
                self.seq(items, indent + 2)
            }
            _ => {
                self.out.push(' ');
                let node = self.scalar(n);
                self.out.push('\n');
                node
            }
        }
    }

    fn seq(&mut self, items: &[KNode], indent: usize) -> Node {
        let mut nodes = Vec::with_capacity(items.len());
        // the parser starts an indented block sequence at its first dash
        let mut start = None;
        for item in items {
            self.indent(indent);
            let dash = self.out.len();
            self.out.push('-');
            let node = match &item.v {
                KVal::Map(es) if !es.is_empty() => {
                    self.out.push(' ');
                    self.map(es, indent + 2, true)
                }
                KVal::Seq(inner) if !inner.is_empty() => {
                    self.out.push('\n');
                    self.seq(inner, indent + 2)
                }
                _ => {
                    self.out.push(' ');
                    let node = self.scalar(item);
                    self.out.push('\n');
                    node
                }
            };
            start.get_or_insert(dash);
            nodes.push(node);
        }
        let start = start.unwrap_or(self.out.len());
        let end = nodes.last().map_or(start, |n| n.span.end);
        Node::new(Span::new(start, end), NodeValue::Seq(nodes))
    }

    fn scalar(&mut self, n: &KNode) -> Node {
        let start = self.out.len();
        write_scalar(&mut self.out, &n.v);
        self.piece(start, n.at, n.set);
        let value = match &n.v {
            KVal::Null => NodeValue::Null,
            KVal::Bool(b) => NodeValue::Bool(*b),
            KVal::Num(s) => match crate::lang::yaml::resolve_plain(s) {
                v @ NodeValue::Number { .. } => v,
                _ => {
                    self.exact &= readable_back(s);
                    NodeValue::String(s.clone())
                }
            },
            KVal::Str(s) => {
                self.exact &= readable_back(s);
                NodeValue::String(s.clone())
            }
            KVal::Seq(_) => NodeValue::Seq(Vec::new()),
            KVal::Map(_) => NodeValue::Map(Vec::new()),
        };
        Node::new(Span::new(start, self.out.len()), value)
    }
}

/// Whether a string written by [`write_scalar`] reads back as itself for certain: every
/// character is escaped (a control) or YAML-printable and no line break of YAML's own.
fn readable_back(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_control()
            || matches!(c, ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
                && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
    })
}

/// A scalar (or an empty collection) as YAML: plain when it reads back as the same string,
/// double-quoted otherwise.
fn write_scalar(out: &mut String, v: &KVal) {
    match v {
        KVal::Null => out.push_str("null"),
        KVal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        KVal::Num(n) => {
            if matches!(crate::lang::yaml::resolve_plain(n), NodeValue::Number { .. }) {
                out.push_str(n)
            } else {
                quote(out, n)
            }
        }
        KVal::Str(s) => write_str(out, s),
        KVal::Seq(_) => out.push_str("[]"),
        KVal::Map(_) => out.push_str("{}"),
    }
}

/// A string (a value or a key) as YAML: plain when it reads back as the same string,
/// double-quoted otherwise.
fn write_str(out: &mut String, s: &str) {
    if plain_safe(s) {
        out.push_str(s)
    } else {
        quote(out, s)
    }
}

fn plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !(first == '-' && s.len() > 1 && !s[1..].starts_with(' ')) {
        return false;
    }
    if s.ends_with(' ') || s.starts_with(' ') || s.ends_with(':') || s.contains(": ") || s.contains(" #") {
        return false;
    }
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}'))
    {
        return false;
    }
    if s.contains(['{', '}', '[', ']', ',']) {
        return false;
    }
    matches!(crate::lang::yaml::resolve_plain(s), NodeValue::String(ref r) if r == s)
}

fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
