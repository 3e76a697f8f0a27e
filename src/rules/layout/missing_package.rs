use crate::project::Project;
use crate::rules::layout::report_missing;
use crate::rules::{ProjectContext, ProjectRule};

pub struct MissingPackage;

impl ProjectRule for MissingPackage {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        for root in &p.python.roots {
            if root.top_packages.is_empty() {
                report_missing(
                    cx,
                    root,
                    "no package (a directory with `__init__.py`) at the root or in `src/`".into(),
                );
            }
        }
    }
}
