//! Python source via tree-sitter: the facts the PY rules need (imports, calls with their
//! arguments, assignments of literals, string literals), each with its byte span.
//!
//! Names are resolved once, here: every call records its callee as written and its
//! qualified name after `import m as a`, `from m import f as g` and module-level aliases
//! (`run = subprocess.run`), so `import yaml as y; y.load(f)` is `yaml.load` and
//! `from subprocess import run as sh; sh(cmd)` is `subprocess.run` to every rule. Rules
//! match [`Call::qualified`] and [`Module::qualify`] other names they read.
//!
//! The tree is walked once with a `TreeCursor` (iterative: trees can be far deeper than a
//! rayon thread's stack). A file with syntax errors still yields what the error-tolerant tree
//! holds, plus one [`ParseError`] at the first ERROR/MISSING node.

use std::cell::RefCell;

use tree_sitter::{Node as TsNode, Parser};

use crate::lang::ParseError;
use crate::source::Span;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// A statically known expression, as far as the rules care.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    /// A string built at run time: f-string with fields, `%`, `+` or `.format(...)`.
    Formatted,
    /// A plain name (`cmd`, `settings.DEBUG`): dotted text.
    Name(String),
    /// A call; holds the callee's dotted text.
    Call(String),
    /// A tuple of a few elements (`("", 8000)`), each with its span.
    Tuple(Vec<Expr>),
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub value: Value,
    pub span: Span,
}

impl Expr {
    /// The expression's source text (kept as a span: copies of every argument's text would
    /// cost several times the source's size).
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        self.span.slice(src)
    }
}

#[derive(Debug, Clone)]
pub struct Import {
    /// Absolute module path as written (`app.core`), without the leading dots.
    pub module: String,
    /// Leading dots of a relative import (`from ..core import x` → 2); 0 for absolute.
    pub level: usize,
    /// Names imported by `from m import a, b` (empty for `import m`).
    pub names: Vec<String>,
    /// The names the statement binds and what they stand for: `import yaml as y` → (`y`,
    /// `yaml`), `import os.path` → (`os`, `os`), `from subprocess import run as sh` → (`sh`,
    /// `subprocess.run`). Empty for relative and `*` imports.
    pub bindings: Vec<(String, String)>,
    /// The whole statement.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Arg {
    /// `name=` of a keyword argument, with the span of the name.
    pub keyword: Option<(String, Span)>,
    pub value: Expr,
}

#[derive(Debug, Clone)]
pub struct Call {
    /// Dotted callee text as written (`sp.run`, `app.run`); empty when not a name/attribute.
    pub callee: String,
    /// The callee with imports and module aliases resolved (`sp.run` after `import
    /// subprocess as sp` is `subprocess.run`); the written text when nothing resolves it.
    pub qualified: String,
    pub callee_span: Span,
    pub span: Span,
    pub args: Vec<Arg>,
    /// Start byte + 1 of the enclosing function (0 for module level): the data-flow scope.
    pub scope: usize,
}

