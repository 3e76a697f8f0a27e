//! Shell text (RUN bodies, CI `script:` steps) parsed with tree-sitter-bash into a small model:
//! the commands with their words, the pipelines, the `&&`/`||` lists and whether `pipefail` is
//! set. Every span is an offset into the file: callers pass the byte offset where the shell
//! text starts, and the text must be byte-aligned with the file (blank out what the shell must
//! not see instead of removing it).

use std::borrow::Cow;
use std::cell::RefCell;

use tree_sitter::{Node as TsNode, Parser, Tree};

use crate::budget::{self, Exceeded, Meter};
use crate::source::Span;

/// `sh -c "..."` inside `bash -c '...'` inside...: deeper nesting is not followed.
const MAX_NESTING: usize = 3;

/// One shell word: its value with quotes and escapes removed, and where it is written.
///
/// A command substitution that holds another one is kept as `$(…)` (`` `…` ``, `<(…)`): the
/// commands inside are in the model on their own, and keeping every level as written would copy
/// the rest of the script at each level (quadratic memory on deeply nested `$( )`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
    /// Contains an expansion (`$VAR`, `$(...)`): `text` is not the runtime value.
    pub dynamic: bool,
}

/// A simple command: `X=1 sudo apt-get install -y curl`, as written. What it runs once its
/// wrappers (`sudo`, `env`, `timeout`...) are set aside is read by `semantic::command`.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// Leading `NAME=value` assignments.
    pub assignments: Vec<Word>,
    pub name: Word,
    pub args: Vec<Word>,
    pub span: Span,
    /// Found inside the string of an `sh -c` / `bash -c` command.
    pub nested: bool,
    /// The innermost pipeline (`curl … | sh`) the command is a stage of.
    pub pipeline: Option<Span>,
    /// The first command of the previous stage of that pipeline (an index into
    /// [`Script::commands`]).
    pub piped_from: Option<usize>,
    /// Whether the output goes to the next stage of a pipeline.
    pub piped_to: bool,
    /// Whether standard output is redirected to a file (`> out.txt`, `>> $GITHUB_ENV`).
    pub redirected: bool,
    /// Inside `$( )`, `<( )` or backticks: its output is a value, not printed.
    pub in_substitution: bool,
}

/// `a | b | c`: the span of each stage and of each `|`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub span: Span,
    pub stages: Vec<Span>,
    pub pipes: Vec<Span>,
}

/// `a && b || c`: the operators joining the commands of one list.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    pub span: Span,
    /// `&&` or `||`, with their spans.
    pub operators: Vec<(String, Span)>,
}

/// A parsed piece of shell text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    pub span: Span,
    /// In document order (commands nested in `$(...)`, subshells and `sh -c` included).
    pub commands: Vec<Command>,
    pub pipelines: Vec<Pipeline>,
    pub lists: Vec<List>,
    /// `;` separators.
    pub separators: Vec<Span>,
    /// Where `set -o pipefail` (or `set -euo pipefail`...) is first run.
    pub pipefail_at: Option<usize>,
    /// tree-sitter found a syntax error; the model holds what it recovered.
    pub has_error: bool,
    /// The text went over a budget and was not parsed: the model is empty, and the caller
    /// reports this at [`Script::span`].
    pub over_budget: Option<Exceeded>,
}

impl Word {
    /// The last path segment: `/usr/bin/apt-get` → `apt-get`.
    pub fn program(&self) -> &str {
        // a plain byte loop: rules ask this of every word they look at, and a `rsplit` left
        // out of line by the compiler cost the Dockerfile rules a third of their time
        let bytes = self.text.as_bytes();
        match bytes.iter().rposition(|b| *b == b'/') {
            // after an ASCII `/`: a character boundary
            Some(i) => self.text.get(i + 1..).unwrap_or(""),
            None => &self.text,
        }
    }
}

impl Script {
    /// Commands whose span lies inside `span` (e.g. one pipeline stage), in document order.
    /// A binary search finds the first: rules call this for every stage of every pipeline.
    pub fn commands_in(&self, span: Span) -> impl Iterator<Item = &Command> {
        commands_within(&self.commands, span).map(|(_, c)| c)
    }

    /// Whether `pipefail` is on for a pipeline starting at `offset`.
    pub fn pipefail_before(&self, offset: usize) -> bool {
        self.pipefail_at.is_some_and(|p| p < offset)
    }
}

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

