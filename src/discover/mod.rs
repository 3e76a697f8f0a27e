//! Finding the files to scan and telling what each one is.

pub mod ignores;
pub mod read;

use std::path::{Path, PathBuf};

use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use serde::Serialize;

use crate::config::Settings;

/// What a file is, decided by its name first and, for YAML, by its content after parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Dockerfile,
    Dockerignore,
    Terraform,
    TfVars,
    /// Terraform's own tests (`*.tftest.hcl`).
    TerraformTest,
    /// `.terraform.lock.hcl`: the provider versions a root was initialised with.
    TerraformLock,
    /// A JSON plan (`terraform show -json`): `*plan*.json` in walks, any `.json` named on the
    /// command line; what is not a plan by its content is skipped.
    TerraformPlan,
    Python,
    Requirements,
    PyProject,
    SetupCfg,
    ToxIni,
    PytestIni,
    Pipfile,
    Makefile,
    /// GitHub Actions workflow (`.github/workflows/*.yml`, `*.gha.yml`).
    GithubWorkflow,
    /// Composite action metadata (`action.yml`).
    GithubAction,
    /// Azure Pipelines definition (by name; content-classified YAML also becomes one).
    AzurePipeline,
    /// Docker Compose (`docker-compose*.yml`, `compose*.yaml`, `*.compose.yml`).
    Compose,
    /// Any other YAML: Kubernetes, Istio, OpenAPI, or nothing we know (decided by content).
    Yaml,
    /// OpenAPI/Swagger in JSON.
    OpenApiJson,
    /// Files that matter only by their presence (`.env`, `*.pem`, `*.tfstate`, ...).
    Sensitive,
    /// Python linter configuration that is its own file (`ruff.toml`, `.flake8`, `.pylintrc`).
    LintConfig,
    /// Python dependency lock files (`poetry.lock`, `uv.lock`, `Pipfile.lock`, `pdm.lock`).
    LockFile,
    /// What linea reads but does not check (an ignore file), or could not read at all (a
    /// directory, a FIFO): carried only so that a problem with it is reported where it is.
    Unchecked,
}

impl FileKind {
    /// Every kind, so that tests (the parser fuzz test) cover kinds added later.
    /// A kind added to the enum must be added here; `all_is_complete` checks it.
    pub const ALL: &'static [FileKind] = &[
        FileKind::Dockerfile,
        FileKind::Dockerignore,
        FileKind::Terraform,
        FileKind::TfVars,
        FileKind::TerraformTest,
        FileKind::TerraformLock,
        FileKind::TerraformPlan,
        FileKind::Python,
        FileKind::Requirements,
        FileKind::PyProject,
        FileKind::SetupCfg,
        FileKind::ToxIni,
        FileKind::PytestIni,
        FileKind::Pipfile,
        FileKind::Makefile,
        FileKind::GithubWorkflow,
        FileKind::GithubAction,
        FileKind::AzurePipeline,
        FileKind::Compose,
        FileKind::Yaml,
        FileKind::OpenApiJson,
        FileKind::Sensitive,
        FileKind::LintConfig,
        FileKind::LockFile,
        FileKind::Unchecked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Dockerignore => "dockerignore",
            FileKind::Terraform => "terraform",
            FileKind::TfVars => "tfvars",
            FileKind::TerraformTest => "terraform-test",
            FileKind::TerraformLock => "terraform-lock",
            FileKind::TerraformPlan => "terraform-plan",
            FileKind::Python => "python",
            FileKind::Requirements => "requirements",
            FileKind::PyProject => "pyproject",
            FileKind::SetupCfg => "setup-cfg",
            FileKind::ToxIni => "tox-ini",
            FileKind::PytestIni => "pytest-ini",
            FileKind::Pipfile => "pipfile",
            FileKind::Makefile => "makefile",
            FileKind::GithubWorkflow => "github-workflow",
            FileKind::GithubAction => "github-action",
            FileKind::AzurePipeline => "azure-pipeline",
            FileKind::Compose => "compose",
            FileKind::Yaml => "yaml",
            FileKind::OpenApiJson => "openapi-json",
            FileKind::Sensitive => "sensitive",
            FileKind::LintConfig => "lint-config",
            FileKind::LockFile => "lock-file",
            FileKind::Unchecked => "unchecked",
        }
    }

    /// Whether a `#` comment may follow code on the same line (Dockerfiles: no).
    pub fn trailing_comments(self) -> bool {
        !matches!(self, FileKind::Dockerfile)
    }
}