impl Call {
    pub fn keyword(&self, name: &str) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.keyword.as_ref().is_some_and(|(k, _)| k == name))
    }
    pub fn positional(&self, i: usize) -> Option<&Arg> {
        self.args.iter().filter(|a| a.keyword.is_none()).nth(i)
    }
    /// The last segment of the qualified callee (`run` of `app.run`; `run` of `sh` after
    /// `from subprocess import run as sh`).
    pub fn method(&self) -> &str {
        self.qualified.rsplit('.').next().unwrap_or("")
    }
    /// The callee as a message names it: as written (`` `yaml.load` ``, `` `web.run_app` ``
    /// after `from aiohttp import web`), with the qualified name when an alias hides it
    /// (`` `y.load` (`yaml.load`) ``, `` `sh` (`subprocess.run`) ``).
    pub fn display(&self) -> String {
        let hidden = self.callee != self.qualified
            && !self
                .qualified
                .strip_suffix(self.callee.as_str())
                .is_some_and(|prefix| prefix.ends_with('.'));
        if !hidden {
            format!("`{}`", self.callee)
        } else {
            format!("`{}` (`{}`)", self.callee, self.qualified)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Assignment {
    /// Dotted/subscript target text (`DEBUG`, `ctx.check_hostname`, `app.config["DEBUG"]`).
    pub target: String,
    pub target_span: Span,
    pub value: Expr,
    pub scope: usize,
    /// At module level (not inside a function or class).
    pub module_level: bool,
}

/// A string built at run time (a [`Value::Formatted`] argument or assigned value), taken
/// apart: its literal text and the values put into it.
#[derive(Debug, Clone)]
pub struct Template {
    /// The whole expression.
    pub span: Span,
    /// The literal parts in order, each value put in replaced by one space (bounded).
    pub literal: String,
    /// The values put in: f-string fields, `+` operands that are not string literals, the
    /// right side of `%` (each element of a tuple), the arguments of `.format(...)`.
    pub holes: Vec<Hole>,
}

/// A value put into a [`Template`].
#[derive(Debug, Clone)]
pub struct Hole {
    /// Byte offset in [`Template::literal`] of the space that stands for it.
    pub at: usize,
    pub value: Expr,
}

#[derive(Debug, Clone)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Module {
    pub imports: Vec<Import>,
    pub calls: Vec<Call>,
    pub assignments: Vec<Assignment>,
    pub strings: Vec<StringLit>,
    /// The formatted strings passed to calls or assigned, in source order.
    pub templates: Vec<Template>,
    pub errors: Vec<ParseError>,
    /// Local names bound to modules or their members: imports, then module-level aliases.
    pub bindings: std::collections::HashMap<String, String>,
}

impl Module {
    /// A name (or an expression's text) with its leading name resolved through the module's
    /// imports and aliases: `y.load` → `yaml.load` after `import yaml as y`, `fetch(u)` →
    /// `urllib.request.urlopen(u)` after `from urllib.request import urlopen as fetch`;
    /// unchanged otherwise.
    pub fn qualify(&self, text: &str) -> String {
        let end = text
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        match self.bindings.get(&text[..end]) {
            Some(q) => format!("{q}{}", &text[end..]),
            None => text.to_string(),
        }
    }

    /// The formatted string spanning exactly `span`, when it was passed or assigned.
    pub fn template(&self, span: Span) -> Option<&Template> {
        self.templates.iter().find(|t| t.span == span)
    }

    /// What `name` holds at byte `at` of the function starting at `scope`, as far as a forward
    /// reading of that function can tell: the last assignment to it before `at`. Assignments
    /// in branches count as if they ran, so rules must only use this to find what a name was
    /// built from, never to clear a value.
    pub fn assigned_before(&self, name: &str, scope: usize, at: usize) -> Option<&Assignment> {
        self.assignments
            .iter()
            .rfind(|a| a.scope == scope && a.target_span.start < at && a.target == name)
    }

    /// A module-level name bound once, to a string or number literal (`TABLE = "users"`).
    pub fn is_constant(&self, name: &str) -> bool {
        let mut bound = self.assignments.iter().filter(|a| a.target == name);
        let first = bound.next();
        first.is_some_and(|a| a.module_level && matches!(a.value.value, Value::Str(_) | Value::Int(_)))
            && bound.next().is_none()
    }

    /// Record what the imports and module-level aliases bind, and qualify every call.
    /// Add the facts of the next part of the same module (names not yet resolved).
    fn append(&mut self, part: Module) {
        self.imports.extend(part.imports);
        self.calls.extend(part.calls);
        self.assignments.extend(part.assignments);
        self.strings.extend(part.strings);
        self.templates.extend(part.templates);
        self.errors.extend(part.errors);
    }

    fn resolve_names(&mut self) {
        let mut bindings = std::collections::HashMap::new();
        for imp in &self.imports {
            for (local, target) in &imp.bindings {
                bindings.insert(local.clone(), target.clone());
            }
        }
        self.bindings = bindings;
        // `run = subprocess.run`, `loader = yaml`: an alias of something imported
        let aliases: Vec<(String, String)> = self
            .assignments
            .iter()
            .filter(|a| a.module_level && is_identifier(&a.target))
            .filter_map(|a| match &a.value.value {
                Value::Name(n) if self.bindings.contains_key(n.split('.').next().unwrap_or_default()) => {
                    Some((a.target.clone(), self.qualify(n)))
                }
                _ => None,
            })
            .collect();
        self.bindings.extend(aliases);
        if self.bindings.is_empty() {
            return;
        }
        let calls = std::mem::take(&mut self.calls);
        self.calls = calls
            .into_iter()
            .map(|mut c| {
                if !c.callee.is_empty() {
                    c.qualified = self.qualify(&c.callee);
                }
                c
            })
            .collect();
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

const MAX_TEXT: usize = 400;

fn span(n: TsNode) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

fn text<'a>(n: TsNode, src: &'a str) -> &'a str {
    src.get(n.start_byte()..n.end_byte()).unwrap_or("")
}

fn bounded(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.to_string();
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// A module this long or longer is parsed in parts (see [`parse`]).
const PARTS_FROM: usize = 1 << 20;
/// The least length of one part of a module parsed in parts.
const PART: usize = 1 << 18;

/// Parse Python source. Never panics.
///
/// tree-sitter's tree is about twenty times the text (130 MB for a 6.5 MB generated client
/// module), so a large module is parsed in parts cut between top-level statements
/// ([`top_level_cuts`]), each part's tree dropped once its facts are read: top-level statements
/// are independent in the grammar, so the facts are those of one parse. A part that does not
/// parse cleanly (a cut the scan misjudged, or a broken file) makes the module parsed whole.
pub fn parse(src: &str) -> Module {
    if src.len() < PARTS_FROM {
        return parse_whole(src);
    }
    parse_in_parts(src, PART)
}

/// [`parse`], in parts of `part` bytes or more.
fn parse_in_parts(src: &str, part: usize) -> Module {
    let cuts = top_level_cuts(src, part);
    let mut m = Module::default();
    let (mut from, mut at) = (0, tree_sitter::Point { row: 0, column: 0 });
    for to in cuts.iter().copied().chain(std::iter::once(src.len())) {
        let whole = from == 0 && to == src.len();
        let end = point_after(at, src.get(from..to).unwrap_or_default());
        let range = tree_sitter::Range {
            start_byte: from,
            end_byte: to,
            start_point: at,
            end_point: end,
        };
        match facts(src, (!whole).then_some(range)) {
            Some(part) if whole || part.errors.is_empty() => m.append(part),
            Some(_) => return parse_whole(src),
            None => return unparsed(),
        }
        (from, at) = (to, end);
    }
    m.resolve_names();
    m
}

fn parse_whole(src: &str) -> Module {
    match facts(src, None) {
        Some(mut m) => {
            m.resolve_names();
            m
        }
        None => unparsed(),
    }
}

fn unparsed() -> Module {
    Module {
        errors: vec![ParseError::new("the Python parser could not run", Span::empty(0))],
        ..Module::default()
    }
}

/// Byte offsets where a top-level statement starts, at least `part` bytes apart: the start of
/// a line outside any string, bracket or continued line, whose first character begins a name
/// or keyword that is not `else`/`elif`/`except`/`finally`, after a line that is no decorator.
/// The scan only has to be right where it cuts: a wrong cut leaves a part that does not parse,
/// and the module is then parsed whole.
pub(crate) fn top_level_cuts(src: &str, part: usize) -> Vec<usize> {
    let b = src.as_bytes();
    let mut cuts = Vec::new();
    let mut last = 0;
    let (mut i, mut depth) = (0usize, 0usize);
    // the quote of the string the scan is in, and whether it is triple
    let mut quote: Option<(u8, bool)> = None;
    let mut after_decorator = false;
    while i < b.len() {
        let c = b[i];
        if let Some((q, triple)) = quote {
            match c {
                b'\\' => i += 1,
                b'\n' if !triple => quote = None,
                _ if c == q && (!triple || b.get(i + 1..i + 3) == Some(&[q, q][..])) => {
                    quote = None;
                    if triple {
                        i += 2;
                    }
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                let triple = b.get(i + 1..i + 3) == Some(&[c, c][..]);
                quote = Some((c, triple));
                i += if triple { 3 } else { 1 };
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            // a continued line: its end starts no statement
            b'\\' if b.get(i + 1) == Some(&b'\n') => {
                i += 2;
                continue;
            }
            b'\n' => {
                let start = i + 1;
                if depth == 0 {
                    let first = b.get(start).copied().unwrap_or(b' ');
                    if (first.is_ascii_alphabetic() || first == b'_')
                        && !after_decorator
                        && start - last >= part
                        && src.len() - start >= part / 2
                        && !starts_clause(&b[start..])
                    {
                        cuts.push(start);
                        last = start;
                    }
                    // a significant line at column 0 decides whether the next one may be cut
                    if !matches!(first, b' ' | b'\t' | b'\r' | b'\n' | b'#') {
                        after_decorator = first == b'@';
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    cuts
}

/// Whether a line starts a clause of the statement above (`else:`, `elif x:`, `except E:`,
/// `finally:`), which no cut may separate from it.
fn starts_clause(line: &[u8]) -> bool {
    ["else", "elif", "except", "finally"].iter().any(|k| {
        line.starts_with(k.as_bytes())
            && !line
                .get(k.len())
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    })
}

/// The point (row, byte column) after `text`, which starts at `at`: how tree-sitter's ranges
/// are given, counted part by part so that a module is read once.
fn point_after(at: tree_sitter::Point, text: &str) -> tree_sitter::Point {
    match text.rfind('\n') {
        Some(i) => tree_sitter::Point {
            row: at.row + text.bytes().filter(|c| *c == b'\n').count(),
            column: text.len() - (i + 1),
        },
        None => tree_sitter::Point {
            row: at.row,
            column: at.column + text.len(),
        },
    }
}

/// The facts of `src`, or of its bytes in `range` only (offsets stay the file's), names not
/// yet resolved; `None` when the parser could not run.
fn facts(src: &str, range: Option<tree_sitter::Range>) -> Option<Module> {
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            if p.set_language(&tree_sitter_python::LANGUAGE.into()).is_err() {
                return None;
            }
            *slot = Some(p);
        }
        let p = slot.as_mut()?;
        let ranges: Vec<tree_sitter::Range> = range.into_iter().collect();
        // no ranges: the whole text (and the parser is left so for the next file)
        p.set_included_ranges(&ranges).ok()?;
        let tree = p.parse(src, None);
        if !ranges.is_empty() {
            p.set_included_ranges(&[]).ok()?;
        }
        tree
    })?;
    let mut m = Module::default();
    let root = tree.root_node();
    let mut cursor = root.walk();
    // function scopes: (end byte, start byte) of the enclosing functions
    let mut scopes: Vec<(usize, usize)> = Vec::new();
    let mut nesting: Vec<usize> = Vec::new(); // end bytes of enclosing function/class bodies
    let mut first_error: Option<TsNode> = None;
    // kinds of the nodes above the cursor: `Node::parent` walks down from the root, which is
    // quadratic on a deep tree (a chain of 10,000 `+`)
    let mut parents: Vec<&str> = Vec::new();
    'walk: loop {
        let n = cursor.node();
        while scopes.last().is_some_and(|(end, _)| n.start_byte() >= *end) {
            scopes.pop();
        }
        while nesting.last().is_some_and(|end| n.start_byte() >= *end) {
            nesting.pop();
        }
        if first_error.is_none() && (n.is_error() || n.is_missing()) {
            first_error = Some(n);
        }
        let scope = scopes.last().map(|(_, s)| *s).unwrap_or(0);
        match n.kind() {
            "function_definition" => {
                // + 1: a function at byte 0 is not module level
                scopes.push((n.end_byte(), n.start_byte() + 1));
                nesting.push(n.end_byte());
            }
            "class_definition" => nesting.push(n.end_byte()),
            "import_statement" => import_statement(n, src, &mut m),
            "import_from_statement" => import_from(n, src, &mut m),
            "call" => call(n, src, scope, &mut m),
            "assignment" => {
                if let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) {
                    let value = expr(r, src);
                    if value.value == Value::Formatted {
                        m.templates.push(template(r, src));
                    }
                    m.assignments.push(Assignment {
                        target: bounded(text(l, src)),
                        target_span: span(l),
                        value,
                        scope,
                        module_level: nesting.is_empty(),
                    });
                }
            }
            "as_pattern" => {
                // `with urlopen(u) as f:` binds `f` like an assignment
                if let Some(alias) = n.child_by_field_name("alias") {
                    if let Some(value) = n.named_child(0) {
                        m.assignments.push(Assignment {
                            target: bounded(text(alias, src)),
                            target_span: span(alias),
                            value: expr(value, src),
                            scope,
                            module_level: nesting.is_empty(),
                        });
                    }
                }
            }
            "string" => {
                // docstrings are prose: not kept (they are a large share of a module's bytes)
                let docstring = parents.last() == Some(&"expression_statement");
                if !docstring {
                    if let Value::Str(value) = string_value(n, src) {
                        m.strings.push(StringLit { value, span: span(n) });
                    }
                }
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            parents.push(n.kind());
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
            parents.pop();
        }
    }
    if let Some(e) = first_error {
        let message = if e.is_missing() {
            format!("invalid Python syntax: missing `{}`", e.kind())
        } else {
            let t = text(e, src).lines().next().unwrap_or("").trim();
            let t: String = t.chars().take(30).collect();
            if t.is_empty() {
                "invalid Python syntax".to_string()
            } else {
                format!("invalid Python syntax near `{t}`")
            }
        };
        let s = if e.is_missing() {
            Span::empty(e.start_byte())
        } else {
            let sp = span(e);
            // one line at most: an ERROR node can swallow the rest of the file
            let line_end = src
                .get(sp.start..sp.end)
                .and_then(|t| t.find('\n'))
                .map(|i| sp.start + i)
                .unwrap_or(sp.end);
            Span::new(sp.start, line_end)
        };
        m.errors.push(ParseError::new(message, s));
    }
    Some(m)
}

fn import_statement(n: TsNode, src: &str, m: &mut Module) {
    let mut c = n.walk();
    for child in n.children_by_field_name("name", &mut c) {
        let (name, alias) = match child.kind() {
            "aliased_import" => (
                child.child_by_field_name("name").map(|x| text(x, src)),
                child.child_by_field_name("alias").map(|x| text(x, src)),
            ),
            _ => (Some(text(child, src)), None),
        };
        if let Some(name) = name {
            // `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`
            let binding = match alias {
                Some(a) => (a.to_string(), name.to_string()),
                None => {
                    let head = name.split('.').next().unwrap_or(name);
                    (head.to_string(), head.to_string())
                }
            };
            m.imports.push(Import {
                module: name.to_string(),
                level: 0,
                names: Vec::new(),
                bindings: vec![binding],
                span: span(n),
            });
        }
    }
}

fn import_from(n: TsNode, src: &str, m: &mut Module) {
    let Some(module) = n.child_by_field_name("module_name") else {
        return;
    };
    let (level, name) = if module.kind() == "relative_import" {
        let t = text(module, src);
        let level = t.chars().take_while(|c| *c == '.').count();
        (level, t[level..].trim().to_string())
    } else {
        (0, text(module, src).to_string())
    };
    let mut names = Vec::new();
    let mut bindings = Vec::new();
    let mut c = n.walk();
    for child in n.children_by_field_name("name", &mut c) {
        let (nm, alias) = match child.kind() {
            "aliased_import" => (
                child.child_by_field_name("name").map(|x| text(x, src)),
                child.child_by_field_name("alias").map(|x| text(x, src)),
            ),
            _ => (Some(text(child, src)), None),
        };
        if let Some(nm) = nm {
            names.push(nm.to_string());
            // the project's own modules (relative imports) are not resolved
            if level == 0 {
                bindings.push((alias.unwrap_or(nm).to_string(), format!("{name}.{nm}")));
            }
        }
    }
    m.imports.push(Import {
        module: name,
        level,
        names,
        bindings,
        span: span(n),
    });
}

fn call(n: TsNode, src: &str, scope: usize, m: &mut Module) {
    let Some(f) = n.child_by_field_name("function") else {
        return;
    };
    let callee = match f.kind() {
        "identifier" | "attribute" => bounded(text(f, src)).split_whitespace().collect::<String>(),
        _ => String::new(),
    };
    let mut args = Vec::new();
    if let Some(list) = n.child_by_field_name("arguments") {
        if list.kind() == "argument_list" {
            let mut c = list.walk();
            for a in list.named_children(&mut c) {
                if a.kind() == "comment" {
                    continue;
                }
                if a.kind() == "keyword_argument" {
                    let (Some(k), Some(v)) = (a.child_by_field_name("name"), a.child_by_field_name("value")) else {
                        continue;
                    };
                    let value = expr(v, src);
                    if value.value == Value::Formatted {
                        m.templates.push(template(v, src));
                    }
                    args.push(Arg {
                        keyword: Some((text(k, src).to_string(), span(k))),
                        value,
                    });
                } else {
                    let value = expr(a, src);
                    if value.value == Value::Formatted {
                        m.templates.push(template(a, src));
                    }
                    args.push(Arg { keyword: None, value });
                }
            }
        }
    }
    m.calls.push(Call {
        qualified: callee.clone(),
        callee,
        callee_span: span(f),
        span: span(n),
        args,
        scope,
    });
}

/// Evaluate what the rules need of an expression, without recursion beyond a fixed depth.
pub(crate) fn expr(n: TsNode, src: &str) -> Expr {
    Expr {
        value: value_of(n, src, 0),
        span: span(n),
    }
}

fn value_of(n: TsNode, src: &str, depth: usize) -> Value {
    if depth > 8 {
        return Value::Other;
    }
    match n.kind() {
        "string" => string_value(n, src),
        "concatenated_string" => {
            let mut out = String::new();
            let mut c = n.walk();
            for part in n.named_children(&mut c) {
                match string_value(part, src) {
                    Value::Str(s) => out.push_str(&s),
                    Value::Formatted => return Value::Formatted,
                    _ => {}
                }
            }
            Value::Str(out)
        }
        "integer" => {
            let t = text(n, src).replace('_', "");
            t.parse().map(Value::Int).unwrap_or(Value::Other)
        }
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "none" => Value::None,
        "identifier" | "attribute" => Value::Name(bounded(text(n, src))),
        "tuple" => {
            let mut c = n.walk();
            let items: Vec<TsNode> = n.named_children(&mut c).filter(|x| x.kind() != "comment").collect();
            if items.len() > 8 {
                return Value::Other;
            }
            Value::Tuple(
                items
                    .into_iter()
                    .map(|x| Expr {
                        value: value_of(x, src, depth + 1),
                        span: span(x),
                    })
                    .collect(),
            )
        }
        "parenthesized_expression" => match n.named_child(0) {
            Some(inner) => value_of(inner, src, depth + 1),
            None => Value::Other,
        },
        "binary_operator" => {
            let op = n.child_by_field_name("operator").map(|o| text(o, src)).unwrap_or("");
            let stringy = |side: Option<TsNode>| {
                side.is_some_and(|s| {
                    matches!(s.kind(), "string" | "concatenated_string")
                        || matches!(value_of(s, src, depth + 1), Value::Formatted)
                })
            };
            let (l, r) = (n.child_by_field_name("left"), n.child_by_field_name("right"));
            if (op == "+" && (stringy(l) || stringy(r))) || (op == "%" && stringy(l)) {
                Value::Formatted
            } else {
                Value::Other
            }
        }
        "call" => {
            let f = n.child_by_field_name("function");
            if let Some(f) = f {
                if f.kind() == "attribute" {
                    let obj = f.child_by_field_name("object");
                    let attr = f.child_by_field_name("attribute").map(|a| text(a, src));
                    if attr == Some("format")
                        && obj.is_some_and(|o| matches!(o.kind(), "string" | "concatenated_string"))
                    {
                        return Value::Formatted;
                    }
                }
                Value::Call(bounded(text(f, src)).split_whitespace().collect())
            } else {
                Value::Other
            }
        }
        _ => Value::Other,
    }
}

const MAX_TEMPLATE: usize = 4000;

/// Take a formatted string apart (see [`Template`]).
fn template(n: TsNode, src: &str) -> Template {
    let mut t = Template {
        span: span(n),
        literal: String::new(),
        holes: Vec::new(),
    };
    template_parts(n, src, 0, &mut t);
    t
}

fn template_parts(n: TsNode, src: &str, depth: usize, t: &mut Template) {
    let literal = |t: &mut Template, s: &str| {
        if t.literal.len() < MAX_TEMPLATE {
            t.literal.push_str(s);
        }
    };
    let hole = |t: &mut Template, n: TsNode| {
        if t.holes.len() < 32 {
            t.holes.push(Hole {
                at: t.literal.len(),
                value: expr(n, src),
            });
        }
        t.literal.push(' ');
    };
    if depth > 16 {
        return hole(t, n);
    }
    match n.kind() {
        "string" => {
            let mut c = n.walk();
            for part in n.children(&mut c) {
                match part.kind() {
                    "string_content" => literal(t, text(part, src)),
                    "interpolation" => match part.child_by_field_name("expression") {
                        Some(e) => hole(t, e),
                        None => hole(t, part),
                    },
                    _ => {}
                }
            }
        }
        "concatenated_string" => {
            let mut c = n.walk();
            for part in n.named_children(&mut c) {
                template_parts(part, src, depth + 1, t);
            }
        }
        "parenthesized_expression" => match n.named_child(0) {
            Some(inner) => template_parts(inner, src, depth + 1, t),
            None => hole(t, n),
        },
        "binary_operator" => {
            let op = n.child_by_field_name("operator").map(|o| text(o, src)).unwrap_or("");
            let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) else {
                return hole(t, n);
            };
            match op {
                "+" => {
                    template_parts(l, src, depth + 1, t);
                    template_parts(r, src, depth + 1, t);
                }
                "%" if value_of(n, src, 0) == Value::Formatted => {
                    let from = t.literal.len();
                    template_parts(l, src, depth + 1, t);
                    // each value stands where its `%s` is
                    let mut specs = percent_specs(&t.literal, from).into_iter();
                    let mut put = |t: &mut Template, x: TsNode| match specs.next() {
                        Some(at) if t.holes.len() < 32 => t.holes.push(Hole {
                            at,
                            value: expr(x, src),
                        }),
                        Some(_) => {}
                        None => hole(t, x),
                    };
                    if r.kind() == "tuple" {
                        let mut c = r.walk();
                        for x in r.named_children(&mut c).filter(|x| x.kind() != "comment") {
                            put(t, x);
                        }
                    } else {
                        put(t, r);
                    }
                }
                _ => hole(t, n),
            }
        }
        "call" => {
            let format_of = n
                .child_by_field_name("function")
                .filter(|f| f.kind() == "attribute")
                .filter(|f| f.child_by_field_name("attribute").map(|a| text(a, src)) == Some("format"))
                .and_then(|f| f.child_by_field_name("object"))
                .filter(|o| matches!(o.kind(), "string" | "concatenated_string"));
            let Some(object) = format_of else {
                return hole(t, n);
            };
            let from = t.literal.len();
            template_parts(object, src, depth + 1, t);
            // each value stands where its `{}`, `{0}` or `{name}` is
            let fields = format_fields(&t.literal, from);
            let mut auto = fields.iter().filter(|(_, name)| name.is_empty()).map(|(at, _)| *at);
            let put = |t: &mut Template, x: TsNode, at: Option<usize>| match at {
                Some(at) if t.holes.len() < 32 => t.holes.push(Hole {
                    at,
                    value: expr(x, src),
                }),
                Some(_) => {}
                None => hole(t, x),
            };
            if let Some(list) = n.child_by_field_name("arguments") {
                let mut c = list.walk();
                let mut index = 0;
                for a in list.named_children(&mut c).filter(|a| a.kind() != "comment") {
                    match (a.kind(), a.child_by_field_name("name"), a.child_by_field_name("value")) {
                        ("keyword_argument", Some(k), Some(v)) => {
                            let k = text(k, src);
                            put(t, v, fields.iter().find(|(_, name)| name == k).map(|(at, _)| *at));
                        }
                        _ => {
                            let i = index.to_string();
                            let at = fields.iter().find(|(_, name)| *name == i).map(|(at, _)| *at);
                            put(t, a, at.or_else(|| auto.next()));
                            index += 1;
                        }
                    }
                }
            }
        }
        _ => hole(t, n),
    }
}

/// Offsets (from `from` on) of the `%` conversions of a `%`-formatted literal (`%%` is none).
fn percent_specs(literal: &str, from: usize) -> Vec<usize> {
    let bytes = literal.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if bytes.get(i + 1) == Some(&b'%') {
                i += 2;
                continue;
            }
            out.push(i);
        }
        i += 1;
    }
    out
}

/// Offsets (from `from` on) and field names (`""` for `{}`) of a `.format` literal's fields;
/// `{{` is none. `{user.name}` and `{0[1]:>3}` are named `user` and `0`.
fn format_fields(literal: &str, from: usize) -> Vec<(usize, String)> {
    let bytes = literal.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            if bytes.get(i + 1) == Some(&b'{') {
                i += 2;
                continue;
            }
            let rest = literal.get(i + 1..).unwrap_or("");
            let end = rest.find(['}', '.', '[', '!', ':']).unwrap_or(rest.len());
            out.push((i, rest.get(..end).unwrap_or("").to_string()));
        }
        i += 1;
    }
    out
}

