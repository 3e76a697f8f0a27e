//! Cross-artifact rules: the repository as one system (pipelines, Dockerfiles, manifests,
//! Terraform and Python source checked against each other).

pub mod app_port_not_exposed;
pub mod container_port_mismatch;
pub mod copy_source_missing;
pub mod gpu_without_pool;
pub mod main_module_missing;
pub mod mesh_port_mismatch;
pub mod netpol_not_enforced;
pub mod pipeline_path_missing;
pub mod registry_not_provisioned;

use std::path::{Path, PathBuf};

use crate::lang::pipeline::{Role, StepKind, System, Text};
use crate::lang::shell::operands;
use crate::project::pipeline::normalize;
use crate::project::{Model, Project};
use crate::semantic::command::Read;
use crate::source::{FileId, Span};

/// Prefixes that name the checkout root.
const ROOT_PREFIXES: &[&str] = &[
    "$(System.DefaultWorkingDirectory)/",
    "$(Build.SourcesDirectory)/",
    "$(Build.Repository.LocalPath)/",
    "${{ github.workspace }}/",
    "$GITHUB_WORKSPACE/",
    "${GITHUB_WORKSPACE}/",
];

/// A literal repository-relative path, or `None` when it is dynamic, remote or absolute.
pub fn literal(raw: &str) -> Option<String> {
    let mut p = raw.trim();
    for pre in ROOT_PREFIXES {
        if let Some(rest) = p.strip_prefix(pre) {
            p = rest;
        }
    }
    let dynamic = ['$', '*', '?', '{', '~', '[', '`'].iter().any(|c| p.contains(*c));
    if p.is_empty() || p == "-" || p == "." || dynamic || p.contains("://") || p.starts_with('/') || p.contains('@') {
        return None;
    }
    Some(p.trim_start_matches("./").trim_end_matches('/').to_string())
}

/// The directories a relative path in the pipeline may be relative to.
pub fn bases(pipeline_path: &Path, system: System, root: &Path) -> Option<Vec<PathBuf>> {
    let dir = pipeline_path.parent().unwrap_or(Path::new(""));
    match system {
        System::GithubActions => {
            // `<repo>/.github/workflows/x.yml`: scripts run at the repository root
            let in_workflows = dir.ends_with(".github/workflows");
            let repo = if in_workflows { dir.parent()?.parent()? } else { dir };
            Some(vec![repo.to_path_buf()])
        }
        System::AzurePipelines => {
            // the checkout root is the repository root: the pipeline's directory or one above it,
            // up to the scanned root
            let mut out = Vec::new();
            let mut anc = Some(dir);
            while let Some(a) = anc {
                out.push(a.to_path_buf());
                if normalize(a) == normalize(root) || a.as_os_str().is_empty() {
                    break;
                }
                anc = a.parent();
            }
            Some(out)
        }
    }
}
/// A build of a Dockerfile found in a pipeline: the context directory and where it is written.
pub struct Build {
    pub dockerfile: PathBuf,
    pub context: PathBuf,
    pub file: FileId,
    pub span: Span,
    /// Repository names of the images it tags (`shopacr.azurecr.io/orders:1.2` → `orders`).
    pub images: Vec<String>,
}

