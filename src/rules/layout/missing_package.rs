use crate::rules::layout::report_missing;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct MissingPackage;

impl Rule for MissingPackage {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Project]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Project(p) = subject else { return };
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
