//! Docker builds of the repository, indexed once: which Dockerfile each pipeline step
//! (`docker build`, `docker/build-push-action`, the Azure `Docker` task) and compose service
//! builds, with which context directory and which image names it tags; the Dockerfiles by
//! path and by directory name with the ports their final image exposes; and the scanned files
//! in path order, so "the files of a build context" is a range lookup.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::lang::pipeline::{Role, StepKind, System, Text};
use crate::lang::shell::operands;
use crate::project::{absolute as abs, Model, ParsedFile, Project};
use crate::semantic::command::Read;
use crate::semantic::image::name_of;
use crate::semantic::path::{literal, literal_dir, normalize};
use crate::semantic::port::{image_ports, ImagePorts};
use crate::source::{FileId, Span};

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

/// A build of a Dockerfile found in a pipeline or a compose file: the context directory and
/// where it is written.
#[derive(Debug)]
pub struct Build {
    pub dockerfile: PathBuf,
    pub context: PathBuf,
    pub file: FileId,
    pub span: Span,
    /// Names of the images it tags (`shopacr.azurecr.io/shop/orders:1.2` → `orders`).
    pub images: Vec<String>,
}

/// A Dockerfile of the project and the ports its final image exposes.
#[derive(Debug)]
pub struct Dockerfile {
    pub file: FileId,
    /// Absolute, normalised.
    pub path: PathBuf,
    /// `None` when no stage of the final image says `EXPOSE`.
    pub ports: Option<ImagePorts>,
}

/// The builds and Dockerfiles of the project, looked up by Dockerfile path and image name.
#[derive(Debug, Default)]
pub struct Builds {
    builds: Vec<Build>,
    by_dockerfile: HashMap<PathBuf, Vec<usize>>,
    by_image: HashMap<String, Vec<usize>>,
    dockerfiles: Vec<Dockerfile>,
    dockerfile_by_path: HashMap<PathBuf, usize>,
    /// Dockerfiles by the lower-case name of their directory (`services/orders/Dockerfile` →
    /// `orders`).
    dockerfiles_by_dir: HashMap<String, Vec<usize>>,
    /// Every scanned file by absolute path, in path order.
    files: BTreeMap<PathBuf, FileId>,
}

