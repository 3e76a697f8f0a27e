//! XR006: a pipeline step references a Dockerfile, manifest, chart or terraform directory that
//! does not exist in the repository.

use crate::project::Project;
use std::path::{Path, PathBuf};

use crate::discover::{classify, FileKind};
use crate::lang::pipeline::{Job, Role, Step, StepKind, Text};
use crate::project::pipeline::JobView;
use crate::rules::cross::{bases, literal};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::Read;
use crate::semantic::path::normalize;

pub struct PipelinePathMissing;

/// What a path must be for the reference to work.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    /// A file (its name must be one linea discovers, so absence is meaningful).
    File,
    /// A directory holding at least one discovered file (terraform, chart, manifests).
    Dir,
    /// Either a manifest file or a directory of manifests (`kubectl apply -f`).
    FileOrDir,
}

struct Reference<'a> {
    path: String,
    span: crate::source::Span,
    want: Want,
    by: String,
    step: &'a Step,
}

fn refs_of_step(step: &Step) -> Vec<Reference<'_>> {
    let mut out = Vec::new();
    let mut push = |raw: &Text, want: Want, by: &str| {
        // multi-line inputs (`manifests:`) point at the whole value
        for line in raw.text.lines() {
            if let Some(path) = literal(line) {
                out.push(Reference {
                    path,
                    span: raw.span,
                    want,
                    by: by.to_string(),
                    step,
                });
            }
        }
    };
    // a `cd` earlier in the script moves every later relative path
    let mut moved = false;
    for c in step.commands() {
        let p = c.program();
        if matches!(p, "cd" | "pushd" | "popd") {
            moved = true;
        }
        if moved {
            continue;
        }
        let args = c.effective_args();
        let sub = c.subcommand().map(|s| s.text.as_str()).unwrap_or("");
        match p {
            "docker" | "podman" if args.iter().any(|a| a.text == "build") => {
                if let Some(f) = c.value(&["-f", "--file"]) {
                    push(&Text::new(f.text, f.span), Want::File, "docker build -f");
                }
            }
            "kubectl" if matches!(sub, "apply" | "create" | "replace" | "diff") => {
                for (flags, want) in [
                    (&["-f", "--filename"][..], Want::FileOrDir),
                    (&["-k", "--kustomize"][..], Want::Dir),
                ] {
                    if let Some(f) = c.value(flags) {
                        push(&Text::new(f.text, f.span), want, &format!("kubectl {sub}"));
                    }
                }
            }
            "helm" if matches!(sub, "upgrade" | "install" | "template" | "lint") => {
                // a local chart: a positional word (not a flag's value) written as a path
                let chart = args.iter().enumerate().find(|(i, a)| {
                    let after_flag = i
                        .checked_sub(1)
                        .and_then(|j| args.get(j))
                        .is_some_and(|p| p.text.starts_with('-') && !p.text.contains('='));
                    !after_flag && (a.text.starts_with("./") || a.text.starts_with("../"))
                });
                if let Some((_, ch)) = chart {
                    push(&Text::new(ch.text.clone(), ch.span), Want::Dir, &format!("helm {sub}"));
                }
            }
            "terraform" | "tofu" => {
                if let Some(d) = c.value(&["-chdir"]) {
                    push(&Text::new(d.text, d.span), Want::Dir, "terraform -chdir");
                }
            }
            _ => {}
        }
    }
    let input = |k: &str| step.input(k);
    match (&step.kind, step.tool().map(str::to_ascii_lowercase).as_deref()) {
        (StepKind::Action(_), Some("docker/build-push-action")) => {
            if let Some(f) = input("file") {
                push(f, Want::File, "docker/build-push-action");
            }
        }
        (StepKind::Action(_), Some("azure/k8s-deploy")) => {
            if let Some(m) = input("manifests") {
                push(m, Want::FileOrDir, "azure/k8s-deploy");
            }
        }
        (StepKind::Task(_), Some(t)) if t.starts_with("docker") => {
            if let Some(f) = input("Dockerfile").or_else(|| input("dockerFile")) {
                push(f, Want::File, "Docker task");
            }
        }
        (StepKind::Task(_), Some("kubernetesmanifest")) => {
            if let Some(m) = input("manifests") {
                push(m, Want::FileOrDir, "KubernetesManifest");
            }
        }
        (StepKind::Task(_), Some("helmdeploy")) => {
            if let Some(c) = input("chartPath").filter(|_| input("chartType").is_some_and(|t| t.text == "FilePath")) {
                push(c, Want::Dir, "HelmDeploy");
            }
        }
        (StepKind::Task(_), Some(t)) if t.starts_with("terraformtask") || t.starts_with("terraformcli") => {
            if let Some(d) = input("workingDirectory") {
                push(d, Want::Dir, "Terraform task");
            }
        }
        _ => {}
    }
    out
}