fn parse_tree(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_bash::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// The operands among a command's arguments: the words that are not options, skipping the
/// value of each option written with a space for which `takes_value` holds (`-o value`;
/// `--opt=value` carries its own).
pub fn operands<T>(args: &[T], text: impl Fn(&T) -> &str, takes_value: impl Fn(&str) -> bool) -> Vec<&T> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        let t = text(a);
        if t.starts_with('-') {
            skip = !t.contains('=') && takes_value(t);
            continue;
        }
        out.push(a);
    }
    out
}

/// Parse `text`, which starts at byte `base` of its file. A text of more `|` than
/// [`budget::SHELL_PIPES`] is not parsed (see [`Script::over_budget`]).
pub fn parse(text: &str, base: usize) -> Script {
    let mut script = Script {
        span: Span::new(base, base + text.len()),
        ..Script::default()
    };
    if let Err(over) = Meter::new(&budget::SHELL_PIPES).charge(pipes(text)) {
        script.over_budget = Some(over);
        return script;
    }
    parse_into(&mut script, text, base, 0);
    script
        .commands
        .sort_by_key(|c| (c.span.start, std::cmp::Reverse(c.span.end)));
    script.pipelines.sort_by_key(|p| p.span.start);
    link_pipelines(&mut script);
    script
}

/// The `|` operators of `text` (`|&` included, `||` not), wherever they stand: in quotes, in
/// comments, in `sh -c` strings.
fn pipes(text: &str) -> u64 {
    let mut count = 0;
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        if b == b'|' {
            if bytes.peek() == Some(&b'|') {
                bytes.next();
            } else {
                count += 1;
            }
        }
    }
    count
}

/// The commands (sorted by start, as [`parse`] leaves them) whose span lies inside `span`, with
/// their indices: those starting before `span` are skipped by a binary search.
fn commands_within(commands: &[Command], span: Span) -> impl Iterator<Item = (usize, &Command)> {
    let first = commands.partition_point(|c| c.span.start < span.start);
    commands
        .iter()
        .enumerate()
        .skip(first)
        .take_while(move |(_, c)| c.span.start <= span.end)
        .filter(move |(_, c)| c.span.end <= span.end)
}

/// Each command's innermost pipeline, and its neighbours there.
///
/// One sweep over the commands and the stages of every pipeline, both sorted by start (outer
/// before inner at the same start): the stages open at a command's start are a stack, nested
/// ones above the ones holding them, so the innermost stage holding the command is found at or
/// near the top. Looking every command up in every stage was quadratic on a 200 KB `a | a | …`
/// or on a pipeline at each level of nested `$( )`.
fn link_pipelines(script: &mut Script) {
    use std::cmp::Reverse;
    // (stage span, pipeline, stage index); of two equal stages, the one of the smaller pipeline
    // (then of the first) comes last, as the inner one
    let mut stages: Vec<(Span, usize, usize)> = Vec::new();
    for (p, pipeline) in script.pipelines.iter().enumerate() {
        for (i, s) in pipeline.stages.iter().enumerate() {
            stages.push((*s, p, i));
        }
    }
    let pipelines = &script.pipelines;
    let size = |p: usize| pipelines.get(p).map_or(0, |p| p.span.len());
    stages.sort_by_key(|&(s, p, _)| (s.start, Reverse(s.end), Reverse(size(p)), Reverse(p)));
    let mut open: Vec<(Span, usize, usize)> = Vec::new();
    let mut next = 0;
    let mut links = Vec::with_capacity(script.commands.len());
    for c in &script.commands {
        while let Some(&stage) = stages.get(next).filter(|(s, ..)| s.start <= c.span.start) {
            // the stages that ended before this one starts hold nothing after it
            while open.last().is_some_and(|(s, ..)| s.end <= stage.0.start) {
                open.pop();
            }
            open.push(stage);
            next += 1;
        }
        while open.last().is_some_and(|(s, ..)| s.end < c.span.start) {
            open.pop();
        }
        let holds = |s: &Span| s.start <= c.span.start && c.span.end <= s.end;
        let inner = open.iter().rev().find(|(s, ..)| holds(s));
        links.push(inner.and_then(|&(_, p, i)| {
            let p = pipelines.get(p)?;
            let from = i
                .checked_sub(1)
                .and_then(|j| p.stages.get(j))
                .and_then(|prev| commands_within(&script.commands, *prev).next())
                .map(|(j, _)| j);
            Some((p.span, from, i + 1 < p.stages.len()))
        }));
    }
    for (c, link) in script.commands.iter_mut().zip(links) {
        if let Some((pipeline, from, to)) = link {
            c.pipeline = Some(pipeline);
            c.piped_from = from;
            c.piped_to = to;
        }
    }
}

