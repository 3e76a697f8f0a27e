//! Parsed files and the `Project` index that project-level rules query.

pub mod builds;
pub mod clusters;
pub mod fs;
pub mod mesh;
pub mod pipeline;
pub mod python;
pub mod registry;
pub mod rendered;
pub mod terraform;
pub mod workloads;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub mod k8s;

use crate::config::{Configs, Settings};
use crate::discover::FileKind;
use crate::lang::{docker, ini, makefile, pip, pyproject, yaml, ParseError};
use crate::source::{Environment, FileId, SourceFile, Span};

/// The parsed model of one file. A language adds its variant here and its parse call in
/// [`parse`].
#[derive(Debug)]
pub enum Model {
    /// Read as text only (presence files, or a kind whose parser is not involved).
    Text,
    /// A YAML stream (Kubernetes, Istio, OpenAPI, pipelines are views over it).
    Yaml(yaml::Stream),
    /// A `.tf` file; its evaluated blocks are filled in by [`Project::build`].
    Terraform(crate::lang::terraform::TfFile),
    /// A `.tfvars` file.
    TfVars(crate::lang::terraform::TfFile),
    /// A `*.tftest.hcl` file.
    TfTest(crate::lang::terraform::TfFile),
    /// `.terraform.lock.hcl`.
    TfLock(crate::lang::terraform::TfFile),
    /// A JSON plan (`terraform show -json`); its resources become blocks of the Terraform
    /// index ([`terraform::plan`]).
    TfPlan(Box<crate::lang::terraform::plan::Plan>),
    /// Kubernetes (and Istio) objects of a YAML file.
    Kubernetes(crate::lang::k8s::Manifests),
    /// An OpenAPI / Swagger definition (YAML or JSON).
    OpenApi(crate::lang::openapi::Document),
    /// A CI pipeline (GitHub Actions workflow or action, Azure Pipelines): the YAML stream and
    /// its pipeline view.
    Pipeline(Box<pipeline::PipelineFile>),
    /// A Docker Compose file: its YAML and its services.
    Compose(Box<crate::lang::compose::ComposeFile>),
    /// A Dockerfile that parsed (one that did not is `Text` plus a PARSE001 error).
    Docker(docker::Dockerfile),
    /// A Python module (tree-sitter facts).
    Python(crate::lang::python::Module),
    /// A pip requirements/constraints file.
    Requirements(pip::Requirements),
    /// `pyproject.toml`.
    PyProject(pyproject::PyProject),
    /// `setup.cfg`, `tox.ini`, `pytest.ini`, `.flake8`.
    Ini(ini::Ini),
    Makefile(makefile::Makefile),
}

/// A suppression that a language found outside comments (e.g. a Kubernetes annotation);
/// it covers diagnostics inside `span`.
#[derive(Debug, Clone)]
pub struct ScopedSuppression {
    pub span: Span,
    /// Where the suppression is written (reported by LINEA001 when unused).
    pub at: Span,
    pub rules: Vec<String>,
    pub reason: Option<String>,
}

/// One file after reading and parsing.
#[derive(Debug)]
pub struct ParsedFile {
    pub source: SourceFile,
    pub kind: FileKind,
    pub env: Environment,
    pub model: Model,
    /// Syntax errors (PARSE001); the model holds what could be recovered.
    pub errors: Vec<ParseError>,
    /// Suppressions from the file's structure rather than its comments.
    pub scoped_suppressions: Vec<ScopedSuppression>,
    /// Whether the run reports on this file: false for the rest of the repository, read so
    /// that project rules see it whole when only some files are checked.
    pub reported: bool,
    /// Set when linea generated the file (a chart template rendered for one environment):
    /// its text exists nowhere on disk, and findings in it move to where its bytes came from.
    pub rendered: Option<Box<rendered::Rendered>>,
    /// A Python module whose parse waits for its file rules: the engine parses it on the worker
    /// that checks it and drops the model after, keeping the facts project rules read
    /// ([`Project::python_listeners`]). Its `model` is `Text` until then.
    pub parse_deferred: bool,
    /// The text was read, checked readable and let go (`source.text` is empty): the worker that
    /// checks the file reads it again, and so does the engine at the end for a file its
    /// findings are in. Set for Python modules on disk, whose texts are most of a large tree.
    pub text_on_disk: bool,
}

