use crate::discover::FileKind;
use crate::project::Project;
use crate::rules::layout::{file_name, root_files};
use crate::rules::{ProjectContext, ProjectRule};
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

/// The same from the Dockerfile model: COPY/ADD without `--from` whose sources include `.`.
fn docker_copies(d: &crate::lang::docker::Dockerfile) -> Vec<Span> {
    d.instructions
        .iter()
        .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
        .filter(|i| i.flag("from").is_none())
        .filter(|i| {
            i.args.len() >= 2
                && i.args[..i.args.len() - 1]
                    .iter()
                    .any(|a| a.text == "." || a.text == "./")
        })
        .map(|i| i.span)
        .collect()
}

impl ProjectRule for MissingDockerignore {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
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
                    (n == ".dockerignore" && (idir == dir || root.holds(i))) || (idir == dir && n == own)
                });
                if has {
                    continue;
                }
                let copies = match &f.model {
                    crate::project::Model::Docker(d) => docker_copies(d),
                    _ => whole_context_copies(&f.source.text),
                };
                for span in copies {
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
