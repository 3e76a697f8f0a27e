//! Step scripts: the YAML scalar's text mapped back to file offsets, parsed with tree-sitter-bash
//! into commands with spans, so `terraform apply` or `curl … | sh` are commands, not substrings.

use std::cell::RefCell;

use crate::source::{Node, Span};

use super::Text;

/// Which interpreter runs the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// bash/sh (the default of Linux runners and of `script:` on Linux agents).
    Bash,
    /// PowerShell (`pwsh:`, `powershell:`, `shell: pwsh`); simple commands still parse as words.
    PowerShell,
    /// `cmd`, `python`... not parsed.
    Other,
}

/// One simple command of a script.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: Text,
    /// Arguments with quotes removed; spans are the words in the file.
    pub args: Vec<Text>,
    /// The whole command in the file.
    pub span: Span,
    /// The whole pipeline (`curl … | sh`) when the command is part of one.
    pub pipeline: Option<Span>,
    /// The command before this one in its pipeline.
    pub piped_from: Option<String>,
    /// Whether the output goes to another command of the pipeline.
    pub piped_to: bool,
    /// Whether the command's output is redirected (`> file`, `>> $GITHUB_ENV`).
    pub redirected: bool,
    /// Inside `$( )`, `<( )` or backticks.
    pub in_substitution: bool,
}

const WRAPPERS: &[&str] = &["sudo", "env", "time", "exec", "nohup", "command"];

impl Command {
    /// The program and its arguments after `sudo`/`env X=1`/`time` wrappers.
    pub fn argv(&self) -> (&Text, &[Text]) {
        let mut name = &self.name;
        let mut args = self.args.as_slice();
        let mut guard = 0;
        while WRAPPERS.contains(&base_name(&name.text)) && guard < 4 {
            guard += 1;
            let skip = args
                .iter()
                .position(|a| !a.text.starts_with('-') && !a.text.contains('='))
                .unwrap_or(args.len());
            match args.get(skip) {
                Some(n) => {
                    name = n;
                    args = args.get(skip + 1..).unwrap_or(&[]);
                }
                None => break,
            }
        }
        (name, args)
    }

    /// The program's file name (`/usr/local/bin/terraform` → `terraform`).
    pub fn program(&self) -> &str {
        base_name(&self.argv().0.text)
    }

    /// The first argument that is not a flag (`terraform -chdir=x apply` → `apply`).
    pub fn subcommand(&self) -> Option<&Text> {
        self.argv().1.iter().find(|a| !a.text.starts_with('-'))
    }

    /// `terraform apply`, `kubectl rollout status`, `helm upgrade`: program plus the given
    /// leading non-flag words.
    pub fn is(&self, program: &str, sub: &[&str]) -> bool {
        if self.program() != program {
            return false;
        }
        let words: Vec<&str> = self
            .argv()
            .1
            .iter()
            .filter(|a| !a.text.starts_with('-'))
            .map(|a| a.text.as_str())
            .take(sub.len())
            .collect();
        words == sub
    }

    /// Whether a flag is given (`-auto-approve`, `--install`, `-out=plan` for `-out`).
    pub fn flag(&self, flag: &str) -> Option<&Text> {
        self.argv()
            .1
            .iter()
            .find(|a| a.text == flag || a.text.strip_prefix(flag).is_some_and(|rest| rest.starts_with('=')))
    }

    /// A flag's value: `-out=tfplan`, `-out tfplan`, `--namespace prod`, `-n prod`.
    pub fn flag_value(&self, flags: &[&str]) -> Option<&Text> {
        let args = self.argv().1;
        for (i, a) in args.iter().enumerate() {
            for f in flags {
                if a.text == *f {
                    return args.get(i + 1);
                }
                if let Some(v) = a.text.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                    let _ = v;
                    return Some(a);
                }
            }
        }
        None
    }
}

/// Value of a `-flag=value` / `-flag value` argument as a plain string.
pub fn flag_text(t: &Text) -> &str {
    match t.text.split_once('=') {
        Some((k, v)) if k.starts_with('-') => v,
        _ => &t.text,
    }
}

