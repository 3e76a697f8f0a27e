//! Finding the files to scan and telling what each one is.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
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
    Python,
    Requirements,
    PyProject,
    SetupCfg,
    SetupPy,
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
    /// Any other YAML: Kubernetes, Istio, OpenAPI, compose, or nothing we know (decided by content).
    Yaml,
    /// OpenAPI/Swagger in JSON.
    OpenApiJson,
    /// Files that matter only by their presence (`.env`, `*.pem`, `*.tfstate`, ...).
    Sensitive,
    /// Python linter configuration that is its own file (`ruff.toml`, `.flake8`, `.pylintrc`).
    LintConfig,
    /// Python dependency lock files (`poetry.lock`, `uv.lock`, `Pipfile.lock`, `pdm.lock`).
    LockFile,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Dockerignore => "dockerignore",
            FileKind::Terraform => "terraform",
            FileKind::TfVars => "tfvars",
            FileKind::Python => "python",
            FileKind::Requirements => "requirements",
            FileKind::PyProject => "pyproject",
            FileKind::SetupCfg => "setup-cfg",
            FileKind::SetupPy => "setup-py",
            FileKind::ToxIni => "tox-ini",
            FileKind::PytestIni => "pytest-ini",
            FileKind::Pipfile => "pipfile",
            FileKind::Makefile => "makefile",
            FileKind::GithubWorkflow => "github-workflow",
            FileKind::GithubAction => "github-action",
            FileKind::AzurePipeline => "azure-pipeline",
            FileKind::Yaml => "yaml",
            FileKind::OpenApiJson => "openapi-json",
            FileKind::Sensitive => "sensitive",
            FileKind::LintConfig => "lint-config",
            FileKind::LockFile => "lock-file",
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
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_string());
    let grandparent = path
        .parent()
        .and_then(|p| p.parent())
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_string());
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
    if lower.ends_with(".py") || lower.ends_with(".pyi") {
        return Some(FileKind::Python);
    }
    if (lower.starts_with("requirements") || lower.starts_with("constraints"))
        && (lower.ends_with(".txt") || lower.ends_with(".in"))
        || (parent.as_deref() == Some("requirements") && lower.ends_with(".txt"))
    {
        return Some(FileKind::Requirements);
    }
    match lower.as_str() {
        "pyproject.toml" => return Some(FileKind::PyProject),
        "setup.cfg" => return Some(FileKind::SetupCfg),
        "setup.py" => return Some(FileKind::SetupPy),
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
        if parent.as_deref() == Some("workflows") && grandparent.as_deref() == Some(".github") {
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
        return Some(FileKind::Yaml);
    }
    if lower.ends_with(".json") && (lower.contains("openapi") || lower.contains("swagger")) {
        return Some(FileKind::OpenApiJson);
    }
    None
}

/// One input to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub path: PathBuf,
    pub kind: FileKind,
}

/// Walk `roots` (directories or files) and return the classified files, sorted.
///
/// Directories honour `.gitignore` (also outside a git repository), include hidden directories
/// such as `.github`, skip `.git`, and never follow symlinks. Explicit file paths are taken even
/// when ignored; an explicit file of unknown kind is skipped.
pub fn discover(roots: &[PathBuf], settings: &Settings, excludes: &globset::GlobSet) -> Vec<Input> {
    let mut out = Vec::new();
    for root in roots {
        if root.is_file() {
            if let Some(kind) = classify(root) {
                out.push(Input {
                    path: root.clone(),
                    kind,
                });
            }
            continue;
        }
        let walker = WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.into_path();
            let rel = path.strip_prefix(root).unwrap_or(&path);
            if excludes.is_match(rel) || excludes.is_match(&path) || settings.is_excluded(&path) {
                continue;
            }
            if let Some(kind) = classify(&path) {
                out.push(Input { path, kind });
            }
        }
    }
    out.sort();
    out.dedup();
    out
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
        assert_eq!(c("requirements-dev.txt"), Some(FileKind::Requirements));
        assert_eq!(c("README.md"), None);
    }
}
