//! Cross-artifact rules: the repository as one system (pipelines, Dockerfiles, manifests,
//! Terraform and Python source checked against each other).

pub mod copy_source_missing;
pub mod pipeline_path_missing;

use std::path::{Path, PathBuf};

use crate::lang::pipeline::System;
use crate::project::pipeline::normalize;

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