/// Parse one file's text according to its kind. Never panics.
pub fn parse(id: FileId, path: PathBuf, kind: FileKind, text: String, settings: &Settings) -> ParsedFile {
    let env = crate::semantic::environment::of_path(settings, &path);
    let source = SourceFile::new(id, path, text);
    let mut errors = Vec::new();
    let mut scoped_suppressions = Vec::new();
    let mut kind = kind;
    let model = match kind {
        FileKind::Yaml | FileKind::OpenApiJson => {
            let parsed = k8s::parse_yaml(&source, settings);
            errors.extend(parsed.errors);
            scoped_suppressions = parsed.suppressions;
            // YAML that is neither Kubernetes nor OpenAPI may be an Azure pipeline by its shape
            match parsed.model {
                Model::Yaml(stream) => match pipeline_of(&mut kind, &stream, &source) {
                    Some(p) => {
                        errors.extend(p.budget_errors());
                        Model::Pipeline(Box::new(pipeline::PipelineFile { stream, pipeline: p }))
                    }
                    None => Model::Yaml(stream),
                },
                other => other,
            }
        }
        FileKind::Compose => {
            let stream = yaml::parse(&source.text);
            errors.extend(stream.errors.iter().cloned());
            Model::Compose(Box::new(crate::lang::compose::from_stream(stream)))
        }
        FileKind::GithubWorkflow | FileKind::GithubAction | FileKind::AzurePipeline => {
            let stream = yaml::parse(&source.text);
            errors.extend(stream.errors.iter().cloned());
            match pipeline_of(&mut kind, &stream, &source) {
                Some(p) => {
                    errors.extend(p.budget_errors());
                    Model::Pipeline(Box::new(pipeline::PipelineFile { stream, pipeline: p }))
                }
                None => Model::Yaml(stream),
            }
        }
        FileKind::Terraform | FileKind::TfVars | FileKind::TerraformTest | FileKind::TerraformLock => {
            let (tf, errs) = crate::lang::terraform::parse(&source.text);
            errors.extend(errs);
            match kind {
                FileKind::Terraform => Model::Terraform(tf),
                FileKind::TerraformTest => Model::TfTest(tf),
                FileKind::TerraformLock => Model::TfLock(tf),
                _ => Model::TfVars(tf),
            }
        }
        // a JSON file that is not a plan by its content is skipped
        FileKind::TerraformPlan => match crate::lang::terraform::plan::parse(&source.text) {
            Some((plan, errs)) => {
                errors.extend(errs);
                Model::TfPlan(Box::new(plan))
            }
            None => Model::Text,
        },
        FileKind::Dockerfile => match docker::parse(&source.text) {
            Ok(d) => {
                errors.extend(d.budget_errors());
                Model::Docker(d)
            }
            // a generator's input (`Dockerfile-windows.template` with `{{ .version }}`) is not
            // a Dockerfile until rendered: what parses is linted, a placeholder that breaks the
            // syntax is not an error
            Err(_) if is_dockerfile_template(&source) => Model::Text,
            Err(e) => {
                errors.push(e);
                Model::Text
            }
        },
        FileKind::Python => {
            let m = crate::lang::python::parse(&source.text);
            errors.extend(m.errors.iter().cloned());
            Model::Python(m)
        }
        FileKind::Requirements => {
            let r = pip::parse(&source.text);
            errors.extend(r.errors.iter().cloned());
            Model::Requirements(r)
        }
        FileKind::PyProject => {
            let p = pyproject::parse(&source.text);
            errors.extend(p.errors.iter().cloned());
            Model::PyProject(p)
        }
        FileKind::SetupCfg | FileKind::ToxIni | FileKind::PytestIni => {
            let i = ini::parse(&source.text);
            errors.extend(i.errors.iter().cloned());
            Model::Ini(i)
        }
        FileKind::LintConfig if source.path.extension().is_none_or(|e| e != "toml") => {
            let i = ini::parse(&source.text);
            errors.extend(i.errors.iter().cloned());
            Model::Ini(i)
        }
        FileKind::Makefile => Model::Makefile(makefile::parse(&source.text)),
        _ => Model::Text,
    };
    ParsedFile {
        source,
        kind,
        env,
        model,
        errors,
        scoped_suppressions,
        reported: true,
        rendered: None,
        parse_deferred: false,
        text_on_disk: false,
    }
}

