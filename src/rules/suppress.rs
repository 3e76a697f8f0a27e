//! One suppression syntax in every file kind's comments:
//! `# linea: ignore[ID,slug] reason` on the offending line (where the language allows a trailing
//! comment) or on the line before it, and `# linea: ignore-file[ID] reason` anywhere.
//! `//` and `/* */` work too (Terraform). Text that only looks like a directive inside a string
//! (a YAML block scalar, a Python docstring, a Terraform heredoc) is not one.

use std::sync::LazyLock;

use regex::Regex;

use crate::discover::FileKind;
use crate::project::ParsedFile;
use crate::source::{NodeValue, Span};

static DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:#|//|/\*)\s*linea:\s*(ignore-file|ignore)\[([^\]]*)\]([^\n]*)").expect("valid regex")
});

/// Which diagnostics a directive covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// Diagnostics starting on these 1-based lines.
    Lines(Vec<u32>),
    /// The whole file.
    File,
    /// Diagnostics inside this byte range (e.g. a Kubernetes object with an ignore annotation).
    Range(Span),
    /// Nothing: the directive is written where it is not a comment (after a Dockerfile
    /// instruction, where `#` is part of the instruction); LINEA001 says so.
    Misplaced,
}

/// A parsed `linea: ignore[...]` directive.
#[derive(Debug, Clone)]
pub struct Directive {
    /// Where the directive is written (what LINEA001/LINEA002 point at).
    pub span: Span,
    /// Rule ids or slugs, each with its span.
    pub rules: Vec<(String, Span)>,
    pub reason: Option<String>,
    pub coverage: Coverage,
}

fn is_comment_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//") || t.starts_with("/*") || template_comment(t)
}

/// A Go template comment action: `{{/* ... */}}`, `{{- /* ... */ -}}` (Helm charts).
fn template_comment(t: &str) -> bool {
    t.starts_with("{{/*") || t.starts_with("{{- /*")
}

/// Byte spans of the string values of a YAML-family file. The file is parsed again (only when
/// it holds a candidate directive) so this does not depend on which model a language built.
fn yaml_string_spans(text: &str) -> Vec<Span> {
    let stream = crate::lang::yaml::parse(text);
    let mut spans = Vec::new();
    let mut stack: Vec<&crate::source::Node> = stream.documents.iter().map(|d| &d.root).collect();
    while let Some(n) = stack.pop() {
        match &n.value {
            NodeValue::String(_) if !n.span.is_empty() => spans.push(n.span),
            NodeValue::Seq(items) => stack.extend(items),
            NodeValue::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    spans
}

fn is_yaml_family(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Yaml
            | FileKind::Compose
            | FileKind::GithubWorkflow
            | FileKind::GithubAction
            | FileKind::AzurePipeline
            | FileKind::OpenApiJson
            | FileKind::TerraformPlan
    )
}

/// Byte spans of the string literals of Python (single, triple-quoted) or HCL (quoted,
/// heredoc) source: a lexer just good enough to tell comments from string contents.
fn lexical_string_spans(text: &str, kind: FileKind) -> Vec<Span> {
    let python = kind == FileKind::Python;
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => i = text[i..].find('\n').map_or(b.len(), |n| i + n),
            b'/' if !python && b.get(i + 1) == Some(&b'/') => i = text[i..].find('\n').map_or(b.len(), |n| i + n),
            b'/' if !python && b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2)
            }
            b'<' if !python && text[i..].starts_with("<<") => {
                // heredoc: `<<EOF` or `<<-EOF` up to a line that is the marker alone
                let rest = text[i + 2..].strip_prefix('-').unwrap_or(&text[i + 2..]);
                let marker: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let Some(body) = (!marker.is_empty()).then(|| text[i..].find('\n')).flatten() else {
                    i += 2;
                    continue;
                };
                let start = i + body + 1;
                let mut end = b.len();
                let mut pos = start;
                for line in text[start..].split_inclusive('\n') {
                    if line.trim() == marker {
                        end = pos;
                        break;
                    }
                    pos += line.len();
                }
                spans.push(Span::new(i, end));
                i = end.max(i + 2);
            }
            q @ (b'"' | b'\'') if q == b'"' || python => {
                let triple = python && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
                let start = i;
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if b[i] == b'\\' {
                        i += 2;
                    } else if b[i] == q && (!triple || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) {
                        i += if triple { 3 } else { 1 };
                        break;
                    } else if b[i] == b'\n' && !triple {
                        break;
                    } else {
                        i += 1;
                    }
                }
                spans.push(Span::new(start, i.min(b.len())));
            }
            _ => i += 1,
        }
    }
    spans
}