/// The repository name of an image reference: last path segment, without tag or digest.
pub fn image_name(image: &str) -> Option<String> {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    let name = last.split(':').next().unwrap_or(last).trim();
    let dynamic = ['$', '{', '}', '(', ')', ' '].iter().any(|c| name.contains(*c));
    (!name.is_empty() && !dynamic).then(|| name.to_ascii_lowercase())
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

/// A directory as messages show it: relative to the configuration root when under it, else
/// relative to the working directory (`../shared/app/src`), like the file paths of findings.
pub fn shown_dir(dir: &Path, root: &Path) -> String {
    let rel = match dir.strip_prefix(abs(root)) {
        Ok(r) => r.to_path_buf(),
        Err(_) => match std::env::current_dir() {
            Ok(cwd) => relative(dir, &abs(&cwd)),
            Err(_) => dir.to_path_buf(),
        },
    };
    if rel.as_os_str().is_empty() {
        ".".into()
    } else {
        crate::source::display_path(&rel)
    }
}

/// `to` relative to `from` (both absolute and normalised), with `..` where they part.
fn relative(to: &Path, from: &Path) -> PathBuf {
    let a: Vec<_> = to.components().collect();
    let b: Vec<_> = from.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in a.iter().skip(common) {
        out.push(c.as_os_str());
    }
    out
}

pub use crate::project::absolute as abs;

pub fn builds(project: &Project, root: &Path) -> Vec<Build> {
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
        let mut add = |df: Option<&Text>, ctx: &Text, images: Vec<String>| {
            let Some(c) = literal(&ctx.text).or_else(|| (ctx.text.trim() == ".").then(String::new)) else {
                return;
            };
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
                images,
            });
        };
        for job in project.pipelines.jobs(p.file) {
            for step in &job.steps {
                let moved = step.commands().iter().any(|c| matches!(c.program(), "cd" | "pushd"));
                let has_wd = step.node.get("working-directory").is_some()
                    || step.node.get("workingDirectory").is_some()
                    || job.working_directory.is_some();
                if !moved && !has_wd {
                    for c in step.commands() {
                        if !matches!(c.program(), "docker" | "podman")
                            || !c.effective_args().iter().any(|a| a.text == "build")
                        {
                            continue;
                        }
                        let args = c.effective_args();
                        let positional = operands(args, |a| &a.text, |o| !NO_VALUE.contains(&o));
                        let Some(ctx) = positional
                            .last()
                            .filter(|c| !matches!(c.text.as_str(), "build" | "buildx"))
                        else {
                            continue;
                        };
                        let df = c.value(&["-f", "--file"]).map(|f| Text::new(f.text, f.span));
                        let mut images = Vec::new();
                        for (k, a) in args.iter().enumerate() {
                            let tag = match a.text.as_str() {
                                "-t" | "--tag" => args.get(k + 1).map(|t| t.text.as_str()),
                                t => t.strip_prefix("--tag="),
                            };
                            images.extend(tag.and_then(image_name));
                        }
                        add(df.as_ref(), &Text::new(ctx.text.clone(), ctx.span), images);
                    }
                }
                let tool = step.tool().map(str::to_ascii_lowercase);
                match (&step.kind, tool.as_deref()) {
                    (StepKind::Action(_), Some("docker/build-push-action")) => {
                        let images = step
                            .input("tags")
                            .map(|t| t.text.split([',', '\n']).filter_map(image_name).collect())
                            .unwrap_or_default();
                        if let Some(ctx) = step.input("context") {
                            add(step.input("file"), ctx, images);
                        }
                    }
                    (StepKind::Task(_), Some(t)) if t.starts_with("docker") => {
                        let images = step
                            .input("repository")
                            .and_then(|r| image_name(&r.text))
                            .into_iter()
                            .collect();
                        let df = step.input("Dockerfile").or_else(|| step.input("dockerFile"));
                        match (step.input("buildContext"), df) {
                            (Some(ctx), df) => add(df, ctx, images),
                            // the task's default context is the Dockerfile's directory
                            (None, Some(df)) => {
                                let dir = df.text.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
                                add(Some(df), &Text::new(dir, df.span), images)
                            }
                            (None, None) => {}
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
                let images = svc.value.get("image").and_then(|i| i.as_str()).and_then(image_name);
                out.push(Build {
                    dockerfile,
                    context,
                    file: f.source.id,
                    span: ctx.span,
                    images: images.into_iter().collect(),
                });
            }
        }
    }
}

/// The build contexts of a Dockerfile: those its builds use, else its own directory.
pub fn contexts_of<'a>(builds: &'a [Build], dockerfile: &Path) -> Vec<(PathBuf, Option<&'a Build>)> {
    let path = abs(dockerfile);
    let known: Vec<&Build> = builds.iter().filter(|b| b.dockerfile == path).collect();
    if known.is_empty() {
        path.parent().map(|p| vec![(p.to_path_buf(), None)]).unwrap_or_default()
    } else {
        known.iter().map(|b| (b.context.clone(), Some(*b))).collect()
    }
}
