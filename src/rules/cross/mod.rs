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

pub use crate::project::builds::{bases, Build};
pub use crate::semantic::path::literal;

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