/// A file of the repository that no rule of the run reads: in the project by its path and
/// kind (existence checks, the count of files scanned), without text or model. Its
/// environment is left unknown rather than worked out from its path: the rules that declare
/// what they read are file rules of the kinds they read, so none looks at this file or
/// reports on it.
pub fn unread(id: FileId, path: PathBuf, kind: FileKind) -> ParsedFile {
    ParsedFile {
        source: SourceFile::new(id, path, String::new()),
        kind,
        env: Environment::Unknown,
        model: Model::Text,
        errors: Vec::new(),
        scoped_suppressions: Vec::new(),
        reported: true,
        rendered: None,
        parse_deferred: false,
        text_on_disk: false,
    }
}

/// What the models of a run keep of what they parsed: the parts no enabled rule reads are let go
/// as each file is parsed, so that they never add up over the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    /// The validation schemas of CustomResourceDefinitions ([`k8s::Manifests::forget_crd_schemas`]).
    pub crd_schemas: bool,
}

impl Keep {
    /// Everything parsed: for the language server, fixes and tests.
    pub const ALL: Keep = Keep { crd_schemas: true };

    /// Let go of what `model` need not keep.
    pub fn trim(self, model: &mut Model) {
        if let (false, Model::Kubernetes(m)) = (self.crd_schemas, model) {
            m.forget_crd_schemas();
        }
    }

    /// Let go of what the documents of `stream` need not keep (a renderer's output, before it
    /// is read as manifests).
    pub fn trim_stream(self, stream: &mut yaml::Stream) {
        if !self.crd_schemas {
            for d in &mut stream.documents {
                crate::lang::k8s::forget_crd_schemas(&mut d.root);
            }
        }
    }
}

/// A file read whole but not parsed yet: a Python module, parsed when its file rules run (see
/// [`ParsedFile::parse_deferred`]). Any other kind is parsed now. When `on_disk`, the module's
/// text is let go until then ([`ParsedFile::text_on_disk`]), except `setup.py`'s, which project
/// rules read as a manifest.
pub fn parse_later(
    id: FileId,
    path: PathBuf,
    kind: FileKind,
    text: String,
    settings: &Settings,
    on_disk: bool,
) -> ParsedFile {
    if kind != FileKind::Python {
        return parse(id, path, kind, text, settings);
    }
    let text_on_disk = on_disk && path.file_name().is_none_or(|n| n != "setup.py");
    let text = if text_on_disk { String::new() } else { text };
    let mut f = parse(id, path, FileKind::Unchecked, String::new(), settings);
    f.source = SourceFile::new(id, f.source.path.clone(), text);
    f.kind = kind;
    f.parse_deferred = true;
    f.text_on_disk = text_on_disk;
    f
}

/// The model of a file whose parse was deferred, parsed now from its text `source`, with its
/// syntax errors.
pub fn parse_deferred(f: &ParsedFile, source: &SourceFile) -> Option<(Model, Vec<ParseError>)> {
    if !f.parse_deferred {
        return None;
    }
    let m = crate::lang::python::parse(&source.text);
    let errors = m.errors.clone();
    Some((Model::Python(m), errors))
}

/// A Dockerfile template of a generator: named `*.template`/`*.tmpl`/`*.tpl`/`*.j2`/`*.jinja`
/// and containing `{{` placeholders.
fn is_dockerfile_template(source: &SourceFile) -> bool {
    let name = source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let templated = [".template", ".tmpl", ".tpl", ".j2", ".jinja", ".jinja2"]
        .iter()
        .any(|x| name.ends_with(x));
    templated && source.text.contains("{{")
}

