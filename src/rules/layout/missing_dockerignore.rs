use crate::discover::FileKind;
use crate::rules::layout::{file_name, root_files};
use crate::rules::{Context, NodeKind, Rule, Subject};
use crate::source::Span;

pub struct MissingDockerignore;

/// `COPY`/`ADD` lines whose sources include the whole context (`.`), with their spans.
pub fn whole_context_copies(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += raw.len();
        let t = line.trim_start();
        let words: Vec<&str> = t
            .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
            .map(|w| w.trim_matches('"'))
            .filter(|w| !w.is_empty())
            .collect();
        let Some((kw, rest)) = words.split_first() else {
            continue;
        };
        if !(kw.eq_ignore_ascii_case("COPY") || kw.eq_ignore_ascii_case("ADD")) {
            continue;
        }
        if rest.iter().any(|w| w.starts_with("--from")) {
            continue;
        }
        let args: Vec<&&str> = rest.iter().filter(|w| !w.starts_with("--")).collect();
        if args.len() >= 2 && args[..args.len() - 1].iter().any(|s| **s == "." || **s == "./") {
            let lead = line.len() - t.len();
            out.push(Span::new(start + lead, start + line.len()));
        }
    }
    out
}

impl Rule for MissingDockerignore {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Project]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Project(p) = subject else { return };
        let ignores: Vec<_> = p
            .files_of(FileKind::Dockerignore)
            .map(|f| f.source.path.clone())
            .collect();
        for root in &p.python.roots {
            for f in root_files(p, root).filter(|f| f.kind == FileKind::Dockerfile) {
                let dir = f.source.path.parent().unwrap_or(std::path::Path::new(""));
                let own = format!("{}.dockerignore", file_name(f));
                // the context is usually the Dockerfile's directory or the project root
                let has = ignores.iter().any(|i| {
                    let idir = i.parent().unwrap_or(std::path::Path::new(""));
                    let n = i
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    (n == ".dockerignore" && (idir == dir || idir == root.dir)) || (idir == dir && n == own)
                });
                if has {
                    continue;
                }
                for span in whole_context_copies(&f.source.text) {
                    let text = span.slice(&f.source.text).to_string();
                    cx.report_in(
                        f.source.id,
                        span,
                        format!("`{text}` copies the whole context and there is no `.dockerignore`"),
                    );
                }
            }
        }
    }
}
