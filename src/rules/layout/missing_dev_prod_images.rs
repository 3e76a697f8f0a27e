use crate::discover::FileKind;
use crate::project::python::first_line;
use crate::project::ParsedFile;
use crate::project::Project;
use crate::rules::layout::{file_name, root_files};
use crate::rules::{ProjectContext, ProjectRule};

pub struct MissingDevProdImages;

fn words(f: &ParsedFile) -> Vec<String> {
    file_name(f)
        .to_ascii_lowercase()
        .split(['.', '-', '_'])
        .map(str::to_string)
        .collect()
}

/// Named build stages (`FROM python:3.12-slim AS prod`) of a Dockerfile's text.
pub fn named_stages(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            match w.as_slice() {
                [from, .., as_kw, name] if from.eq_ignore_ascii_case("FROM") && as_kw.eq_ignore_ascii_case("AS") => {
                    Some(name.to_ascii_lowercase())
                }
                _ => None,
            }
        })
        .collect()
}

/// Whether a Dockerfile builds a Python image (a monorepo's frontend image is not ours).
fn python_image(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "python", "pip ", "pip3 ", "uv ", "poetry", "gunicorn", "uvicorn", "conda",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// The first `FROM` line: where a stage name would go.
fn from_line(text: &str) -> Option<crate::source::Span> {
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        if line
            .trim_start()
            .get(..5)
            .is_some_and(|w| w.eq_ignore_ascii_case("FROM "))
        {
            let lead = line.len() - line.trim_start().len();
            return Some(crate::source::Span::new(offset + lead, offset + line.len()));
        }
        offset += raw.len();
    }
    None
}

impl ProjectRule for MissingDevProdImages {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        for root in &p.python.roots {
            let dockerfiles: Vec<&ParsedFile> = root_files(p, root)
                .filter(|f| f.kind == FileKind::Dockerfile && python_image(&f.source.text))
                .collect();
            // a library without any image is not a service
            let Some(first) = dockerfiles.first() else { continue };
            let has = |names: &[&str]| {
                dockerfiles
                    .iter()
                    .any(|f| words(f).iter().any(|w| names.contains(&w.as_str())))
            };
            if has(&["dev", "development", "local"]) && has(&["prod", "production", "release"]) {
                continue;
            }
            let stages = |f: &ParsedFile| match &f.model {
                crate::project::Model::Docker(d) => d.stages.iter().filter(|s| s.name.is_some()).count(),
                _ => named_stages(&f.source.text).len(),
            };
            if dockerfiles.iter().any(|f| stages(f) >= 2) {
                continue;
            }
            let name = file_name(first);
            let text = &first.source.text;
            let at = from_line(text).unwrap_or_else(|| first_line(text));
            cx.report_in(
                first.source.id,
                at,
                format!("`{name}` is the only image: add `dev.Dockerfile` and `prod.Dockerfile` or named stages"),
            );
        }
    }
}
