//! XR002: a Dockerfile `COPY`/`ADD` source that is not in the build context.
//!
//! The build context is what the repository's pipelines pass to `docker build` (or
//! `docker/build-push-action`, the `Docker` task) for that Dockerfile, else the Dockerfile's
//! directory. Only sources whose names linea discovers (requirements files, `pyproject.toml`,
//! Python modules, manifests...) are checked: for other files absence from the scan proves
//! nothing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::discover::{classify, FileKind};
use crate::lang::pipeline::script::flag_text;
use crate::lang::pipeline::{Role, StepKind, Text};
use crate::project::pipeline::normalize;
use crate::project::{Model, Project};
use crate::rules::cross::{bases, literal};
use crate::rules::{Context, Label, NodeKind, Rule, Subject};
use crate::source::{FileId, Span};

pub struct CopySourceMissing;

/// A build of a Dockerfile found in a pipeline: the context directory and where it is written.
struct Build {
    dockerfile: PathBuf,
    context: PathBuf,
    file: FileId,
    span: Span,
}

/// `docker build` flags that take no value.
const NO_VALUE: &[&str] = &[
    "--pull",
    "--no-cache",
    "--push",
    "--load",
    "-q",
    "--quiet",
    "--rm",
    "--force-rm",
    "--squash",
];

fn abs(p: &Path) -> PathBuf {
    normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

fn builds(project: &Project, root: &Path) -> Vec<Build> {
    let mut out = Vec::new();
    compose_builds(project, &mut out);
    for f in &project.files {
        let Model::Pipeline(pf) = &f.model else { continue };
        let p = &pf.pipeline;
        if p.role == Role::Action {
            continue;
        }
        let Some(bases) = bases(&abs(&f.source.path), p.system, root) else {
            continue;
        };
        let Some(base) = bases.last() else { continue };
        let mut add = |df: Option<&Text>, ctx: &Text| {
            let Some(c) = literal(&ctx.text) else { return };
            let context = normalize(&base.join(&c));
            let dockerfile = match df.map(|d| literal(&d.text)) {
                Some(Some(d)) => normalize(&base.join(d)),
                Some(None) => return,
                None => context.join("Dockerfile"),
            };
            out.push(Build {
                dockerfile,
                context,
                file: p.file,
                span: ctx.span,
            });
        };
        for job in &p.expanded {
            for step in &job.steps {
                let moved = step.commands().iter().any(|c| matches!(c.program(), "cd" | "pushd"));
                let has_wd = step.node.get("working-directory").is_some()
                    || step.node.get("workingDirectory").is_some()
                    || job.working_directory.is_some();
                if !moved && !has_wd {
                    for c in step.commands() {
                        if !matches!(c.program(), "docker" | "podman") || !c.argv().1.iter().any(|a| a.text == "build")
                        {
                            continue;
                        }
                        let args = c.argv().1;
                        let mut positional = Vec::new();
                        let mut skip = false;
                        for a in args {
                            if skip {
                                skip = false;
                                continue;
                            }
                            if a.text.starts_with('-') {
                                skip = !a.text.contains('=') && !NO_VALUE.contains(&a.text.as_str());
                                continue;
                            }
                            positional.push(a);
                        }
                        let Some(ctx) = positional
                            .last()
                            .filter(|c| !matches!(c.text.as_str(), "build" | "buildx"))
                        else {
                            continue;
                        };
                        let df = c.flag_value(&["-f", "--file"]).map(|f| Text::new(flag_text(f), f.span));
                        add(df.as_ref(), ctx);
                    }
                }
                let tool = step.tool().map(str::to_ascii_lowercase);
                match (&step.kind, tool.as_deref()) {
                    (StepKind::Action(_), Some("docker/build-push-action")) => {
                        if let Some(ctx) = step.input("context") {
                            add(step.input("file"), ctx);
                        }
                    }
                    (StepKind::Task(_), Some(t)) if t.starts_with("docker") => {
                        if let Some(ctx) = step.input("buildContext") {
                            add(step.input("Dockerfile").or_else(|| step.input("dockerFile")), ctx);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// `services.<name>.build` of compose files: a context string or `{context, dockerfile}`,
/// relative to the compose file.
fn compose_builds(project: &Project, out: &mut Vec<Build>) {
    for f in &project.files {
        let Model::Yaml(stream) = &f.model else { continue };
        let name = f
            .source
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if !(name.starts_with("compose") || name.starts_with("docker-compose")) {
            continue;
        }
        let dir = abs(f.source.path.parent().unwrap_or(Path::new("")));
        for doc in &stream.documents {
            for svc in doc.root.get("services").map(|s| s.entries()).unwrap_or(&[]) {
                let Some(build) = svc.value.get("build") else { continue };
                let ctx_node = if build.is_map() {
                    build.get("context")
                } else {
                    Some(build)
                };
                let Some(ctx) = ctx_node.and_then(Text::of) else {
                    continue;
                };
                let Some(c) = literal(&ctx.text).or_else(|| (ctx.text.trim() == ".").then(String::new)) else {
                    continue;
                };
                let context = normalize(&dir.join(&c));
                let dockerfile = match build.get("dockerfile").and_then(Text::of) {
                    Some(d) => match literal(&d.text) {
                        Some(d) => normalize(&context.join(d)),
                        None => continue,
                    },
                    None => context.join("Dockerfile"),
                };
                out.push(Build {
                    dockerfile,
                    context,
                    file: f.source.id,
                    span: ctx.span,
                });
            }
        }
    }
}

impl Rule for CopySourceMissing {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Project]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Project(project) = subject else { return };
        let root = cx.settings.root.clone();
        let files: HashSet<PathBuf> = project.files.iter().map(|f| abs(&f.source.path)).collect();
        let builds = builds(project, &root);
        for f in &project.files {
            let Model::Docker(d) = &f.model else { continue };
            let path = abs(&f.source.path);
            let known: Vec<&Build> = builds.iter().filter(|b| b.dockerfile == path).collect();
            let contexts: Vec<(PathBuf, Option<&Build>)> = if known.is_empty() {
                path.parent().map(|p| vec![(p.to_path_buf(), None)]).unwrap_or_default()
            } else {
                known.iter().map(|b| (b.context.clone(), Some(*b))).collect()
            };
            for i in &d.instructions {
                if !(i.is("COPY") || i.is("ADD")) || i.flag("from").is_some() || !i.heredocs.is_empty() {
                    continue;
                }
                let Some((_, sources)) = i.args.split_last() else {
                    continue;
                };
                for src in sources {
                    let Some(rel) = literal(&src.text) else { continue };
                    let name_kind = classify(Path::new(&rel));
                    if name_kind.is_none() || name_kind == Some(FileKind::Sensitive) || rel.ends_with('/') {
                        continue;
                    }
                    for (ctx, build) in &contexts {
                        if files.contains(&normalize(&ctx.join(&rel))) {
                            continue;
                        }
                        let shown = ctx
                            .strip_prefix(abs(&root))
                            .map(|p| p.to_path_buf())
                            .unwrap_or_else(|_| ctx.clone());
                        let shown = if shown.as_os_str().is_empty() {
                            ".".into()
                        } else {
                            crate::source::display_path(&shown)
                        };
                        let message = format!("`{rel}` is not in the build context `{shown}`");
                        let d = cx.report_in(f.source.id, src.span, message);
                        if let Some(b) = build {
                            d.labels.push(Label {
                                file: b.file,
                                span: b.span,
                                message: "the image is built with this context".into(),
                            });
                        }
                    }
                }
            }
        }
    }
}
