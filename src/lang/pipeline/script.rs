//! Step scripts: the YAML scalar's text mapped back to file offsets, parsed with tree-sitter-bash
//! into commands with spans, so `terraform apply` or `curl … | sh` are commands, not substrings.
//! The commands are the shell layer's ([`shell::Command`]); what they run is read by
//! `semantic::command`.

use crate::budget::Exceeded;
use crate::lang::shell::{self, Command};
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
    /// The shell text went over a budget and was not parsed (no commands); reported at `span`.
    pub over_budget: Option<Exceeded>,
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
            over_budget: None,
        };
        if shell != Shell::Other {
            (s.commands, s.over_budget) = commands(node, &s.text, source);
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

/// The scalar's shell text aligned byte for byte with the file, and where it starts: block and
/// plain scalars are their source slice (indentation is whitespace to the shell; folded line
/// breaks become spaces); quoted scalars without escapes lose only their quotes. A scalar whose
/// escapes change its length is parsed from its value, with spans approximated from its start.
fn aligned(node: &Node, value: &str, source: &str) -> (String, usize) {
    let raw = node.span.slice(source);
    let before = source.get(..node.span.start).unwrap_or("").trim_end();
    let header = before.trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
    let fold = |t: &str| -> String {
        let b = t.as_bytes();
        let mut out = String::with_capacity(t.len());
        for (i, ch) in t.char_indices() {
            let joins = ch == '\n'
                && i > 0
                && b.get(i - 1).is_some_and(|p| *p != b'\n')
                && t.get(i + 1..)
                    .is_some_and(|r| r.trim_start_matches(' ').chars().next().is_some_and(|n| n != '\n'));
            out.push(if joins { ' ' } else { ch });
        }
        out
    };
    if header.ends_with('|') {
        return (raw.to_string(), node.span.start);
    }
    if header.ends_with('>') {
        return (fold(raw), node.span.start);
    }
    let quoted = raw.len() >= 2 && (raw.starts_with('"') || raw.starts_with('\''));
    if quoted {
        if raw.get(1..raw.len() - 1) == Some(value) {
            return (format!(" {value} "), node.span.start);
        }
        return (value.to_string(), node.span.start + 1);
    }
    (fold(raw), node.span.start)
}

/// The text with every `${{ … }}` replaced by as many `x` bytes.
fn mask_expressions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        let Some(len) = rest.get(i..).and_then(|r| r.find("}}")).map(|e| e + 2) else {
            break;
        };
        out.push_str(rest.get(..i).unwrap_or(""));
        out.extend(std::iter::repeat_n('x', len));
        rest = rest.get(i + len..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Commands of the script from the shared shell layer, and whether it went over a budget. A
/// word holding `${{ … }}` keeps its written text (quotes removed) and is marked dynamic.
fn commands(node: &Node, value: &str, source: &str) -> (Vec<Command>, Option<Exceeded>) {
    let (text, base) = aligned(node, value, source);
    // `${{ }}` is replaced before the shell runs: parse it as one opaque word of the same length
    let masked = mask_expressions(&text);
    let mut parsed = shell::parse(&masked, base);
    // where each `${{` starts (file offsets): a word is looked at again only when it holds one
    // (copying every word's written text is quadratic on nested `$( )`)
    let opens: Vec<usize> = text.match_indices("${{").map(|(i, _)| i + base).collect();
    if opens.is_empty() {
        return (parsed.commands, parsed.over_budget);
    }
    let holds_expression = |sp: Span| {
        let i = opens.partition_point(|&o| o < sp.start);
        opens.get(i).is_some_and(|&o| o < sp.end)
    };
    let written = |sp: Span| -> String {
        text.get(sp.start.saturating_sub(base)..sp.end.saturating_sub(base))
            .unwrap_or("")
            .chars()
            .filter(|c| *c != '"' && *c != '\'')
            .collect()
    };
    for c in &mut parsed.commands {
        let words = c
            .assignments
            .iter_mut()
            .chain(std::iter::once(&mut c.name))
            .chain(c.args.iter_mut());
        for w in words {
            if !holds_expression(w.span) {
                continue;
            }
            w.dynamic = true;
            // a word whose nested `$( )` the shell layer cut short keeps that text: its written
            // text holds the rest of the nesting
            if !w.text.contains('…') {
                w.text = written(w.span);
            }
        }
    }
    (parsed.commands, parsed.over_budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::yaml;
    use crate::semantic::command::{piped_from, Read};

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
        assert_eq!(piped_from(&s.commands, &s.commands[2]).map(Read::program), Some("curl"));
        assert_eq!(
            s.commands[2].pipeline.unwrap().slice(src),
            "curl -fsSL https://x.sh | sudo bash"
        );
    }

    #[test]
    fn folded_and_quoted_scalars_keep_file_spans() {
        let src = "run: >-\n  kubectl apply\n  -f k8s/\n";
        let s = script(src);
        assert_eq!(s.commands[0].span.slice(src), "kubectl apply\n  -f k8s/");
        assert_eq!(s.commands[0].args[1].span.slice(src), "-f");
        let src = "run: \"echo ok > out.txt\"\n";
        let s = script(src);
        assert_eq!(s.commands[0].name.span.slice(src), "echo");
        assert!(s.commands[0].redirected);
        let src = "run: sh -c \"$(curl -fsSL https://x.sh)\"\n";
        let s = script(src);
        assert!(s.commands.iter().any(|c| c.program() == "curl" && c.in_substitution));
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