fn string_value(n: TsNode, src: &str) -> Value {
    if n.kind() != "string" {
        return Value::Other;
    }
    let mut start = n.start_byte();
    let mut end = n.end_byte();
    let mut c = n.walk();
    for child in n.children(&mut c) {
        match child.kind() {
            "interpolation" => return Value::Formatted,
            "string_start" => start = child.end_byte(),
            "string_end" => end = child.start_byte(),
            _ => {}
        }
    }
    Value::Str(src.get(start..end.max(start)).unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module's facts as comparable text (bindings sorted: a map's order is not the file's).
    fn facts_text(m: &Module) -> String {
        let mut bindings: Vec<_> = m.bindings.iter().collect();
        bindings.sort();
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{bindings:?}",
            m.imports, m.calls, m.assignments, m.strings, m.templates, m.errors
        )
    }

    /// A module that tempts a cut everywhere it must not make one: in triple-quoted and
    /// escaped strings, brackets, continued lines, between a decorator and its function, before
    /// `else`/`except`; and module-level aliases that later parts' calls resolve through.
    fn tempting_module(copies: usize) -> String {
        let mut src = String::from("import subprocess as sp\nimport yaml\nrun = sp.run\n");
        for i in 0..copies {
            src.push_str(&format!(
                "DOC_{i} = \"\"\"\nimport pickle\npickle.load(f)\n\"\"\"\nESC_{i} = 'it\\'s\\\nx = eval(s)'\nTABLE_{i} = [\nopen('a'),\nrun('ls', shell=True),\n]\nTOTAL_{i} = 1 + \\\n2\n@decorate\ndef handler_{i}(event):\n    return yaml.load(event, Loader=yaml.Loader)\ntry:\n    run(f\"echo {{i}}\", shell=True)\nexcept OSError:\n    pass\nif DEBUG:\n    sp.call('x')\nelse:\n    eval(event)\n# a comment with a quote ' in it\nclass C_{i}:\n    url = 'http://example.com/{i}'\n",
            ));
        }
        src
    }

    #[test]
    fn a_module_parsed_in_parts_has_the_facts_of_one_parse() {
        let src = tempting_module(400);
        let cuts = top_level_cuts(&src, 1024);
        assert!(cuts.len() > 20, "{} cuts", cuts.len());
        for &c in &cuts {
            let line = src[c..].lines().next().unwrap_or_default();
            assert!(
                ["DOC_", "ESC_", "TABLE_", "TOTAL_", "try:", "if DEBUG", "class C_"]
                    .iter()
                    .any(|p| line.starts_with(p)),
                "cut before {line:?}"
            );
        }
        let whole = parse_whole(&src);
        assert!(whole.errors.is_empty(), "{:?}", whole.errors);
        assert_eq!(facts_text(&parse_in_parts(&src, 1024)), facts_text(&whole));
        // the aliases of the first part resolve the calls of the last
        assert!(whole.calls.iter().filter(|c| c.qualified == "subprocess.run").count() >= 800);
        // the points of the parts, counted part by part, are where the cuts are
        let mut at = tree_sitter::Point { row: 0, column: 0 };
        let mut from = 0;
        for &c in cuts.iter().chain(std::iter::once(&src.len())) {
            at = point_after(at, &src[from..c]);
            let before = &src[..c];
            let row = before.matches('\n').count();
            let column = c - before.rfind('\n').map_or(0, |i| i + 1);
            assert_eq!((at.row, at.column), (row, column), "at {c}");
            from = c;
        }
        // and a module over the size where parts begin is parsed in parts, with the same facts
        let big = tempting_module(3_000);
        assert!(big.len() >= PARTS_FROM);
        assert_eq!(facts_text(&parse(&big)), facts_text(&parse_whole(&big)));
    }

    #[test]
    fn a_part_that_does_not_parse_makes_the_module_parsed_whole() {
        // an unclosed bracket in the middle: the scan cuts nowhere after it, and the part that
        // holds it has errors, so the result is the whole parse's, error included
        let mut src = tempting_module(50);
        src.push_str("BROKEN = (1,\n");
        src.push_str(&tempting_module(50));
        let whole = parse_whole(&src);
        assert_eq!(whole.errors.len(), 1);
        assert_eq!(facts_text(&parse_in_parts(&src, 512)), facts_text(&whole));
    }

    /// `LINEA_PYTHON_TREE=/path cargo test -- --ignored parts_equal`: every module of a real tree
    /// parsed in small parts has the facts of one parse.
    #[test]
    #[ignore = "reads a Python tree named by LINEA_PYTHON_TREE"]
    fn parts_equal_one_parse_on_a_real_tree() {
        let Ok(root) = std::env::var("LINEA_PYTHON_TREE") else {
            return;
        };
        let mut stack = vec![std::path::PathBuf::from(root)];
        let (mut files, mut parted) = (0, 0);
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).into_iter().flatten().flatten().map(|e| e.path()));
                continue;
            }
            if p.extension().is_none_or(|e| e != "py") {
                continue;
            }
            let Ok(src) = std::fs::read_to_string(&p) else { continue };
            files += 1;
            parted += usize::from(!top_level_cuts(&src, 2048).is_empty());
            assert_eq!(
                facts_text(&parse_in_parts(&src, 2048)),
                facts_text(&parse_whole(&src)),
                "{}",
                p.display()
            );
        }
        eprintln!("{files} modules, {parted} parsed in parts");
    }

    #[test]
    fn collects_facts() {
        let src = "import os\nfrom ..core import scoring\nfrom app.views import api as a\n\ndef f(u):\n    r = requests.get(u, verify=False)\n    with urlopen(u) as fh:\n        pass\n    return subprocess.run(f\"ls {u}\", shell=True)\nDEBUG = True\nURL = 'http://example.com'\n";
        let m = parse(src);
        assert!(m.errors.is_empty());
        assert_eq!(m.imports.len(), 3);
        assert_eq!(m.imports[1].level, 2);
        assert_eq!(m.imports[1].module, "core");
        assert_eq!(m.imports[2].module, "app.views");
        let get = m.calls.iter().find(|c| c.callee == "requests.get").unwrap();
        assert_eq!(get.keyword("verify").unwrap().value.value, Value::Bool(false));
        assert!(get.scope > 0);
        let run = m.calls.iter().find(|c| c.callee == "subprocess.run").unwrap();
        assert_eq!(run.positional(0).unwrap().value.value, Value::Formatted);
        assert!(m.assignments.iter().any(|a| a.target == "fh"));
        let debug = m.assignments.iter().find(|a| a.target == "DEBUG").unwrap();
        assert!(debug.module_level);
        assert!(m.strings.iter().any(|s| s.value == "http://example.com"));
    }

    #[test]
    fn resolves_imports_and_aliases() {
        let src = "import yaml as y\nimport os.path\nimport xml.etree.ElementTree as ET\n\
                   from subprocess import run as sh, Popen\nfrom . import local\nfrom pickle import *\n\
                   load = y.load\n\ndef f(cmd, x):\n    y.load(x)\n    sh(cmd, shell=True)\n    Popen(x)\n\
                   os.path.join(x)\n    ET.parse(x)\n    load(x)\n    local.run()\n    print(x)\n";
        let m = parse(src);
        let q: Vec<(&str, &str)> = m
            .calls
            .iter()
            .map(|c| (c.callee.as_str(), c.qualified.as_str()))
            .collect();
        assert_eq!(
            q,
            [
                ("y.load", "yaml.load"),
                ("sh", "subprocess.run"),
                ("Popen", "subprocess.Popen"),
                ("os.path.join", "os.path.join"),
                ("ET.parse", "xml.etree.ElementTree.parse"),
                ("load", "yaml.load"),
                ("local.run", "local.run"),
                ("print", "print"),
            ]
        );
        let sh = &m.calls[1];
        assert_eq!(sh.method(), "run");
        assert_eq!(sh.display(), "`sh` (`subprocess.run`)");
        assert_eq!(m.calls[3].display(), "`os.path.join`");
        assert_eq!(m.calls[2].display(), "`Popen`");
        assert_eq!(m.qualify("ET.Element"), "xml.etree.ElementTree.Element");
        assert_eq!(m.qualify("unknown.thing"), "unknown.thing");
    }

    #[test]
    fn templates_split_literal_and_values() {
        let src = "def f(cur, name, ids):\n    q = f\"SELECT * FROM users WHERE name = '{name}'\"\n    \
                   cur.execute(\"DELETE FROM t WHERE id = %s AND x = %d\" % (ids, 3))\n    \
                   cur.execute(\"UPDATE t SET a = {} \".format(name) + \"WHERE b = \" + ids)\n    \
                   cur.execute(q)\n";
        let m = parse(src);
        let lits: Vec<&str> = m.templates.iter().map(|t| t.literal.as_str()).collect();
        assert_eq!(
            lits,
            [
                "SELECT * FROM users WHERE name = ' '",
                "DELETE FROM t WHERE id = %s AND x = %d",
                "UPDATE t SET a = {} WHERE b =  ",
            ]
        );
        let holes: Vec<Vec<&str>> = m
            .templates
            .iter()
            .map(|t| t.holes.iter().map(|h| h.value.text(src)).collect())
            .collect();
        assert_eq!(holes, [vec!["name"], vec!["ids", "3"], vec!["name", "ids"]]);
        assert_eq!(m.templates[1].holes[1].value.value, Value::Int(3));
        let at = |t: usize, h: usize| &m.templates[t].literal[m.templates[t].holes[h].at..];
        assert_eq!(at(0, 0), " '");
        assert_eq!(at(1, 0), "%s AND x = %d");
        assert_eq!(at(1, 1), "%d");
        assert_eq!(at(2, 0), "{} WHERE b =  ");
        assert_eq!(at(2, 1), " ");
        assert_eq!(
            format_fields("a {} {{x}} {name.attr} {0:>3}", 0),
            [(2, String::new()), (11, "name".into()), (23, "0".into())]
        );
        let q = m.assigned_before("q", m.calls[2].scope, m.calls[2].span.start).unwrap();
        assert!(m.template(q.value.span).is_some());
        assert!(m.assigned_before("q", 0, src.len()).is_none());
    }

    #[test]
    fn tuples_keep_their_elements() {
        let m = parse("HTTPServer((\"\", 8000), Handler)\n");
        let Some(Value::Tuple(items)) = m.calls[0].positional(0).map(|a| &a.value.value) else {
            panic!("not a tuple")
        };
        assert_eq!(items[1].value, Value::Int(8000));
    }

    #[test]
    fn reports_first_error_and_keeps_going() {
        let m = parse("def f(:\n    pass\nyaml.load(x)\n");
        assert_eq!(m.errors.len(), 1);
        assert!(m.calls.iter().any(|c| c.callee == "yaml.load"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let src = format!("x = {}1{}\n", "(".repeat(50_000), ")".repeat(50_000));
        let h = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse(&src).assignments.len())
            .unwrap();
        assert_eq!(h.join().unwrap(), 1);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "(?s).{0,300}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_near_syntax(text in r#"[ \t\n#=:;\\\[\]()\-.@a-z0-9"'{}]{0,200}"#) {
            let _ = parse(&text);
        }
    }
}