/// The pipeline view of a CI file, or of a YAML document shaped like an Azure pipeline (which
/// then becomes an `AzurePipeline` file).
fn pipeline_of(
    kind: &mut FileKind,
    stream: &yaml::Stream,
    source: &SourceFile,
) -> Option<crate::lang::pipeline::Pipeline> {
    use crate::lang::{azure_pipelines, gha};
    let root = &stream.documents.first()?.root;
    if !root.is_map() {
        return None;
    }
    let stem = source
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    match kind {
        FileKind::GithubWorkflow => Some(gha::parse(root, &source.text, source.id, false)),
        FileKind::GithubAction => Some(gha::parse(root, &source.text, source.id, true)),
        FileKind::AzurePipeline => Some(azure_pipelines::parse(root, &source.text, source.id, &stem)),
        FileKind::Yaml if stream.documents.len() == 1 && azure_pipelines::is_pipeline(root) => {
            *kind = FileKind::AzurePipeline;
            Some(azure_pipelines::parse(root, &source.text, source.id, &stem))
        }
        _ => None,
    }
}

/// Everything scanned in one run, indexed for project-level rules.
#[derive(Debug, Default)]
pub struct Project {
    /// All parsed files, indexed by `FileId`.
    pub files: Vec<ParsedFile>,
    /// Kubernetes objects by kind, namespace, name and labels.
    pub k8s: k8s::Index,
    /// Python project roots and what belongs to each.
    pub python: python::PythonIndex,
    /// Terraform modules (directories of `*.tf`), evaluated per instance.
    pub terraform: Vec<terraform::TfModule>,
    /// JSON plans, their resources as blocks mapped to the modules' declarations.
    pub terraform_plans: Vec<terraform::plan::PlanIndex>,
    /// Pipeline files with their templates followed and every job read once.
    pub pipelines: pipeline::Index,
    /// The repository root: what project rules see (absolute).
    pub root: PathBuf,
    /// What exists on disk below the root, for existence checks of paths no scanned file has.
    pub fs: fs::RepoFs,
    /// The settings governing each file, by `FileId`.
    settings: Vec<Arc<Settings>>,
    /// The run's base settings (for files not in the table).
    base: Arc<Settings>,
    /// The Terraform module of each `.tf` file.
    terraform_files: std::collections::HashMap<FileId, usize>,
    /// Absolute paths of the scanned files and their directories, built on first use.
    paths: std::sync::OnceLock<PathIndex>,
    /// What the files say about each other, each index built once on first use.
    indexes: Indexes,
}

/// The project's derived indexes: immutable once built, looked up by key.
#[derive(Debug, Default)]
struct Indexes {
    registries: OnceLock<Vec<registry::Registry>>,
    builds: OnceLock<builds::Builds>,
    workloads: OnceLock<workloads::Workloads>,
    mesh: OnceLock<mesh::Mesh>,
    /// Files by their path as scanned, normalised (rendered files share their template's).
    by_path: OnceLock<std::collections::HashMap<PathBuf, Vec<FileId>>>,
    /// Files by the directory they configure, and by every directory above them.
    config: OnceLock<ConfigIndex>,
    steps: workloads::Steps,
    /// What each Python module whose model was dropped after its file rules listens on.
    python_listeners: OnceLock<std::collections::HashMap<FileId, Vec<crate::semantic::port::Listener>>>,
}

/// Files by directory: what a Python root's configuration is looked up in.
#[derive(Debug, Default)]
struct ConfigIndex {
    /// By the directory a file configures ([`base_dir`]), absolute and normalised.
    by_base_dir: std::collections::HashMap<PathBuf, Vec<FileId>>,
    /// By every directory above a file, and by the file's own path (absolute, normalised): the
    /// files below it.
    below: std::collections::HashMap<PathBuf, Vec<FileId>>,
}

/// The directory a file configures: the repository for `.github/workflows/*`, else its own.
pub fn base_dir(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new(""));
    if dir.ends_with(".github/workflows") {
        return dir
            .parent()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""))
            .to_path_buf();
    }
    dir.to_path_buf()
}

/// A path made absolute (against the working directory) and normalised, without touching
/// the file system: how files of different inputs are compared.
pub fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    if crate::config::is_clean_absolute(p) {
        return p.to_path_buf();
    }
    crate::semantic::path::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// The scanned files and every directory above them, as absolute normalised paths: what
/// cross-file rules look paths up in.
#[derive(Debug, Default)]
pub struct PathIndex {
    pub files: std::collections::HashSet<std::path::PathBuf>,
    pub dirs: std::collections::HashSet<std::path::PathBuf>,
}

impl Project {
    /// Build the index over parsed files (whose ids are their positions), one set of settings
    /// for all.
    pub fn build(files: Vec<ParsedFile>, settings: &Settings) -> Project {
        Project::build_with(files, &Configs::single(settings.clone()))
    }