/// Classify a path by its name; `None` means "not ours, skip silently".
pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_string_lossy();
    let lower = name.to_ascii_lowercase();
    // the directories' names matter to a few kinds only: looked up when one asks
    let parent = || path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy());
    let grandparent = || {
        path.parent()
            .and_then(|p| p.parent())
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy())
    };
    let is_yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");

    if lower == "dockerfile"
        || lower.ends_with(".dockerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("dockerfile-")
        || lower.starts_with("containerfile")
    {
        // `Dockerfile.template`-style generator inputs are still Dockerfiles; `Dockerfile.md` is not
        let not_docker = [".md", ".txt", ".json", ".yml", ".yaml", ".sh", ".py", ".rst"]
            .iter()
            .any(|x| lower.ends_with(x));
        if !not_docker {
            return Some(FileKind::Dockerfile);
        }
    }
    if lower == ".dockerignore" || lower.ends_with(".dockerignore") {
        return Some(FileKind::Dockerignore);
    }
    if lower.ends_with(".tf") {
        return Some(FileKind::Terraform);
    }
    if lower.ends_with(".tfvars") {
        return Some(FileKind::TfVars);
    }
    if lower.ends_with(".tftest.hcl") {
        return Some(FileKind::TerraformTest);
    }
    if lower == ".terraform.lock.hcl" {
        return Some(FileKind::TerraformLock);
    }
    if lower.ends_with(".json") && lower.contains("plan") {
        return Some(FileKind::TerraformPlan);
    }
    if lower.ends_with(".py") || lower.ends_with(".pyi") {
        return Some(FileKind::Python);
    }
    if (lower.starts_with("requirements") || lower.starts_with("constraints"))
        && (lower.ends_with(".txt") || lower.ends_with(".in"))
        || (lower.ends_with(".txt") && parent().as_deref() == Some("requirements"))
    {
        return Some(FileKind::Requirements);
    }
    match lower.as_str() {
        "pyproject.toml" => return Some(FileKind::PyProject),
        "setup.cfg" => return Some(FileKind::SetupCfg),
        "tox.ini" => return Some(FileKind::ToxIni),
        "pytest.ini" => return Some(FileKind::PytestIni),
        "pipfile" => return Some(FileKind::Pipfile),
        "makefile" | "gnumakefile" => return Some(FileKind::Makefile),
        "ruff.toml" | ".ruff.toml" | ".flake8" | ".pylintrc" | "pylintrc" => return Some(FileKind::LintConfig),
        "poetry.lock" | "uv.lock" | "pipfile.lock" | "pdm.lock" => return Some(FileKind::LockFile),
        _ => {}
    }
    if lower.ends_with(".tfstate")
        || lower.ends_with(".tfstate.backup")
        || lower.ends_with(".tfplan")
        || lower == "tfplan"
        || lower == ".env"
        || lower.starts_with(".env.")
        || lower.ends_with(".pem")
        || lower.ends_with(".pfx")
        || lower.ends_with(".p12")
        || lower.ends_with(".key")
        || lower == "id_rsa"
        || lower == "id_ed25519"
        || lower == "id_ecdsa"
        || lower == "kubeconfig"
    {
        // `.env.example` and `.env.sample` are templates, not secrets; the layout rule decides
        return Some(FileKind::Sensitive);
    }
    if is_yaml {
        if parent().as_deref() == Some("workflows") && grandparent().as_deref() == Some(".github") {
            return Some(FileKind::GithubWorkflow);
        }
        if lower.ends_with(".gha.yml") || lower.ends_with(".gha.yaml") {
            return Some(FileKind::GithubWorkflow);
        }
        if lower == "action.yml" || lower == "action.yaml" {
            return Some(FileKind::GithubAction);
        }
        if lower.starts_with("azure-pipelines")
            || lower.ends_with(".azure-pipelines.yml")
            || lower.ends_with(".azure-pipelines.yaml")
        {
            return Some(FileKind::AzurePipeline);
        }
        if is_compose_name(&lower) {
            return Some(FileKind::Compose);
        }
        return Some(FileKind::Yaml);
    }
    if lower.ends_with(".json") && (lower.contains("openapi") || lower.contains("swagger")) {
        return Some(FileKind::OpenApiJson);
    }
    None
}