/// Whether the repository has the path: a scanned file or directory, or one on disk (an
/// ignored or excluded file exists all the same).
fn exists(project: &Project, p: &Path, want: Want) -> bool {
    let n = normalize(p);
    match want {
        Want::File => project.is_file(&n),
        Want::Dir => project.is_dir(&n),
        Want::FileOrDir => project.exists(&n),
    }
}

/// Whether linea would have discovered the file, so that its absence means it is missing.
fn discoverable(path: &str, want: Want) -> bool {
    match want {
        Want::Dir => true,
        Want::File | Want::FileOrDir => {
            let has_ext = Path::new(path).extension().is_some();
            if want == Want::FileOrDir && !has_ext {
                return true;
            }
            classify(Path::new(path)).is_some_and(|k| k != FileKind::Sensitive)
        }
    }
}

impl FileRule for PipelinePathMissing {
    type Target = target::PipelineJob;

    fn check(&self, view: JobView<'_>, cx: &mut FileContext<'_>) {
        let (pipeline, job) = (view.pipeline, view.job());
        if pipeline.role == Role::Action {
            return;
        }
        let Some(file) = cx.project.file(pipeline.file) else {
            return;
        };
        let root = cx.project.root.clone();
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let Some(bases) = bases(&abs(&file.source.path), pipeline.system, &root) else {
            return;
        };
        check_job(cx, &view.entry.jobs, job, &bases);
    }
}

/// Commands that create files or directories from their arguments.
const CREATORS: &[&str] = &[
    "git",
    "mkdir",
    "cp",
    "mv",
    "tar",
    "unzip",
    "curl",
    "wget",
    "helm",
    "kustomize",
    "gh",
    "az",
];

/// Whether another step creates the path or a directory above it (`git clone … helmcharts`, a
/// checkout or artifact download to `path:`).
fn created_by_pipeline(jobs: &[Job], path: &str) -> bool {
    let covers = |made: &str| {
        let made = made.trim_start_matches("./").trim_end_matches('/');
        !made.is_empty() && (made == path || path.starts_with(&format!("{made}/")))
    };
    jobs.iter().flat_map(|j| &j.steps).any(|s| {
        let by_input = matches!(s.kind, StepKind::Action(_))
            && ["path", "destination", "target"]
                .iter()
                .filter_map(|k| s.input(k))
                .any(|v| v.text.lines().any(covers));
        let by_command = s.commands().iter().any(|c| {
            CREATORS.contains(&c.program())
                && c.effective_args().iter().any(|a| {
                    let value = match a.text.split_once('=') {
                        Some((k, v)) if k.starts_with('-') => v,
                        _ => &a.text,
                    };
                    covers(value)
                })
        });
        by_input || by_command
    })
}

fn check_job(cx: &mut FileContext<'_>, jobs: &[Job], job: &Job, bases: &[PathBuf]) {
    for step in &job.steps {
        let wd = step
            .node
            .get("working-directory")
            .or_else(|| step.node.get("workingDirectory"))
            .and_then(Text::of)
            .or_else(|| job.working_directory.clone());
        let wd = match wd {
            Some(w) => match literal(&w.text) {
                Some(l) => Some(l),
                None => continue,
            },
            None => None,
        };
        for r in refs_of_step(step) {
            if !discoverable(&r.path, r.want) {
                continue;
            }
            // a path written by another step (rendered manifests, downloaded artifacts)
            let produced = jobs.iter().flat_map(|j| &j.steps).any(|s| {
                let mentions = s
                    .script
                    .as_ref()
                    .map(|sc| sc.text.matches(r.path.as_str()).count())
                    .unwrap_or(0);
                if std::ptr::eq(s, r.step) {
                    mentions > 1
                } else {
                    mentions > 0
                }
            });
            if produced || created_by_pipeline(jobs, &r.path) {
                continue;
            }
            let found = bases.iter().any(|b| {
                let base = match &wd {
                    Some(w) => b.join(w),
                    None => b.clone(),
                };
                exists(cx.project, &base.join(&r.path), r.want)
            });
            if !found {
                let what = match r.want {
                    Want::File => "file",
                    Want::Dir => "directory",
                    Want::FileOrDir => "path",
                };
                let message = format!("{what} `{}` used by `{}` does not exist", r.path, r.by);
                cx.report_in(r.step.file, r.span, message);
            }
        }
    }
}