    /// Build the index over parsed files, each governed by its nearest config.
    pub fn build_with(files: Vec<ParsedFile>, configs: &Configs) -> Project {
        Project::build_reading(files, configs, true)
    }

    /// [`Project::build_with`], with the Terraform index only when `terraform`: a run none of
    /// whose rules reads Terraform has not read its `.tf` files, whose modules would have no
    /// blocks.
    pub fn build_reading(mut files: Vec<ParsedFile>, configs: &Configs, terraform: bool) -> Project {
        let settings: &Settings = &configs.base;
        let pipelines = pipeline::Index::build(&files, |path| configs.for_path(path));
        let terraform = if terraform {
            terraform::build(&mut files, settings)
        } else {
            Vec::new()
        };
        let terraform_files = terraform
            .iter()
            .enumerate()
            .flat_map(|(i, m)| m.files.iter().map(move |f| (*f, i)))
            .collect();
        let terraform_plans = terraform::plan::build(&files, &terraform, settings);
        let k8s = k8s::Index::build(&mut files, settings);
        // each file's absolute path, made once for the indexes that compare paths
        let abs: Vec<PathBuf> = files.iter().map(|f| absolute(&f.source.path)).collect();
        let python = python::PythonIndex::build_from(&files, &abs);
        let per_file = files.iter().map(|f| configs.for_path(&f.source.path).clone()).collect();
        let root = absolute(&configs.root);
        Project {
            files,
            terraform,
            terraform_plans,
            pipelines,
            terraform_files,
            k8s,
            python,
            fs: fs::RepoFs::new(root.clone(), abs),
            root,
            settings: per_file,
            base: configs.base.clone(),
            paths: std::sync::OnceLock::new(),
            indexes: Indexes::default(),
        }
    }

    /// The settings that govern a file: those of the nearest config above it.
    pub fn settings_of(&self, id: FileId) -> &Arc<Settings> {
        self.settings.get(id.0 as usize).unwrap_or(&self.base)
    }

    /// Whether a path (absolute, normalised) exists: a scanned file or directory, else what
    /// the file system says below the repository root. Paths outside the root are taken to
    /// exist: linea does not look there, and an unknown never triggers a rule.
    pub fn exists(&self, abs: &Path) -> bool {
        let index = self.paths();
        index.files.contains(abs) || index.dirs.contains(abs) || self.fs.exists(abs)
    }

    /// Whether a path (absolute, normalised) is a file.
    pub fn is_file(&self, abs: &Path) -> bool {
        self.paths().files.contains(abs) || self.fs.is_file(abs)
    }

    /// Whether a path (absolute, normalised) is a directory.
    pub fn is_dir(&self, abs: &Path) -> bool {
        self.paths().dirs.contains(abs) || self.fs.is_dir(abs)
    }

    /// Absolute paths of the scanned files and their directories.
    pub fn paths(&self) -> &PathIndex {
        self.paths.get_or_init(|| {
            let mut index = PathIndex::default();
            for f in &self.files {
                let p = absolute(&f.source.path);
                let mut d = p.parent();
                while let Some(x) = d {
                    if !index.dirs.insert(x.to_path_buf()) {
                        break;
                    }
                    d = x.parent();
                }
                index.files.insert(p);
            }
            index
        })
    }

    /// The index of a JSON plan file.
    pub fn terraform_plan(&self, file: FileId) -> Option<&terraform::plan::PlanIndex> {
        self.terraform_plans.iter().find(|p| p.file == file)
    }

    /// The Terraform module a `.tf` file belongs to.
    pub fn terraform_module(&self, file: FileId) -> Option<&terraform::TfModule> {
        self.terraform.get(*self.terraform_files.get(&file)?)
    }

    /// The files whose path, as scanned and normalised, is `path` (normalised the same way):
    /// one, or several when charts were rendered at their template's path.
    pub fn files_at(&self, path: &Path) -> &[FileId] {
        let index = self.indexes.by_path.get_or_init(|| {
            let mut m: std::collections::HashMap<PathBuf, Vec<FileId>> = std::collections::HashMap::new();
            for f in &self.files {
                m.entry(crate::semantic::path::normalize(&f.source.path))
                    .or_default()
                    .push(f.source.id);
            }
            m
        });
        self.indexes.steps.add(1);
        index.get(path).map(Vec::as_slice).unwrap_or_default()
    }

