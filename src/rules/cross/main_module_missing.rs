//! XR001: a Dockerfile or Makefile runs `python -m pkg` or `python path/script.py` and nothing
//! in the build context (Dockerfile) or below the Makefile provides that module or script.
//!
//! Lenient on purpose: a script counts as present when a file of that name exists anywhere in
//! the context (containers copy files to other paths), a module when a file ends with its path
//! (`pkg/mod.py`, `pkg/mod/__main__.py`, `pkg/mod/__init__.py`, `src/` layouts included).
//! Modules of the standard library and names listed in a requirements file or `pyproject.toml`
//! are installed, not copied, and are not checked.

use std::path::Path;

use crate::discover::FileKind;
use crate::project::{Model, Project};
use crate::rules::cross::{abs, Build};
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::source::{FileId, Span};

pub struct MainModuleMissing;

/// Standard-library modules commonly run with `-m`.
const STDLIB: &[&str] = &[
    "http",
    "venv",
    "pip",
    "ensurepip",
    "json",
    "unittest",
    "compileall",
    "py_compile",
    "site",
    "zipapp",
    "pydoc",
    "timeit",
    "cProfile",
    "profile",
    "trace",
    "pdb",
    "ast",
    "tokenize",
    "sysconfig",
    "webbrowser",
    "asyncio",
    "uuid",
    "base64",
    "calendar",
    "gzip",
    "tarfile",
    "zipfile",
    "sqlite3",
    "doctest",
    "idlelib",
    "platform",
    "smtpd",
    "this",
];

/// What a `python` command line runs.
enum Target {
    Module(String),
    Script(String),
}

/// Read `python [-u -O -X opt ...] (-m module | script.py)` from words.
fn target(words: &[&str]) -> Option<Target> {
    let first = words.first()?;
    let prog = first.rsplit('/').next().unwrap_or(first);
    let is_python = prog == "python" || prog.starts_with("python3");
    if !is_python {
        return None;
    }
    let mut i = 1;
    while let Some(w) = words.get(i) {
        match *w {
            "-m" => return words.get(i + 1).map(|m| Target::Module(m.to_string())),
            "-c" => return None,
            "-X" | "-W" => i += 2,
            w if w.starts_with('-') => i += 1,
            w if w.ends_with(".py") => return Some(Target::Script(w.to_string())),
            _ => return None,
        }
    }
    None
}

fn dynamic(s: &str) -> bool {
    ['$', '{', '*', '`'].iter().any(|c| s.contains(*c))
}

/// The Python files (context-relative, `/`-separated) below `dir`.
fn python_files(project: &Project, dir: &Path) -> Vec<String> {
    project
        .files_under(dir)
        .filter(|f| f.kind == FileKind::Python)
        .filter_map(|f| {
            let p = abs(&f.source.path);
            p.strip_prefix(dir)
                .ok()
                .map(|r| crate::source::slashed(&r.to_string_lossy()).into_owned())
        })
        .collect()
}