fn parse_into(script: &mut Script, text: &str, base: usize, depth: usize) {
    let Some(tree) = parse_tree(text) else {
        script.has_error = true;
        return;
    };
    let root = tree.root_node();
    if root.has_error() {
        script.has_error = true;
    }
    let span = |n: &TsNode| Span::new(n.start_byte() + base, n.end_byte() + base);
    let mut nested: Vec<(usize, usize)> = Vec::new();
    let mut cursor = root.walk();
    // the nodes above the cursor: `Node::parent` walks down from the root, which is quadratic
    // on a deep tree (a chain of 10,000 `&&`)
    let mut ancestors: Vec<TsNode> = Vec::new();
    // iterative pre-order walk
    'walk: loop {
        let node = cursor.node();
        match node.kind() {
            "command" => {
                if let Some(cmd) = command(&node, &ancestors, text, base, depth > 0) {
                    if let Some(inner) = shell_c_string(&cmd, &node, text) {
                        nested.push(inner);
                    }
                    if is_pipefail(&cmd) && script.pipefail_at.is_none_or(|p| cmd.span.start < p) {
                        script.pipefail_at = Some(cmd.span.start);
                    }
                    script.commands.push(cmd);
                }
            }
            "declaration_command" => {
                let mut words = Vec::new();
                let mut c = node.walk();
                for child in node.children(&mut c) {
                    words.push(word(&child, text, base));
                }
                let mut words = words.into_iter();
                if let Some(name) = words.next() {
                    script.commands.push(Command {
                        assignments: Vec::new(),
                        name,
                        args: words.collect(),
                        span: span(&node),
                        nested: depth > 0,
                        pipeline: None,
                        piped_from: None,
                        piped_to: false,
                        redirected: redirects_stdout(&ancestors, text),
                        in_substitution: in_substitution(&ancestors),
                    });
                }
            }
            "pipeline" => {
                let mut stages = Vec::new();
                let mut pipes = Vec::new();
                let mut c = node.walk();
                for child in node.children(&mut c) {
                    if child.is_named() {
                        if child.kind() != "comment" {
                            stages.push(span(&child));
                        }
                    } else if matches!(child.kind(), "|" | "|&") {
                        pipes.push(span(&child));
                    }
                }
                script.pipelines.push(Pipeline {
                    span: span(&node),
                    stages,
                    pipes,
                });
            }
            "list" => {
                let mut operators = Vec::new();
                let mut c = node.walk();
                for child in node.children(&mut c) {
                    if matches!(child.kind(), "&&" | "||") {
                        operators.push((child.kind().to_string(), span(&child)));
                    }
                }
                script.lists.push(List {
                    span: span(&node),
                    operators,
                });
            }
            ";" => script.separators.push(span(&node)),
            _ => {}
        }
        if cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
            ancestors.pop();
        }
    }
    if depth + 1 < MAX_NESTING {
        for (start, end) in nested {
            if let Some(inner) = text.get(start..end) {
                parse_into(script, inner, base + start, depth + 1);
            }
        }
    }
}

fn command(node: &TsNode, ancestors: &[TsNode], text: &str, base: usize, nested: bool) -> Option<Command> {
    let name_node = node.child_by_field_name("name")?;
    let name = word(&name_node, text, base);
    let mut assignments = Vec::new();
    let mut c = node.walk();
    for child in node.children(&mut c) {
        if child.kind() == "variable_assignment" && child.start_byte() < name_node.start_byte() {
            assignments.push(word(&child, text, base));
        }
    }
    let mut args = Vec::new();
    let mut c = node.walk();
    for a in node.children_by_field_name("argument", &mut c) {
        args.push(word(&a, text, base));
    }
    Some(Command {
        assignments,
        name,
        args,
        span: Span::new(node.start_byte() + base, node.end_byte() + base),
        nested,
        pipeline: None,
        piped_from: None,
        piped_to: false,
        redirected: redirects_stdout(ancestors, text),
        in_substitution: in_substitution(ancestors),
    })
}