impl Builds {
    pub fn build(project: &Project) -> Builds {
        let mut builds = Vec::new();
        compose_builds(project, &mut builds);
        pipeline_builds(project, &mut builds);
        let mut index = Builds::default();
        for (i, b) in builds.iter().enumerate() {
            index.by_dockerfile.entry(b.dockerfile.clone()).or_default().push(i);
            for name in &b.images {
                let list = index.by_image.entry(name.clone()).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        index.builds = builds;
        for f in &project.files {
            let path = abs(&f.source.path);
            if let Model::Docker(d) = &f.model {
                let k = index.dockerfiles.len();
                let dir_name = path
                    .parent()
                    .and_then(Path::file_name)
                    .map(|n| n.to_string_lossy().to_ascii_lowercase())
                    .unwrap_or_default();
                index.dockerfiles_by_dir.entry(dir_name).or_default().push(k);
                index.dockerfile_by_path.insert(path.clone(), k);
                index.dockerfiles.push(Dockerfile {
                    file: f.source.id,
                    path: path.clone(),
                    ports: image_ports(d),
                });
            }
            index.files.insert(path, f.source.id);
        }
        index
    }

    /// Every build, pipelines' and compose files'.
    pub fn all(&self) -> &[Build] {
        &self.builds
    }

    /// The builds of one Dockerfile (absolute, normalised path).
    pub fn of_dockerfile(&self, path: &Path) -> impl Iterator<Item = &Build> {
        let ids = self.by_dockerfile.get(path).map(Vec::as_slice).unwrap_or(&[]);
        ids.iter().filter_map(|&i| self.builds.get(i))
    }

    /// The builds that tag an image name (`orders`).
    pub fn tagging(&self, name: &str) -> impl Iterator<Item = &Build> {
        let ids = self.by_image.get(name).map(Vec::as_slice).unwrap_or(&[]);
        ids.iter().filter_map(|&i| self.builds.get(i))
    }

    /// The build contexts of a Dockerfile: those its builds use, else its own directory.
    pub fn contexts_of(&self, dockerfile: &Path) -> Vec<(PathBuf, Option<&Build>)> {
        let path = abs(dockerfile);
        let known: Vec<&Build> = self.of_dockerfile(&path).collect();
        if known.is_empty() {
            path.parent().map(|p| vec![(p.to_path_buf(), None)]).unwrap_or_default()
        } else {
            known.iter().map(|b| (b.context.clone(), Some(*b))).collect()
        }
    }

    /// Every Dockerfile of the project, in file order.
    pub fn dockerfiles(&self) -> &[Dockerfile] {
        &self.dockerfiles
    }

    /// The Dockerfile at an absolute, normalised path.
    pub fn dockerfile(&self, path: &Path) -> Option<&Dockerfile> {
        self.dockerfile_by_path.get(path).and_then(|&i| self.dockerfiles.get(i))
    }

    /// The Dockerfiles in a directory of that (lower-case) name.
    pub fn dockerfiles_in_dir_named(&self, name: &str) -> impl Iterator<Item = &Dockerfile> {
        let ids = self.dockerfiles_by_dir.get(name).map(Vec::as_slice).unwrap_or(&[]);
        ids.iter().filter_map(|&i| self.dockerfiles.get(i))
    }

    /// The scanned files below a directory (absolute, normalised), in path order.
    pub fn files_under<'a>(&'a self, dir: &'a Path) -> impl Iterator<Item = FileId> + 'a {
        self.files
            .range::<Path, _>((std::ops::Bound::Included(dir), std::ops::Bound::Unbounded))
            .take_while(move |(p, _)| p.starts_with(dir))
            .map(|(_, id)| *id)
    }
}

impl Project {
    /// The Docker builds and Dockerfiles of the project (indexed once).
    pub fn builds(&self) -> &Builds {
        self.indexes.builds.get_or_init(|| Builds::build(self))
    }

    /// The scanned files below a directory (absolute, normalised), in path order.
    pub fn files_under<'a>(&'a self, dir: &'a Path) -> impl Iterator<Item = &'a ParsedFile> + 'a {
        self.builds().files_under(dir).filter_map(|id| self.file(id))
    }
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

fn pipeline_builds(project: &Project, out: &mut Vec<Build>) {
    for f in &project.files {
        let Model::Pipeline(pf) = &f.model else { continue };
        let p = &pf.pipeline;
        if p.role == Role::Action {
            continue;
        }
        let Some(bases) = bases(&abs(&f.source.path), p.system, &project.root) else {
            continue;
        };
        let Some(base) = bases.last() else { continue };
        let mut add = |df: Option<&Text>, ctx: &Text, images: Vec<String>| {
            let Some(c) = literal_dir(&ctx.text) else {
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
                            images.extend(tag.and_then(name_of));
                        }
                        add(df.as_ref(), &Text::new(ctx.text.clone(), ctx.span), images);
                    }
                }
                let tool = step.tool().map(str::to_ascii_lowercase);
                match (&step.kind, tool.as_deref()) {
                    (StepKind::Action(_), Some("docker/build-push-action")) => {
                        let images = step
                            .input("tags")
                            .map(|t| t.text.split([',', '\n']).filter_map(name_of).collect())
                            .unwrap_or_default();
                        if let Some(ctx) = step.input("context") {
                            add(step.input("file"), ctx, images);
                        }
                    }
                    (StepKind::Task(_), Some(t)) if t.starts_with("docker") => {
                        let images = step
                            .input("repository")
                            .and_then(|r| name_of(&r.text))
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
                let Some(c) = literal_dir(&ctx.text) else {
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
                let images = svc.value.get("image").and_then(|i| i.as_str()).and_then(name_of);
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
