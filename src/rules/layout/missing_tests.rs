use std::path::Component;

use crate::discover::FileKind;
use crate::project::python::PyRoot;
use crate::project::ParsedFile;
use crate::project::Project;
use crate::rules::layout::{file_name, report_missing, root_files};
use crate::rules::{ProjectContext, ProjectRule};

pub struct MissingTests;

/// `test_*.py` or `*_test.py` inside a directory named like a test directory.
pub fn is_test_module(root: &PyRoot, f: &ParsedFile, test_dirs: &[String]) -> bool {
    let name = file_name(f);
    f.kind == FileKind::Python
        && (name.starts_with("test_") || name.ends_with("_test.py"))
        && root.relative(&f.source.path).parent().is_some_and(|d| {
            d.components()
                .any(|c| matches!(c, Component::Normal(n) if test_dirs.iter().any(|t| n == t.as_str())))
        })
}

impl ProjectRule for MissingTests {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        let dirs = cx.settings.config.layout.test_dirs.clone();
        for root in &p.python.roots {
            if !root_files(p, root).any(|f| is_test_module(root, f, &dirs)) {
                let d = dirs.first().map(String::as_str).unwrap_or("tests");
                report_missing(cx, root, format!("no `{d}/` directory with `test_*.py` files"));
            }
        }
    }
}