/// Whether the command's standard output goes to a file: `cmd > f`, `cmd >> f`, `cmd &> f`
/// (not `2> f`, not `>&2`, which still print). `ancestors` are the nodes above the command,
/// innermost last.
fn redirects_stdout(ancestors: &[TsNode], text: &str) -> bool {
    let Some(parent) = ancestors.last().filter(|p| p.kind() == "redirected_statement") else {
        return false;
    };
    let mut c = parent.walk();
    let found = parent.children(&mut c).any(|r| {
        if r.kind() != "file_redirect" {
            return false;
        }
        let mut rc = r.walk();
        let mut descriptor = None;
        let mut operator = "";
        let mut destination = "";
        for part in r.children(&mut rc) {
            match part.kind() {
                "file_descriptor" => descriptor = text.get(part.byte_range()),
                k if !part.is_named() => operator = k,
                _ => destination = text.get(part.byte_range()).unwrap_or(""),
            }
        }
        let stdout = descriptor.is_none_or(|d| d == "1");
        let to_file = match operator {
            ">" | ">>" | ">|" | "&>" | "&>>" => true,
            ">&" => !destination.chars().all(|c| c.is_ascii_digit() || c == '-'),
            _ => false,
        };
        stdout && to_file
    });
    found
}

/// Whether the command runs inside `$( )`, `<( )` or backticks (`ancestors`: the nodes above
/// it, innermost last).
fn in_substitution(ancestors: &[TsNode]) -> bool {
    // bounded as it was when it walked up through `Node::parent`
    ancestors
        .iter()
        .rev()
        .take(64)
        .any(|n| matches!(n.kind(), "command_substitution" | "process_substitution"))
}

/// Shells whose `-c` argument is a script.
const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh"];

/// For `sh -c 'script'` / `bash -lc "script"` — wherever the shell stands in the command, so
/// `sudo -u app bash -c '…'`, `timeout 60 sh -c '…'`, `xargs sh -c '…'` and
/// `docker run img sh -c '…'` are read alike — the byte range (in `text`) of the script inside
/// the quotes. Double-quoted scripts are taken as written; their escapes stay escapes.
fn shell_c_string(cmd: &Command, node: &TsNode, text: &str) -> Option<(usize, usize)> {
    if matches!(cmd.name.program(), "echo" | "printf") {
        return None;
    }
    let words: Vec<&Word> = std::iter::once(&cmd.name).chain(&cmd.args).collect();
    let shell = words.iter().position(|w| SHELLS.contains(&w.program()))?;
    let rest = words.get(shell + 1..)?;
    let pos = rest
        .iter()
        .take_while(|a| a.text.starts_with('-'))
        .position(|a| !a.text.starts_with("--") && a.text.contains('c'))?;
    let script = rest.get(pos + 1)?;
    // find the argument node to know its quoting
    let mut c = node.walk();
    let arg_node = node
        .children_by_field_name("argument", &mut c)
        .find(|a| a.start_byte() + (cmd.span.start - node.start_byte()) == script.span.start)?;
    let (s, e) = (arg_node.start_byte(), arg_node.end_byte());
    let raw = text.get(s..e)?;
    match arg_node.kind() {
        "raw_string" | "string" if raw.len() >= 2 => Some((s + 1, e - 1)),
        "word" => Some((s, e)),
        _ => None,
    }
}

/// `set -o pipefail`, `set -euo pipefail`, `set -eux -o pipefail`.
fn is_pipefail(cmd: &Command) -> bool {
    if cmd.name.text != "set" {
        return false;
    }
    cmd.args.windows(2).any(|w| {
        w[1].text == "pipefail" && w[0].text.starts_with('-') && !w[0].text.starts_with("--") && w[0].text.contains('o')
    })
}

/// The value of a word-like node: quotes removed, backslash escapes resolved, expansions kept
/// as written (and marked dynamic).
fn word(node: &TsNode, text: &str, base: usize) -> Word {
    let raw = text.get(node.byte_range()).unwrap_or("");
    let span = Span::new(node.start_byte() + base, node.end_byte() + base);
    let (value, dynamic) = value_of(node, raw);
    Word {
        text: value,
        span,
        dynamic,
    }
}

fn value_of(node: &TsNode, raw: &str) -> (String, bool) {
    match node.kind() {
        "command_name" => match node.named_child(0) {
            Some(child) => {
                let start = child.start_byte() - node.start_byte();
                let inner = raw.get(start..start + child.byte_range().len()).unwrap_or(raw);
                leaf_value(&child, inner)
            }
            None => (raw.to_string(), false),
        },
        "concatenation" => {
            let mut out = String::new();
            let mut dynamic = false;
            let mut c = node.walk();
            for child in node.children(&mut c) {
                let start = child.start_byte() - node.start_byte();
                let inner = raw.get(start..start + child.byte_range().len()).unwrap_or("");
                let (v, d) = leaf_value(&child, inner);
                out.push_str(&v);
                dynamic |= d;
            }
            (out, dynamic)
        }
        _ => leaf_value(node, raw),
    }
}

