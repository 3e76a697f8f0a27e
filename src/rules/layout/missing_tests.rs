use crate::config::Settings;
use crate::discover::FileKind;
use crate::project::python::PyRoot;
use crate::project::ParsedFile;
use crate::project::Project;
use crate::rules::layout::{file_name, report_missing, root_files};
use crate::rules::{ProjectContext, ProjectRule};
use crate::semantic::test_code::{is_test_module_name, test_dir_of};

pub struct MissingTests;

/// A test module (`test_*.py`, `*_test.py`) inside one of the root's test directories (as the
/// settings that govern the file name them).
pub fn is_test_module(settings: &Settings, root: &PyRoot, f: &ParsedFile) -> bool {
    f.kind == FileKind::Python
        && is_test_module_name(&file_name(f))
        && test_dir_of(settings, &root.relative(&f.source.path)).is_some()
}

impl ProjectRule for MissingTests {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        for root in &p.python.roots {
            if !root_files(p, root).any(|f| is_test_module(p.settings_of(f.source.id), root, f)) {
                let d = cx
                    .settings
                    .config
                    .layout
                    .test_dirs
                    .first()
                    .map(String::as_str)
                    .unwrap_or("tests");
                report_missing(cx, root, format!("no `{d}/` directory with `test_*.py` files"));
            }
        }
    }
}
