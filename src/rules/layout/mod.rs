//! LAY: Python project layout rules, one check per Python project root
//! ([`crate::project::python::PyRoot`]). Findings about something missing point at the root's
//! marker file (`pyproject.toml`'s `[project]` header, or the first line of `setup.cfg`,
//! `setup.py`, `requirements.txt`) and name what is missing.

pub mod committed_secret_file;
pub mod makefile_targets;
pub mod missing_ci_tests;
pub mod missing_conftest;
pub mod missing_dependency_manifest;
pub mod missing_dev_prod_images;
pub mod missing_dockerignore;
pub mod missing_lint_config;
pub mod missing_main_module;
pub mod missing_package;
pub mod missing_pytest_config;
pub mod missing_tests;
pub mod test_deps_in_runtime;
pub mod unpinned_requirement;

use crate::project::python::PyRoot;
use crate::project::{ParsedFile, Project};
use crate::rules::ProjectContext;

/// The files that belong to a root (nearest root).
pub fn root_files<'a>(project: &'a Project, root: &'a PyRoot) -> impl Iterator<Item = &'a ParsedFile> + 'a {
    root.files.iter().filter_map(|id| project.file(*id))
}

/// Files that configure a root: its own, plus those in its ancestor directories (tool
/// configuration is found by walking up, and a monorepo shares CI at its top).
/// (Looked up in the project's index of files by directory, in file order.)
pub fn config_files<'a>(project: &'a Project, root: &'a PyRoot) -> impl Iterator<Item = &'a ParsedFile> + 'a {
    project
        .files_configuring(&root.dir)
        .into_iter()
        .filter_map(|id| project.file(id))
}

/// Path of a file relative to its root, with `/` separators.
pub fn rel(root: &PyRoot, f: &ParsedFile) -> String {
    crate::source::display_path(&root.relative(&f.source.path))
}

pub fn file_name(f: &ParsedFile) -> String {
    f.source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// Report what is missing from `missing` roots, for a thing looked up across the repository
/// (CI, tool configuration found by walking up): when every one of several projects lacks it,
/// the repository lacks it, and that is one finding (at the outermost project's marker), not a
/// copy per project.
pub fn report_missing_in_repository(
    cx: &mut ProjectContext<'_>,
    project: &Project,
    missing: &[&PyRoot],
    message: &str,
) {
    let total = project.python.roots.len();
    if total > 1 && missing.len() == total {
        let Some(top) = missing.iter().min_by(|a, b| {
            a.dir
                .components()
                .count()
                .cmp(&b.dir.components().count())
                .then(a.dir.cmp(&b.dir))
        }) else {
            return;
        };
        report_missing(
            cx,
            top,
            format!("{message}, for any of the {total} Python projects of the repository"),
        );
        return;
    }
    for root in missing {
        report_missing(cx, root, message.to_string());
    }
}

/// Report a missing thing at the root's marker file.
pub fn report_missing(cx: &mut ProjectContext<'_>, root: &PyRoot, message: String) {
    cx.report_in(root.marker, root.marker_span, message);
}