fn leaf_value(node: &TsNode, raw: &str) -> (String, bool) {
    match node.kind() {
        "word" | "number" => (unescape(raw), false),
        "raw_string" => (strip(raw, "'", "'").to_string(), false),
        "ansi_c_string" => (strip(raw, "$'", "'").to_string(), false),
        "string" => {
            let dynamic = {
                let mut c = node.walk();
                let found = node.named_children(&mut c).any(|ch| {
                    matches!(
                        ch.kind(),
                        "simple_expansion" | "expansion" | "command_substitution" | "arithmetic_expansion"
                    )
                });
                found
            };
            (unescape_dq(strip(&elide(node, raw), "\"", "\"")), dynamic)
        }
        "simple_expansion" | "expansion" | "command_substitution" | "arithmetic_expansion" | "process_substitution" => {
            (elide(node, raw).into_owned(), true)
        }
        "concatenation" => value_of(node, raw),
        _ => {
            let text = elide(node, raw);
            let dynamic = text.contains('$') || text.contains('`');
            (text.into_owned(), dynamic)
        }
    }
}

fn is_substitution(node: &TsNode) -> bool {
    matches!(node.kind(), "command_substitution" | "process_substitution")
}

/// Whether a command substitution lies below `node`. The search stops at the first one.
fn holds_substitution(node: &TsNode) -> bool {
    let mut stack = Vec::new();
    let mut c = node.walk();
    stack.extend(node.children(&mut c));
    while let Some(n) = stack.pop() {
        if is_substitution(&n) {
            return true;
        }
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
    }
    false
}

/// `raw`, the text of `node`, with the body of each substitution that holds another one (the
/// node itself included) replaced by `…`: `$(a $(b))` → `$(…)`. Borrowed when nothing is cut.
fn elide<'r>(node: &TsNode, raw: &'r str) -> Cow<'r, str> {
    let origin = node.start_byte();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut stack = vec![*node];
    while let Some(n) = stack.pop() {
        if is_substitution(&n) && holds_substitution(&n) {
            cuts.push((n.start_byte() - origin, n.end_byte() - origin));
            continue;
        }
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
    }
    if cuts.is_empty() {
        return Cow::Borrowed(raw);
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(raw.len().min(256));
    let mut at = 0;
    for (start, end) in cuts {
        let Some(cut) = raw.get(start..end) else {
            continue;
        };
        if start < at {
            continue;
        }
        out.push_str(raw.get(at..start).unwrap_or(""));
        // keep the delimiters: `$(`, `` ` ``, `<(`, `>(` ... `)`
        let open = if cut.starts_with('`') { 1 } else { 2.min(cut.len()) };
        let close = if cut.ends_with(')') || cut.ends_with('`') { 1 } else { 0 };
        out.push_str(cut.get(..open).unwrap_or(""));
        out.push('…');
        if cut.len() > open {
            out.push_str(cut.get(cut.len() - close..).unwrap_or(""));
        }
        at = end;
    }
    out.push_str(raw.get(at..).unwrap_or(""));
    Cow::Owned(out)
}