fn base_name(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// A step's script: its text and commands, with spans in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub text: String,
    /// The YAML value (for a block scalar, from the `|` indicator to the end).
    pub span: Span,
    pub shell: Shell,
    /// (offset in `text`, offset in the file) for the start of each line of `text`.
    lines: Vec<(usize, usize)>,
    pub commands: Vec<Command>,
}

impl Script {
    /// Build from a YAML scalar node and the file text.
    pub fn from_node(node: &Node, source: &str, shell: Shell) -> Option<Script> {
        let text = node.as_str()?.to_string();
        let lines = line_map(&text, node.span, source);
        let mut s = Script {
            text,
            span: node.span,
            shell,
            lines,
            commands: Vec::new(),
        };
        if shell != Shell::Other {
            s.commands = commands(&s);
        }
        Some(s)
    }

    /// A range of `text` as a file span (best effort for folded or escaped scalars).
    pub fn file_span(&self, start: usize, end: usize) -> Span {
        let a = self.file_offset(start);
        let b = self.file_offset(end).max(a);
        Span::new(a, b.min(self.span.end.max(a)))
    }

    fn file_offset(&self, off: usize) -> usize {
        let i = self.lines.partition_point(|(v, _)| *v <= off);
        match i.checked_sub(1).and_then(|i| self.lines.get(i)) {
            Some((v, f)) => f + (off - v),
            None => self.span.start,
        }
    }

    /// Every `${{ … }}`, `$( … )` and `$[ … ]` in the script, with its inner text and file span.
    pub fn expressions(&self) -> Vec<Text> {
        let mut out = Vec::new();
        let b = self.text.as_bytes();
        let mut i = 0;
        while i + 1 < b.len() {
            if b[i] == b'$' {
                let close: Option<&str> = match (b.get(i + 1), b.get(i + 2)) {
                    (Some(b'{'), Some(b'{')) => Some("}}"),
                    (Some(b'('), _) => Some(")"),
                    (Some(b'['), _) => Some("]"),
                    _ => None,
                };
                if let Some(close) = close {
                    let open = if close == "}}" { 3 } else { 2 };
                    if let Some(rel) = self.text.get(i + open..).and_then(|r| r.find(close)) {
                        let end = i + open + rel + close.len();
                        let inner = self.text.get(i + open..i + open + rel).unwrap_or("").trim();
                        out.push(Text::new(inner, self.file_span(i, end)));
                        i = end;
                        continue;
                    }
                }
            }
            i += 1;
        }
        out
    }
}

/// Where each line of a scalar's value starts in the file: each value line is searched in the
/// source after the previous one (block scalars keep lines verbatim after their indentation).
fn line_map(value: &str, span: Span, source: &str) -> Vec<(usize, usize)> {
    let raw = span.slice(source);
    let mut out = Vec::new();
    let mut cursor = 0usize;
    let mut voff = 0usize;
    for line in value.split('\n') {
        let trimmed = line.trim_end();
        if !trimmed.is_empty() {
            if let Some(pos) = raw.get(cursor..).and_then(|r| r.find(trimmed)) {
                let at = cursor + pos;
                out.push((voff, span.start + at));
                cursor = at + trimmed.len();
            }
        }
        voff += line.len() + 1;
    }
    if out.is_empty() || out.first().is_some_and(|(v, _)| *v != 0) {
        out.insert(0, (0, span.start));
    }
    out
}

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

/// Bound on tree-sitter nodes visited per script (pathological inputs).
const NODE_BUDGET: usize = 200_000;