/// `docker-compose.yml`, `docker-compose.prod.yaml`, `compose.yaml`, `compose-dev.yml`,
/// `orders.compose.yml` (lower-case name with its YAML extension); not `composer.yml`.
fn is_compose_name(lower: &str) -> bool {
    let stem = lower
        .strip_suffix(".yml")
        .or_else(|| lower.strip_suffix(".yaml"))
        .unwrap_or(lower);
    let starts = |prefix: &str| {
        stem.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
    };
    starts("docker-compose") || starts("compose") || stem.ends_with(".compose") || stem.ends_with(".docker-compose")
}

/// Directories that tools create and nobody reviews: version control internals, virtual
/// environments, caches, installed dependencies. Skipped in walks even when no `.gitignore`
/// lists them; naming one on the command line still checks it.
pub const TOOL_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".terraform",
    ".terragrunt-cache",
    "node_modules",
    "site-packages",
    "__pycache__",
    "__pypackages__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".eggs",
];

fn is_tool_dir(name: &std::ffi::OsStr) -> bool {
    TOOL_DIRS.iter().any(|d| name == *d)
}

/// One input to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub path: PathBuf,
    pub kind: FileKind,
}

/// What a walk found: the files to scan, and what it could not read or apply.
#[derive(Debug, Default)]
pub struct Discovery {
    pub inputs: Vec<Input>,
    /// Ignore files not applied, directories not read, special files named like files linea
    /// checks: each is reported (PARSE002, or PARSE004 over a budget), never skipped silently.
    pub problems: Vec<Problem>,
}

/// A file or directory the walk could not read or use, with where to report it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub path: PathBuf,
    /// The file's text when it could be read (so that the finding has its real line), else empty.
    pub text: String,
    pub span: crate::source::Span,
    pub message: String,
    /// Over a budget (PARSE004) rather than unreadable (PARSE002).
    pub budget: bool,
}

impl Problem {
    fn new(path: &Path, message: String) -> Problem {
        Problem {
            path: path.to_path_buf(),
            text: String::new(),
            span: crate::source::Span::empty(0),
            message,
            budget: false,
        }
    }

    /// A file over a budget (PARSE004) at its first byte.
    pub fn over_budget(path: &Path, message: String) -> Problem {
        let mut p = Problem::new(path, message);
        p.budget = true;
        p
    }

    fn refused(path: &Path, what: &str, r: &read::Refusal) -> Problem {
        let mut p = Problem::new(path, format!("{what} {r}"));
        p.budget = r.is_budget();
        p
    }
}

/// [`walk`], keeping the files only (tests and fixtures, where nothing is hostile).
pub fn discover(roots: &[PathBuf], settings: &Settings, excludes: &globset::GlobSet, threads: usize) -> Vec<Input> {
    walk(roots, settings, excludes, threads).inputs
}