fn strip<'t>(raw: &'t str, open: &str, close: &str) -> &'t str {
    raw.strip_prefix(open)
        .and_then(|s| s.strip_suffix(close))
        .unwrap_or(raw)
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn unescape_dq(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('"' | '\\' | '$' | '`') => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                Some('\n') => {
                    chars.next();
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &Script) -> Vec<&str> {
        s.commands.iter().map(|c| c.name.text.as_str()).collect()
    }

    #[test]
    fn commands_lists_and_spans() {
        let text = "apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*";
        let s = parse(text, 100);
        assert_eq!(names(&s), ["apt-get", "apt-get", "rm"]);
        let install = &s.commands[1];
        assert_eq!(install.args[2].text, "curl");
        assert_eq!(install.args[2].span, Span::new(100 + 37, 100 + 41));
        assert_eq!(s.lists.len(), 1);
        assert_eq!(s.lists[0].operators[0].0, "&&");
        assert_eq!(s.separators.len(), 1);
        assert!(!s.has_error);
    }

    #[test]
    fn continuation_lines_keep_file_offsets() {
        let file = "RUN apt-get update \\\n    && apt-get install -y \\\n        curl\n";
        let body = &file[4..file.len() - 1];
        let s = parse(body, 4);
        let curl = &s.commands[1].args[2];
        assert_eq!(curl.text, "curl");
        assert_eq!(&file[curl.span.start..curl.span.end], "curl");
    }

    #[test]
    fn pipelines_and_pipefail() {
        let s = parse("set -euo pipefail; curl -fsSL https://get.example | sh", 0);
        assert_eq!(s.pipelines.len(), 1);
        let p = &s.pipelines[0];
        assert_eq!(p.stages.len(), 2);
        assert_eq!(p.pipes.len(), 1);
        let last: Vec<_> = s.commands_in(p.stages[1]).collect();
        assert_eq!(last[0].name.text, "sh");
        assert!(s.pipefail_before(p.span.start));
        let s = parse("curl x | tar -xz", 0);
        assert!(s.pipefail_at.is_none());
    }

    #[test]
    fn nested_shells_wherever_the_shell_stands() {
        let text = "sh -c 'apt-get install -y curl && echo done'";
        let s = parse(text, 10);
        assert_eq!(names(&s), ["sh", "apt-get", "echo"]);
        let curl = &s.commands[1].args[2];
        assert_eq!(&text[curl.span.start - 10..curl.span.end - 10], "curl");
        assert!(s.commands[1].nested);
        for text in [
            "sudo -u app bash -c 'pip install flask'",
            "timeout 60 sh -ec \"pip install flask\"",
            "find . -name '*.txt' | xargs -n1 sh -c 'pip install flask'",
        ] {
            let s = parse(text, 0);
            assert!(s.commands.iter().any(|c| c.nested && c.name.text == "pip"), "{text}");
        }
        let s = parse("echo bash -c 'pip install flask'", 0);
        assert_eq!(names(&s), ["echo"]);
    }

    #[test]
    fn pipes_redirects_and_substitutions() {
        let s = parse(
            "curl -fsSL https://x.sh | sudo bash; echo $TOKEN > out.txt; echo $(cat f) 2>/dev/null >&2",
            0,
        );
        let curl = &s.commands[0];
        let bash = &s.commands[1];
        assert_eq!((curl.name.text.as_str(), curl.piped_to), ("curl", true));
        assert_eq!(bash.piped_from, Some(0));
        assert_eq!(bash.pipeline, curl.pipeline);
        assert!(s.commands[2].redirected);
        let last = s.commands.iter().rfind(|c| c.name.text == "echo").map(|c| c.redirected);
        assert_eq!(last, Some(false), "stderr and `>&2` still print");
        assert!(s.commands.iter().any(|c| c.name.text == "cat" && c.in_substitution));
    }

    #[test]
    fn quoted_words() {
        let s = parse(r#"pip install "flask==3.0" 'uvicorn[standard]' $PKG"#, 0);
        let a = &s.commands[0].args;
        assert_eq!(a[1].text, "flask==3.0");
        assert_eq!(a[2].text, "uvicorn[standard]");
        assert!(a[3].dynamic);
    }

    #[test]
    fn nested_substitutions_are_cut_in_word_text() {
        let text = r#"echo "v=$(cat "$(dirname $0)/VERSION")" $(date +%s) `id -u`"#;
        let s = parse(text, 0);
        assert_eq!(names(&s), ["echo", "cat", "dirname", "date", "id"]);
        let args = &s.commands[0].args;
        // the outer substitution holds another: its body is in the model as commands of its own
        assert_eq!(args[0].text, "v=$(…)");
        assert!(args[0].dynamic);
        assert_eq!(args[1].text, "$(date +%s)");
        assert_eq!(args[2].text, "`id -u`");
        // the inner levels keep their text
        assert_eq!(s.commands[1].args[0].text, "$(dirname $0)/VERSION");
        assert_eq!(
            &text[args[0].span.start..args[0].span.end],
            r#""v=$(cat "$(dirname $0)/VERSION")""#
        );
        let s = parse("X=$(a $(b)) export Y=\"$(c <(d $(e)))\"", 0);
        assert_eq!(s.commands[0].assignments[0].text, "X=$(…)");
    }

    /// Every command looked up in every stage of every pipeline: what [`link_pipelines`] must
    /// agree with.
    fn links_by_scan(s: &Script) -> Vec<(Option<Span>, Option<usize>, bool)> {
        s.commands
            .iter()
            .map(|c| {
                let mut best: Option<(&Pipeline, usize)> = None;
                for p in &s.pipelines {
                    let holds = |st: &Span| st.start <= c.span.start && c.span.end <= st.end;
                    if let Some(i) = p.stages.iter().position(holds) {
                        if best.is_none_or(|(b, _)| p.span.len() < b.span.len()) {
                            best = Some((p, i));
                        }
                    }
                }
                let Some((p, i)) = best else {
                    return (None, None, false);
                };
                let from = i.checked_sub(1).and_then(|j| p.stages.get(j)).and_then(|prev| {
                    s.commands
                        .iter()
                        .position(|x| prev.start <= x.span.start && x.span.end <= prev.end)
                });
                (Some(p.span), from, i + 1 < p.stages.len())
            })
            .collect()
    }

    #[test]
    fn pipelines_are_linked_as_by_a_full_scan() {
        const PARTS: &[&str] = &[
            "a",
            " b",
            " x=1",
            " |",
            " |&",
            " &&",
            " ||",
            ";",
            "\n",
            " $(",
            ")",
            " \"",
            "\"",
            " `",
            "`",
            " (",
            " )",
            " {",
            " ;}",
            " sh -c '",
            "'",
            " bash -c \"",
            " > f",
            " 2>&1",
            " <(",
            " #c\n",
            " if a; then",
            " fi",
            " while b; do",
            " done",
            " echo",
            " cat",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut scripts: Vec<String> = [
            "a | b | c",
            "a | b; c | d && e | f",
            "curl x | $(a | b) | sh",
            "a $(b | c $(d | e) | f) | g",
            "sh -c \"$(a | b)\" | c",
            "bash -c 'a | b | c' | d",
            "(a | b) | { c | d; } |& e",
            "echo \"$(a \"$(b | c)\" | d)\" | e > out",
        ]
        .map(String::from)
        .to_vec();
        for _ in 0..3000 {
            let len = 1 + next(24);
            scripts.push((0..len).map(|_| PARTS[next(PARTS.len())]).collect());
        }
        for text in &scripts {
            let s = parse(text, 3);
            let links: Vec<_> = s
                .commands
                .iter()
                .map(|c| (c.pipeline, c.piped_from, c.piped_to))
                .collect();
            assert_eq!(links, links_by_scan(&s), "{text:?}");
            for st in s.pipelines.iter().flat_map(|p| &p.stages) {
                let scanned: Vec<_> = s
                    .commands
                    .iter()
                    .filter(|c| st.start <= c.span.start && c.span.end <= st.end)
                    .collect();
                assert_eq!(s.commands_in(*st).collect::<Vec<_>>(), scanned, "{text:?}");
            }
        }
    }

    /// The model `parse` makes of `a | a | … | a` (`stages` commands), without parsing it.
    fn chain_model(stages: usize) -> Script {
        let command = |i: usize| Command {
            assignments: Vec::new(),
            name: Word {
                text: "a".into(),
                span: Span::new(4 * i, 4 * i + 1),
                dynamic: false,
            },
            args: Vec::new(),
            span: Span::new(4 * i, 4 * i + 1),
            nested: false,
            pipeline: None,
            piped_from: None,
            piped_to: false,
            redirected: false,
            in_substitution: false,
        };
        let commands: Vec<Command> = (0..stages).map(command).collect();
        let pipeline = Pipeline {
            span: Span::new(0, 4 * stages - 3),
            stages: commands.iter().map(|c| c.span).collect(),
            pipes: (1..stages).map(|i| Span::new(4 * i - 2, 4 * i - 1)).collect(),
        };
        Script {
            span: pipeline.span,
            commands,
            pipelines: vec![pipeline],
            ..Script::default()
        }
    }

    /// The model of `a "$(a "$(… a …)" | a)" | a` (`levels` pipelines, one inside the first
    /// stage of the other), built as `parse` leaves it.
    fn nested_model(levels: usize) -> Script {
        let text = format!("{}a{}", "a \"$(".repeat(levels), ")\" | a".repeat(levels));
        let end = text.len();
        let command = |span: Span, in_substitution: bool| Command {
            assignments: Vec::new(),
            name: Word {
                text: "a".into(),
                span: Span::new(span.start, span.start + 1),
                dynamic: false,
            },
            args: Vec::new(),
            span,
            nested: false,
            pipeline: None,
            piped_from: None,
            piped_to: false,
            redirected: false,
            in_substitution,
        };
        let mut s = Script {
            span: Span::new(0, end),
            ..Script::default()
        };
        for k in 0..levels {
            let (start, stop) = (5 * k, end - 6 * k);
            let first = Span::new(start, stop - 4);
            let last = Span::new(stop - 1, stop);
            s.commands.push(command(first, k > 0));
            s.commands.push(command(last, k > 0));
            s.pipelines.push(Pipeline {
                span: Span::new(start, stop),
                stages: vec![first, last],
                pipes: vec![Span::new(stop - 3, stop - 2)],
            });
        }
        s.commands
            .push(command(Span::new(5 * levels, 5 * levels + 1), levels > 0));
        s.commands
            .sort_by_key(|c| (c.span.start, std::cmp::Reverse(c.span.end)));
        s
    }

    #[test]
    fn long_and_nested_pipelines_are_linked_in_linear_time() {
        // the hand-made models are what `parse` makes
        let mut small = chain_model(3);
        link_pipelines(&mut small);
        assert_eq!(small, parse("a | a | a", 0));
        let mut small = nested_model(3);
        link_pipelines(&mut small);
        let mut parsed = parse(r#"a "$(a "$(a "$(a)" | a)" | a)" | a"#, 0);
        for c in &mut parsed.commands {
            c.args.clear();
        }
        assert_eq!(small, parsed);

        // 200 KB of `a | a | …`, and a pipeline at each level of 200 KB of nesting: every
        // command was looked for in every stage of every pipeline (minutes in a debug build)
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for mut s in [chain_model(200 * 1024 / 4), nested_model(200 * 1024 / 11)] {
                link_pipelines(&mut s);
                // what DF012 asks of every stage
                let firsts = s
                    .pipelines
                    .iter()
                    .flat_map(|p| &p.stages)
                    .filter(|st| s.commands_in(**st).next().is_some())
                    .count();
                let _ = tx.send((s, firsts));
            }
        });
        let limit = std::time::Duration::from_secs(10);
        let (chain, firsts) = rx.recv_timeout(limit).expect("the chain is linked in time");
        let n = chain.commands.len();
        assert_eq!(firsts, n);
        assert_eq!(chain.commands[n - 1].piped_from, Some(n - 2));
        assert!(chain.commands[n - 2].piped_to && !chain.commands[n - 1].piped_to);
        let (nested, firsts) = rx.recv_timeout(limit).expect("the nesting is linked in time");
        assert_eq!(firsts, 2 * nested.pipelines.len());
        // each level's last stage reads its first one, the innermost `a` is in the last level
        let innermost = nested.pipelines.last().map(|p| p.span);
        assert!(nested.commands.iter().all(|c| c.pipeline.is_some()));
        let core = nested.commands.iter().find(|c| c.span.len() == 1 && c.piped_to);
        assert_eq!(core.and_then(|c| c.pipeline), innermost);
        for c in nested.commands.iter().filter(|c| c.piped_from.is_some()) {
            let from = c.piped_from.and_then(|i| nested.commands.get(i));
            assert_eq!(from.and_then(|f| f.pipeline), c.pipeline);
        }
    }

    #[test]
    fn scripts_of_too_many_pipes_are_not_parsed() {
        let limit = budget::SHELL_PIPES.get();
        let at = format!("{}b", "a | ".repeat(limit));
        let s = parse(&at, 0);
        assert!(s.over_budget.is_none() && s.commands.len() == limit + 1);
        let over = format!("{}b", "a |& ".repeat(limit + 1));
        let s = parse(&over, 5);
        assert_eq!(s.over_budget.map(|e| e.limit.name), Some("shell-pipes"));
        assert!(s.commands.is_empty() && s.pipelines.is_empty());
        assert_eq!(s.span, Span::new(5, 5 + over.len()));
        // quoted pipes count; `||` joins a list and does not
        assert!(parse(&"echo '|'; ".repeat(limit + 1), 0).over_budget.is_some());
        assert!(parse(&"a || ".repeat(2 * limit), 0).over_budget.is_none());
    }

    #[test]
    fn heredoc_body_offsets() {
        let file = "RUN <<EOF\nset -e\npip install flask\nEOF\n";
        let start = file.find("set").unwrap_or(0);
        let end = file.rfind("EOF").unwrap_or(0);
        let s = parse(&file[start..end], start);
        let flask = &s.commands[1].args[1];
        assert_eq!(&file[flask.span.start..flask.span.end], "flask");
    }
}
