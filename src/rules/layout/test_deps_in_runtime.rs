use crate::discover::FileKind;
use crate::lang::pip;
use crate::project::Project;
use crate::project::{Model, ParsedFile};
use crate::rules::layout::{file_name, root_files};
use crate::rules::{ProjectContext, ProjectRule};
use crate::source::Span;

pub struct TestDepsInRuntime;

/// Words in a requirements file's name (or its directory) that mark it as not runtime.
const NON_RUNTIME: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "lint",
    "linting",
    "docs",
    "doc",
    "ci",
    "local",
    "build",
    "tox",
    "typing",
    "mypy",
    "style",
    "format",
    "check",
    "extra",
    "extras",
    "optional",
    "tools",
    "in",
];

/// Runtime file names inside a `requirements/` directory.
const RUNTIME_STEMS: &[&str] = &[
    "base",
    "common",
    "default",
    "main",
    "prod",
    "production",
    "runtime",
    "requirements",
    "install",
];

fn runtime_file(f: &ParsedFile) -> bool {
    let name = file_name(f).to_ascii_lowercase();
    let dir = f
        .source
        .path
        .parent()
        .and_then(|d| d.file_name())
        .map(|d| d.to_string_lossy().to_ascii_lowercase());
    let named = name.split(['.', '-', '_']).any(|w| NON_RUNTIME.contains(&w));
    // `requirements/pkgutils.txt`: in a requirements directory only the runtime names count
    if dir.as_deref() == Some("requirements") {
        let stem = name.split('.').next().unwrap_or("");
        return RUNTIME_STEMS.contains(&stem);
    }
    let in_tooling = dir.is_some_and(|d| ["docs", "doc", "tests", "test", ".github", "ci"].contains(&d.as_str()));
    !named && !in_tooling
}

fn dev_tool(name: &str, tools: &[String]) -> bool {
    tools.iter().any(|t| match t.strip_suffix('*') {
        Some(prefix) => name.starts_with(&pip::normalise(prefix)),
        None => name == pip::normalise(t),
    })
}

impl ProjectRule for TestDepsInRuntime {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        let tools = cx.settings.config.layout.dev_tools.clone();
        for root in &p.python.roots {
            let mut found: Vec<(crate::source::FileId, Span, String)> = Vec::new();
            for f in root_files(p, root) {
                match &f.model {
                    Model::Requirements(r) if f.kind == FileKind::Requirements && runtime_file(f) => {
                        for q in r.requirements.iter().filter(|q| dev_tool(&q.name, &tools)) {
                            found.push((
                                f.source.id,
                                q.span,
                                format!("`{}` is a dev/test tool in runtime `{}`", q.name, file_name(f)),
                            ));
                        }
                    }
                    Model::PyProject(py) => {
                        for d in py.dependencies() {
                            let Ok(q) = pip::requirement(d.text) else { continue };
                            if dev_tool(&q.name, &tools) {
                                found.push((
                                    f.source.id,
                                    d.span,
                                    format!("`{}` is a dev/test tool in `[project] dependencies`", q.name),
                                ));
                            }
                        }
                    }
                    _ => {}
                }
            }
            for (file, span, msg) in found {
                cx.report_in(file, span, msg);
            }
        }
    }
}
