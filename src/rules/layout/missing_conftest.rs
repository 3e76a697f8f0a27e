use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::project::Project;
use crate::rules::layout::missing_tests::is_test_module;
use crate::rules::layout::{file_name, report_missing, root_files};
use crate::rules::{ProjectContext, ProjectRule};
use crate::semantic::test_code::test_dir_of;

pub struct MissingConftest;

impl ProjectRule for MissingConftest {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        for root in &p.python.roots {
            let conftests: BTreeSet<PathBuf> = root_files(p, root)
                .filter(|f| file_name(f) == "conftest.py")
                .filter_map(|f| root.relative(&f.source.path).parent().map(Path::to_path_buf))
                .collect();
            // the outermost test directory of each test module
            let mut tops: BTreeSet<PathBuf> = BTreeSet::new();
            for f in root_files(p, root) {
                let settings = p.settings_of(f.source.id);
                if is_test_module(settings, root, f) {
                    tops.extend(test_dir_of(settings, &root.relative(&f.source.path)));
                }
            }
            for top in tops {
                // a conftest.py in the test directory, below it, or above it (up to the root) applies
                let covered = conftests.iter().any(|c| c.starts_with(&top) || top.starts_with(c));
                if !covered {
                    let d = crate::source::display_path(&top);
                    report_missing(cx, root, format!("`{d}/` has no `{d}/conftest.py`"));
                }
            }
        }
    }
}