/// Walk `roots` (directories or files) and return the classified files, sorted.
///
/// Directories honour `.gitignore`, `.ignore` and `.git/info/exclude` (also outside a git
/// repository), include hidden directories such as `.github`, skip `.git` and the other
/// [`TOOL_DIRS`], and never follow a symlink met during the walk (a link out of the root is
/// not part of the repository; a link inside it points at files the walk reaches by their real
/// path). Ignore files are read by linea, bounded ([`ignores`]): one that is not a regular
/// file inside the repository, or is over its budgets, is not applied and is reported. Explicit
/// file paths are taken even when git-ignored, but not when they match an exclude glob; an
/// explicit file of unknown kind is skipped. Excludes match paths relative to the walked root
/// (`--exclude`) or to the config file (`exclude`), as written or at any depth below (`vendor`
/// excludes every `vendor` directory).
///
/// `threads` bounds the walker like `--threads` bounds the rayon pool: `0` lets the walker
/// choose (one per core), `1` walks on the calling thread and starts none.
pub fn walk(roots: &[PathBuf], settings: &Settings, excludes: &globset::GlobSet, threads: usize) -> Discovery {
    let mut out = Discovery::default();
    for root in roots {
        let excluded = {
            let settings = settings.clone();
            let excludes = excludes.clone();
            let root = root.clone();
            move |path: &Path| {
                // an explicit file is matched as written on the command line (the path made
                // relative only when there is a glob to match: this runs for every entry)
                let by_glob = || {
                    let rel = match path.strip_prefix(&root) {
                        Ok(r) if !r.as_os_str().is_empty() => r,
                        _ => path,
                    };
                    excludes.is_match(rel)
                };
                (!excludes.is_empty() && by_glob()) || settings.is_excluded(path)
            }
        };
        if root.is_file() {
            if excluded(root) {
                continue;
            }
            // a JSON file named on the command line may be a plan whatever its name
            let json = root.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
            if let Some(kind) = classify(root).or(json.then_some(FileKind::TerraformPlan)) {
                out.inputs.push(Input {
                    path: root.clone(),
                    kind,
                });
            }
            continue;
        }
        let rules = std::sync::Arc::new(ignores::Ignores::new(root));
        let mut builder = WalkBuilder::new(root);
        let filter_rules = rules.clone();
        builder
            .hidden(false)
            // ignore files are linea's to read (bounded, vetted), not the walker's
            .ignore(false)
            .git_ignore(false)
            .git_global(false)
            .git_exclude(false)
            .parents(false)
            .require_git(false)
            .follow_links(false)
            .threads(threads)
            .filter_entry(move |e| {
                e.depth() == 0
                    || !(e.file_name() == ".git"
                        || (e.file_type().is_some_and(|t| t.is_dir()) && is_tool_dir(e.file_name()))
                        || excluded(e.path())
                        || filter_rules.ignored(e.path(), e.file_type().is_some_and(|t| t.is_dir())))
            });
        let found = Mutex::new(Vec::new());
        let problems = Mutex::new(Vec::new());
        let visit = |entry: Result<ignore::DirEntry, ignore::Error>| {
            let r = match entry {
                Ok(e) => classified(e),
                Err(e) => Some(Err(walk_problem(root, &e))),
            };
            match r {
                Some(Ok(input)) => found.lock().map(|mut v| v.push(input)).unwrap_or_default(),
                Some(Err(p)) => problems.lock().map(|mut v| v.push(p)).unwrap_or_default(),
                None => {}
            }
        };
        if threads == 1 {
            builder.build().for_each(visit);
        } else {
            builder.build_parallel().run(|| {
                Box::new(|entry| {
                    visit(entry);
                    WalkState::Continue
                })
            });
        }
        out.inputs.extend(found.into_inner().unwrap_or_default());
        out.problems.extend(problems.into_inner().unwrap_or_default());
        out.problems.extend(rules.problems());
    }
    // by a key made once per file rather than by comparing paths component by component
    out.inputs.sort_by_cached_key(|i| (order_key(&i.path), i.kind));
    out.inputs.dedup();
    out.problems.sort();
    out.problems.dedup();
    out
}

/// Bytes that sort as `path` does among paths (`Path`'s order compares components, each by
/// kind and then by its bytes): each component as a tag for its kind, its bytes, and a 0 that
/// ends it (a file name has no 0 byte). Paths equal as paths (`a//b`, `a/b`) get the same key.
fn order_key(path: &Path) -> Vec<u8> {
    use std::path::Component;
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    // a path of plain names (what walks yield) is cut at its `/`s rather than parsed
    if cfg!(unix) && crate::config::plain_components(path, false) {
        let bytes = path.as_os_str().as_encoded_bytes();
        let names = match bytes.strip_prefix(b"/") {
            Some(rest) => {
                key.extend_from_slice(&[2, 0]);
                rest
            }
            None => bytes,
        };
        for name in names.split(|b| *b == b'/') {
            key.push(5);
            key.extend_from_slice(name);
            key.push(0);
        }
        return key;
    }
    for c in path.components() {
        match c {
            Component::Prefix(p) => {
                key.push(1);
                key.extend_from_slice(p.as_os_str().as_encoded_bytes());
            }
            Component::RootDir => key.push(2),
            Component::CurDir => key.push(3),
            Component::ParentDir => key.push(4),
            Component::Normal(n) => {
                key.push(5);
                key.extend_from_slice(n.as_encoded_bytes());
            }
        }
        key.push(0);
    }
    key
}