/// Names that are installed dependencies of some project in the repository.
fn dependency_text(project: &Project) -> String {
    project
        .files
        .iter()
        .filter(|f| {
            matches!(
                f.kind,
                FileKind::Requirements | FileKind::PyProject | FileKind::Pipfile | FileKind::SetupCfg
            )
        })
        .map(|f| f.source.text.to_ascii_lowercase().replace('-', "_"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn provided(files: &[String], t: &Target, deps: &str) -> bool {
    let ends = |suffix: &str| files.iter().any(|f| f == suffix || f.ends_with(&format!("/{suffix}")));
    match t {
        Target::Script(s) => {
            let name = s.rsplit('/').next().unwrap_or(s);
            ends(name)
        }
        Target::Module(m) => {
            let top = m.split('.').next().unwrap_or(m);
            if STDLIB.contains(&top) || deps.contains(&top.to_ascii_lowercase()) {
                return true;
            }
            let path = m.replace('.', "/");
            ends(&format!("{path}.py")) || ends(&format!("{path}/__main__.py")) || ends(&format!("{path}/__init__.py"))
        }
    }
}

fn describe(t: &Target) -> String {
    match t {
        Target::Module(m) => format!("module `{m}` run by `python -m`"),
        Target::Script(s) => format!("script `{s}` run by `python`"),
    }
}

impl ProjectRule for MainModuleMissing {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        let root = project.root.clone();
        let deps = dependency_text(project);
        for f in &project.files {
            match &f.model {
                Model::Docker(d) => {
                    let mut runs: Vec<(Target, Span)> = Vec::new();
                    for i in &d.instructions {
                        if i.is("CMD") || i.is("ENTRYPOINT") {
                            let words: Vec<&str> = match i.form {
                                Some(crate::lang::docker::Form::Exec) => {
                                    i.args.iter().map(|w| w.text.as_str()).collect()
                                }
                                _ => i
                                    .args
                                    .first()
                                    .map(|w| w.text.split_whitespace().collect())
                                    .unwrap_or_default(),
                            };
                            let span = i.args.first().map(|w| w.span).unwrap_or(i.keyword_span);
                            let span = i.args.last().map(|l| span.cover(l.span)).unwrap_or(span);
                            if let Some(t) = target(&words) {
                                runs.push((t, span));
                            }
                        }
                        // build steps: scripts only (modules there are usually just pip-installed)
                        for c in i.commands() {
                            let mut words: Vec<&str> = vec![c.name.text.as_str()];
                            words.extend(c.args.iter().map(|a| a.text.as_str()));
                            if let Some(t @ Target::Script(_)) = target(&words) {
                                runs.push((t, c.span));
                            }
                        }
                    }
                    let contexts = project.builds().contexts_of(&f.source.path);
                    // packages the Dockerfile installs itself (`RUN pip install gunicorn`)
                    let mut deps = deps.clone();
                    for i in d.instructions.iter().filter(|i| i.is("RUN")) {
                        deps.push('\n');
                        deps.push_str(&f.source.slice(i.span).to_ascii_lowercase().replace('-', "_"));
                    }
                    for (t, span) in runs {
                        let name = match &t {
                            Target::Module(m) | Target::Script(m) => m.clone(),
                        };
                        if dynamic(&name) {
                            continue;
                        }
                        for (ctx, build) in &contexts {
                            if provided(&python_files(project, ctx), &t, &deps) {
                                continue;
                            }
                            report(cx, f.source.id, span, &t, ctx, &root, *build);
                        }
                    }
                }
                Model::Makefile(m) => {
                    let Some(dir) = f.source.path.parent().map(abs) else {
                        continue;
                    };
                    let files = python_files(project, &dir);
                    for target_ in &m.targets {
                        for line in target_.recipe.lines() {
                            // `@`/`-` prefixes of a recipe line are make's, not the command's
                            let line = line.trim_start().trim_start_matches(['@', '-', '+']);
                            let words: Vec<&str> = line
                                .split_whitespace()
                                .skip_while(|w| {
                                    !(w.starts_with("python") || w.ends_with("/python") || w.ends_with("/python3"))
                                })
                                .collect();
                            let Some(t) = target(&words) else { continue };
                            let name = match &t {
                                Target::Module(m) | Target::Script(m) => m.clone(),
                            };
                            if dynamic(&name) || provided(&files, &t, &deps) {
                                continue;
                            }
                            let message = format!("{} does not exist below the Makefile", describe(&t));
                            cx.report_in(f.source.id, target_.span, message);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn report(
    cx: &mut ProjectContext<'_>,
    file: FileId,
    span: Span,
    t: &Target,
    ctx: &Path,
    root: &Path,
    build: Option<&Build>,
) {
    let shown = super::shown_dir(ctx, root);
    let message = format!("{} is not in the build context `{shown}`", describe(t));
    let d = cx.report_in(file, span, message);
    if let Some(b) = build {
        d.labels.push(Label {
            file: b.file,
            span: b.span,
            message: "the image is built with this context".into(),
        });
    }
}