/// Whether the end of `code` (the text before a `#` or `//` on one line) is inside a quoted
/// string: a one-line lexical check for the languages without a YAML parse.
fn open_quote(code: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in code.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    quote.is_some()
}

/// Find the directives in a file's comments and structure.
pub fn directives(file: &ParsedFile) -> Vec<Directive> {
    let text: &str = &file.source.text;
    let mut out = Vec::new();
    if text.contains("linea:") {
        let lines: Vec<(usize, &str)> = {
            let mut v = Vec::new();
            let mut start = 0;
            for l in text.split_inclusive('\n') {
                v.push((start, l.trim_end_matches(['\n', '\r'])));
                start += l.len();
            }
            v
        };
        let mut strings: Option<Vec<Span>> = None;
        for (idx, (start, line)) in lines.iter().enumerate() {
            let Some(m) = DIRECTIVE.captures(line) else { continue };
            let Some(whole) = m.get(0) else { continue };
            // `{{/* linea: ... */}}` on a line of its own is a template's comment line
            let before = line[..whole.start()].trim();
            let own_line = before.is_empty() || before == "{{" || before == "{{-";
            if !own_line && !file.kind.trailing_comments() {
                if is_comment_line(line) {
                    continue; // a comment that mentions the syntax
                }
                // after an instruction it is not a comment, but surely meant as one: say so
                out.push(Directive {
                    span: Span::new(start + whole.start(), start + whole.end()),
                    rules: Vec::new(),
                    reason: None,
                    coverage: Coverage::Misplaced,
                });
                continue;
            }
            let at = start + whole.start();
            let in_string = if is_yaml_family(file.kind) {
                strings
                    .get_or_insert_with(|| yaml_string_spans(text))
                    .iter()
                    .any(|s| s.start <= at && at < s.end)
            } else if matches!(
                file.kind,
                FileKind::Python
                    | FileKind::Terraform
                    | FileKind::TfVars
                    | FileKind::TerraformTest
                    | FileKind::TerraformLock
            ) {
                strings
                    .get_or_insert_with(|| lexical_string_spans(text, file.kind))
                    .iter()
                    .any(|s| s.start <= at && at < s.end)
            } else {
                !own_line && open_quote(&line[..whole.start()])
            };
            if in_string {
                continue;
            }
            let file_wide = &m[1] == "ignore-file";
            let mut rules = Vec::new();
            if let Some(list) = m.get(2) {
                let mut offset = list.start();
                for part in list.as_str().split(',') {
                    let trimmed = part.trim();
                    if !trimmed.is_empty() {
                        let lead = part.len() - part.trim_start().len();
                        let s = start + offset + lead;
                        rules.push((trimmed.to_string(), Span::new(s, s + trimmed.len())));
                    }
                    offset += part.len() + 1;
                }
            }
            let reason = m
                .get(3)
                .map(|r| {
                    let r = r.as_str().trim();
                    // the end of a template comment: `*/}}`, `*/ -}}`
                    let r = match r.strip_suffix("}}") {
                        Some(t) => t.trim_end().strip_suffix('-').unwrap_or(t).trim_end(),
                        None => r,
                    };
                    let r = r.strip_suffix("*/").unwrap_or(r);
                    r.trim().trim_start_matches(['-', ':', '—']).trim().to_string()
                })
                .filter(|r| !r.is_empty());
            let line_no = idx as u32 + 1;
            let coverage = if file_wide {
                Coverage::File
            } else if own_line {
                // the next line that is not blank and not itself a comment, with the lines it
                // continues onto (`\` at the end: a multi-line RUN, a shell or Python line)
                let mut covered = Vec::new();
                let next = lines
                    .iter()
                    .enumerate()
                    .skip(idx + 1)
                    .find(|(_, (_, l))| !l.trim().is_empty() && !is_comment_line(l))
                    .map(|(i, _)| i);
                if let Some(first) = next {
                    for (i, (_, l)) in lines.iter().enumerate().skip(first) {
                        if is_comment_line(l) {
                            continue;
                        }
                        covered.push(i as u32 + 1);
                        if !l.trim_end().ends_with('\\') {
                            break;
                        }
                    }
                }
                Coverage::Lines(covered)
            } else {
                Coverage::Lines(vec![line_no])
            };
            out.push(Directive {
                span: Span::new(start + whole.start(), start + whole.end()),
                rules,
                reason,
                coverage,
            });
        }
    }
    for s in &file.scoped_suppressions {
        out.push(Directive {
            span: s.at,
            rules: s.rules.iter().map(|r| (r.clone(), s.at)).collect(),
            reason: s.reason.clone(),
            coverage: Coverage::Range(s.span),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::discover::FileKind;
    use crate::project::parse;
    use crate::source::FileId;

    fn dirs(kind: FileKind, text: &str) -> Vec<Directive> {
        let f = parse(FileId(0), "x".into(), kind, text.to_string(), &Settings::default());
        directives(&f)
    }

    #[test]
    fn own_line_covers_next_code_line() {
        let d = dirs(
            FileKind::Yaml,
            "# linea: ignore[K8S001, image-tag-latest] pinned by CD\n\n# other\nimage: x\n",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].coverage, Coverage::Lines(vec![4]));
        assert_eq!(d[0].rules.len(), 2);
        assert_eq!(d[0].rules[1].0, "image-tag-latest");
        assert_eq!(d[0].reason.as_deref(), Some("pinned by CD"));
    }

    #[test]
    fn trailing_only_where_allowed() {
        assert_eq!(
            dirs(FileKind::Yaml, "image: x # linea: ignore[K8S001]\n")[0].coverage,
            Coverage::Lines(vec![1])
        );
        let trailing = dirs(FileKind::Dockerfile, "FROM x # linea: ignore[DF001]\n");
        assert_eq!(trailing.len(), 1);
        assert_eq!(trailing[0].coverage, Coverage::Misplaced);
        assert!(dirs(FileKind::Dockerfile, "# see `# linea: ignore[DF001]` in docs\nFROM x\n").is_empty());
        let f = dirs(
            FileKind::Terraform,
            "a = 1\n// linea: ignore-file[TF003] legacy module\n",
        );
        assert_eq!(f[0].coverage, Coverage::File);
        assert!(f[0].reason.is_some());
        let b = dirs(
            FileKind::Terraform,
            "/* linea: ignore[TF003] legacy */\nresource \"a\" \"b\" {}\n",
        );
        assert_eq!(b[0].coverage, Coverage::Lines(vec![2]));
        assert_eq!(b[0].reason.as_deref(), Some("legacy"));
    }

    #[test]
    fn template_comments_are_directives() {
        let text = "spec:\n  {{/* linea: ignore[K8S008] needs the host network */}}\n  privileged: {{ .Values.p }}\n  {{- /* linea: ignore[K8S001] pinned by CD */ -}}\n  image: x\n";
        let d = dirs(FileKind::Yaml, text);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].coverage, Coverage::Lines(vec![3]));
        assert_eq!(d[0].reason.as_deref(), Some("needs the host network"));
        assert_eq!(d[1].coverage, Coverage::Lines(vec![5]));
        assert_eq!(d[1].reason.as_deref(), Some("pinned by CD"));
    }

    #[test]
    fn line_before_covers_continuation_lines() {
        let text = "# linea: ignore[DF010] pinned by the base image\nRUN apt-get update \\\n    # install\n    && apt-get install -y curl\nUSER app\n";
        let d = dirs(FileKind::Dockerfile, text);
        assert_eq!(d[0].coverage, Coverage::Lines(vec![2, 4]));
    }

    #[test]
    fn directives_inside_strings_are_text() {
        let block = "script: |\n  echo hi\n  # linea: ignore[K8S001] not a comment\n  echo bye\nimage: x\n";
        assert!(dirs(FileKind::Yaml, block).is_empty());
        let quoted = "msg: \"see # linea: ignore[K8S001] here\"\n";
        assert!(dirs(FileKind::Yaml, quoted).is_empty());
        let py = "token = \"abc # linea: ignore[PY005] fake\"\nx = 1  # linea: ignore[PY005] it's fine\n";
        let d = dirs(FileKind::Python, py);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].coverage, Coverage::Lines(vec![2]));
        let doc = "def f():\n    \"\"\"Example:\n\n    # linea: ignore[PY005] in a docstring\n    \"\"\"\n    return 1  # linea: ignore[PY003] real\n";
        let d = dirs(FileKind::Python, doc);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].coverage, Coverage::Lines(vec![6]));
        let hcl = "locals {\n  script = <<-EOT\n    # linea: ignore[TF001] shell comment\n  EOT\n  # linea: ignore[TF002] real\n  x = \"a # linea: ignore[TF003]\"\n}\n";
        let d = dirs(FileKind::Terraform, hcl);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rules[0].0, "TF002");
        let real = "script: |\n  echo hi\n# linea: ignore[K8S001] a comment\nimage: x\n";
        assert_eq!(dirs(FileKind::Yaml, real).len(), 1);
    }
}