    /// The files below directory `dir` (absolute, normalised) and those that configure `dir`
    /// or a directory above it (`base_dir` of their absolute path), in file order.
    pub fn files_configuring(&self, dir: &Path) -> Vec<FileId> {
        let index = self.indexes.config.get_or_init(|| {
            let mut index = ConfigIndex::default();
            for f in &self.files {
                let abs = absolute(&f.source.path);
                index.by_base_dir.entry(base_dir(&abs)).or_default().push(f.source.id);
                for d in abs.ancestors() {
                    index.below.entry(d.to_path_buf()).or_default().push(f.source.id);
                }
            }
            index
        });
        let mut out: Vec<FileId> = index.below.get(dir).cloned().unwrap_or_default();
        for d in dir.ancestors() {
            self.indexes.steps.add(1);
            out.extend(index.by_base_dir.get(d).into_iter().flatten());
        }
        self.indexes.steps.add(out.len() as u64);
        out.sort_unstable_by_key(|id| id.0);
        out.dedup();
        out
    }

    /// Work the project's indexes did in lookups so far: a count tests compare between
    /// repositories of different sizes (linear growth), never a time.
    #[doc(hidden)]
    pub fn lookup_steps(&self) -> u64 {
        self.indexes.steps.get()
            + self.k8s.steps()
            + self.indexes.workloads.get().map_or(0, workloads::Workloads::steps)
            + self.indexes.mesh.get().map_or(0, mesh::Mesh::steps)
    }

    /// The ports a Python module's code listens on: read from its model, or kept for it when
    /// the model was dropped after its file rules.
    pub fn python_listeners(&self, f: &ParsedFile) -> Vec<crate::semantic::port::Listener> {
        match &f.model {
            Model::Python(m) => crate::semantic::port::python_listeners(m),
            _ => self
                .indexes
                .python_listeners
                .get()
                .and_then(|m| m.get(&f.source.id))
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// Let go of every file's model and of the indexes built over them. What a report reads
    /// stays: each file's text, syntax errors, suppressions and rendering, and the settings.
    pub fn let_models_go(&mut self) {
        use rayon::prelude::*;
        // in parallel: a model is mostly freed by the thread that allocated it
        self.files.par_iter_mut().for_each(|f| f.model = Model::Text);
        self.k8s = k8s::Index::default();
        self.python = python::PythonIndex::default();
        self.terraform = Vec::new();
        self.terraform_plans = Vec::new();
        self.pipelines = pipeline::Index::default();
        self.indexes = Indexes::default();
    }

    /// Keep what the Python modules checked without a model in the project listen on (once,
    /// by the engine, after the file rules).
    pub fn keep_python_listeners(
        &self,
        listeners: std::collections::HashMap<FileId, Vec<crate::semantic::port::Listener>>,
    ) {
        let _ = self.indexes.python_listeners.set(listeners);
    }

    pub fn file(&self, id: FileId) -> Option<&ParsedFile> {
        self.files.get(id.0 as usize)
    }

    pub fn files_of(&self, kind: FileKind) -> impl Iterator<Item = &ParsedFile> {
        self.files.iter().filter(move |f| f.kind == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dockerfile(path: &str, text: &str) -> ParsedFile {
        parse(
            FileId(0),
            path.into(),
            FileKind::Dockerfile,
            text.to_string(),
            &Settings::default(),
        )
    }

    #[test]
    fn a_generator_template_is_not_a_syntax_error_but_a_broken_dockerfile_is() {
        let text = "FROM mcr.microsoft.com/windows/{{ env.windowsVariant }}:{{ env.windowsRelease }}\nRUN echo hi\n";
        assert!(dockerfile("Dockerfile-windows.template", text).errors.is_empty());
        assert_eq!(dockerfile("Dockerfile", text).errors.len(), 1);
        let parsable = "FROM python:3.12-slim\nENV PYTHON_VERSION {{ .version }}\nRUN pip install flask\n";
        assert!(matches!(
            dockerfile("Dockerfile.template", parsable).model,
            Model::Docker(_)
        ));
    }
}
