//! Python source via tree-sitter: the facts the PY rules need (imports, calls with their
//! arguments, assignments of literals, string literals), each with its byte span.
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
    Other,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub value: Value,
    pub span: Span,
    /// The expression's source text (bounded; long expressions are cut).
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Import {
    /// Absolute module path as written (`app.core`), without the leading dots.
    pub module: String,
    /// Leading dots of a relative import (`from ..core import x` → 2); 0 for absolute.
    pub level: usize,
    /// Names imported by `from m import a, b` (empty for `import m`).
    pub names: Vec<String>,
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
    /// Dotted callee text (`subprocess.run`, `app.run`); empty when not a name/attribute.
    pub callee: String,
    pub callee_span: Span,
    pub span: Span,
    pub args: Vec<Arg>,
    /// Start byte of the enclosing function (0 for module level): the data-flow scope.
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
    /// The last segment of the callee (`run` of `app.run`).
    pub fn method(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or("")
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

#[derive(Debug, Clone)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
    /// A statement of its own (docstring) rather than part of an expression.
    pub docstring: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Module {
    pub imports: Vec<Import>,
    pub calls: Vec<Call>,
    pub assignments: Vec<Assignment>,
    pub strings: Vec<StringLit>,
    pub errors: Vec<ParseError>,
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

/// Parse Python source. Never panics.
pub fn parse(src: &str) -> Module {
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            if p.set_language(&tree_sitter_python::LANGUAGE.into()).is_err() {
                return None;
            }
            *slot = Some(p);
        }
        slot.as_mut().and_then(|p| p.parse(src, None))
    });
    let Some(tree) = tree else {
        return Module {
            errors: vec![ParseError::new("the Python parser could not run", Span::empty(0))],
            ..Module::default()
        };
    };
    let mut m = Module::default();
    let root = tree.root_node();
    let mut cursor = root.walk();
    // function scopes: (end byte, start byte) of the enclosing functions
    let mut scopes: Vec<(usize, usize)> = Vec::new();
    let mut nesting: Vec<usize> = Vec::new(); // end bytes of enclosing function/class bodies
    let mut first_error: Option<TsNode> = None;
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
                scopes.push((n.end_byte(), n.start_byte()));
                nesting.push(n.end_byte());
            }
            "class_definition" => nesting.push(n.end_byte()),
            "import_statement" => import_statement(n, src, &mut m),
            "import_from_statement" => import_from(n, src, &mut m),
            "call" => call(n, src, scope, &mut m),
            "assignment" => {
                if let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right")) {
                    m.assignments.push(Assignment {
                        target: bounded(text(l, src)),
                        target_span: span(l),
                        value: expr(r, src),
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
                if let Value::Str(value) = string_value(n, src) {
                    let docstring = n.parent().is_some_and(|p| p.kind() == "expression_statement");
                    m.strings.push(StringLit {
                        value,
                        span: span(n),
                        docstring,
                    });
                }
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
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
    m
}

fn import_statement(n: TsNode, src: &str, m: &mut Module) {
    let mut c = n.walk();
    for child in n.children_by_field_name("name", &mut c) {
        let name = match child.kind() {
            "aliased_import" => child.child_by_field_name("name").map(|x| text(x, src)),
            _ => Some(text(child, src)),
        };
        if let Some(name) = name {
            m.imports.push(Import {
                module: name.to_string(),
                level: 0,
                names: Vec::new(),
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
    let mut c = n.walk();
    for child in n.children_by_field_name("name", &mut c) {
        let nm = match child.kind() {
            "aliased_import" => child.child_by_field_name("name").map(|x| text(x, src)),
            _ => Some(text(child, src)),
        };
        if let Some(nm) = nm {
            names.push(nm.to_string());
        }
    }
    m.imports.push(Import {
        module: name,
        level,
        names,
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
                    args.push(Arg {
                        keyword: Some((text(k, src).to_string(), span(k))),
                        value: expr(v, src),
                    });
                } else {
                    args.push(Arg {
                        keyword: None,
                        value: expr(a, src),
                    });
                }
            }
        }
    }
    m.calls.push(Call {
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
        text: bounded(text(n, src)),
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
}