fn commands(script: &Script) -> Vec<Command> {
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut p = tree_sitter::Parser::new();
            if p.set_language(&tree_sitter_bash::LANGUAGE.into()).is_err() {
                return None;
            }
            *slot = Some(p);
        }
        slot.as_mut()?.parse(&script.text, None)
    });
    let Some(tree) = tree else { return Vec::new() };
    let text = script.text.as_str();
    let node_text = |n: &tree_sitter::Node| text.get(n.byte_range()).unwrap_or("").to_string();
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    let mut budget = 0;
    while let Some(n) = stack.pop() {
        budget += 1;
        if budget > NODE_BUDGET {
            break;
        }
        if n.kind() == "command" {
            if let Some(name) = n.child_by_field_name("name") {
                let r = name.byte_range();
                let mut args = Vec::new();
                let mut cursor = n.walk();
                for (i, child) in n.children(&mut cursor).enumerate() {
                    if n.field_name_for_child(i as u32) == Some("argument") {
                        let r = child.byte_range();
                        let raw = node_text(&child);
                        let clean: String = raw.chars().filter(|c| *c != '"' && *c != '\'').collect();
                        args.push(Text::new(clean, script.file_span(r.start, r.end)));
                    }
                }
                let mut cmd = Command {
                    name: Text::new(node_text(&name), script.file_span(r.start, r.end)),
                    args,
                    span: script.file_span(n.start_byte(), n.end_byte()),
                    pipeline: None,
                    piped_from: None,
                    piped_to: false,
                    redirected: false,
                    in_substitution: false,
                };
                // walk up: pipelines, redirections, substitutions
                let mut child = n;
                let mut up = n.parent();
                let mut depth = 0;
                while let Some(p) = up {
                    depth += 1;
                    if depth > 64 {
                        break;
                    }
                    match p.kind() {
                        "redirected_statement" if depth <= 2 => cmd.redirected = true,
                        "pipeline" if cmd.pipeline.is_none() => {
                            cmd.pipeline = Some(script.file_span(p.start_byte(), p.end_byte()));
                            let mut c = p.walk();
                            let parts: Vec<tree_sitter::Node> = p.named_children(&mut c).collect();
                            if let Some(i) = parts.iter().position(|x| x.id() == child.id()) {
                                cmd.piped_to = i + 1 < parts.len();
                                if let Some(prev) = i.checked_sub(1).and_then(|j| parts.get(j)) {
                                    let mut prev = *prev;
                                    if prev.kind() == "redirected_statement" {
                                        if let Some(b) = prev.child_by_field_name("body") {
                                            prev = b;
                                        }
                                    }
                                    cmd.piped_from = prev
                                        .child_by_field_name("name")
                                        .map(|x| node_text(&x))
                                        .map(|s| base_name(&s).to_string());
                                }
                            }
                        }
                        "command_substitution" | "process_substitution" => cmd.in_substitution = true,
                        _ => {}
                    }
                    child = p;
                    up = p.parent();
                }
                out.push(cmd);
            }
        }
        let mut cursor = n.walk();
        let children: Vec<tree_sitter::Node> = n.named_children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    out.sort_by_key(|c| c.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::yaml;

    fn script(src: &str) -> Script {
        let s = yaml::parse(src);
        let root = &s.documents[0].root;
        Script::from_node(root.get("run").unwrap(), src, Shell::Bash).unwrap()
    }

    #[test]
    fn maps_block_scalar_commands_to_file() {
        let src =
            "run: |\n  terraform init\n  curl -fsSL https://x.sh | sudo bash\n  terraform apply -auto-approve tfplan\n";
        let s = script(src);
        let names: Vec<&str> = s.commands.iter().map(|c| c.program()).collect();
        assert_eq!(names, ["terraform", "curl", "bash", "terraform"]);
        let apply = &s.commands[3];
        assert_eq!(apply.span.slice(src), "terraform apply -auto-approve tfplan");
        assert!(apply.is("terraform", &["apply"]));
        assert!(apply.flag("-auto-approve").is_some());
        assert_eq!(s.commands[2].piped_from.as_deref(), Some("curl"));
        assert_eq!(
            s.commands[2].pipeline.unwrap().slice(src),
            "curl -fsSL https://x.sh | sudo bash"
        );
    }

    #[test]
    fn finds_expressions() {
        let src = "run: echo \"${{ github.event.issue.title }}\" $(Build.SourceBranchName)\n";
        let s = script(src);
        let e = s.expressions();
        assert_eq!(e[0].text, "github.event.issue.title");
        assert_eq!(e[0].span.slice(src), "${{ github.event.issue.title }}");
        assert_eq!(e[1].span.slice(src), "$(Build.SourceBranchName)");
    }
}