/// The input a walked entry is, when it is a file of a kind linea checks; a special file
/// named like one is a problem (a FIFO named `Dockerfile` would block the read).
fn classified(entry: ignore::DirEntry) -> Option<Result<Input, Problem>> {
    let t = entry.file_type()?;
    if t.is_dir() || t.is_symlink() {
        return None;
    }
    let kind = classify(entry.path())?;
    if !t.is_file() {
        let what = read::read_bytes(entry.path(), 0, None).err()?;
        return Some(Err(Problem::refused(entry.path(), "file", &what)));
    }
    Some(Ok(Input {
        path: entry.into_path(),
        kind,
    }))
}

/// A walk error (a directory that cannot be read, a path too long) as a problem at its path.
fn walk_problem(root: &Path, e: &ignore::Error) -> Problem {
    fn path_of(e: &ignore::Error) -> Option<&Path> {
        match e {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => path_of(err),
            ignore::Error::Partial(errs) => errs.iter().find_map(path_of),
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    fn io_of(e: &ignore::Error) -> String {
        match e {
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => io_of(err),
            other => other.to_string(),
        }
    }
    let path = path_of(e).unwrap_or(root);
    let what = if path.is_dir() { "directory" } else { "entry" };
    Problem::new(path, format!("{what} cannot be read: {}; not checked", io_of(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_name() {
        let c = |p: &str| classify(Path::new(p));
        assert_eq!(c("svc/Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(c("prod.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(c("Dockerfile.dev"), Some(FileKind::Dockerfile));
        assert_eq!(c("fail.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(c("Dockerfile.md"), None);
        assert_eq!(c("main.tf"), Some(FileKind::Terraform));
        assert_eq!(c(".github/workflows/ci.yml"), Some(FileKind::GithubWorkflow));
        assert_eq!(c("fail.gha.yml"), Some(FileKind::GithubWorkflow));
        assert_eq!(c("azure-pipelines.yml"), Some(FileKind::AzurePipeline));
        assert_eq!(c("k8s/deploy.yaml"), Some(FileKind::Yaml));
        for compose in [
            "docker-compose.yml",
            "deploy/docker-compose.prod.yaml",
            "compose.yaml",
            "compose-dev.yml",
            "orders.compose.yml",
            "fail.docker-compose.yml",
        ] {
            assert_eq!(c(compose), Some(FileKind::Compose), "{compose}");
        }
        assert_eq!(c("composer.yml"), Some(FileKind::Yaml));
        assert_eq!(c(".github/workflows/compose.yml"), Some(FileKind::GithubWorkflow));
        assert_eq!(c("requirements-dev.txt"), Some(FileKind::Requirements));
        assert_eq!(c("README.md"), None);
    }

    #[test]
    fn inputs_sort_by_key_as_paths_do() {
        let paths = [
            "a/b", "a-b", "a", "a/b/c", "a.b", "./a", ".a", "../x", ".-a", "/abs/z", "/abs", "a//b", "b/", "b", "ab",
            "a/b.c", "a/bc",
        ];
        for x in paths {
            for y in paths {
                let (x, y) = (Path::new(x), Path::new(y));
                assert_eq!(order_key(x).cmp(&order_key(y)), x.cmp(y), "{x:?} vs {y:?}");
            }
        }
    }

    #[test]
    fn all_is_complete() {
        // a new variant makes this match non-exhaustive: add it here and to `FileKind::ALL`
        for k in FileKind::ALL {
            match k {
                FileKind::Dockerfile
                | FileKind::Dockerignore
                | FileKind::Terraform
                | FileKind::TfVars
                | FileKind::TerraformTest
                | FileKind::TerraformLock
                | FileKind::TerraformPlan
                | FileKind::Python
                | FileKind::Requirements
                | FileKind::PyProject
                | FileKind::SetupCfg
                | FileKind::ToxIni
                | FileKind::PytestIni
                | FileKind::Pipfile
                | FileKind::Makefile
                | FileKind::GithubWorkflow
                | FileKind::GithubAction
                | FileKind::AzurePipeline
                | FileKind::Compose
                | FileKind::Yaml
                | FileKind::OpenApiJson
                | FileKind::Sensitive
                | FileKind::LintConfig
                | FileKind::LockFile
                | FileKind::Unchecked => {}
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        assert!(FileKind::ALL.iter().all(|k| seen.insert(k.as_str())));
        assert_eq!(seen.len(), 25, "FileKind::ALL must list every variant once");
    }
}
