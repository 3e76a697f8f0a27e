use std::collections::BTreeSet;

use crate::rules::layout::{rel, report_missing, root_files};
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct MissingMainModule;

impl Rule for MissingMainModule {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Project]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Project(p) = subject else { return };
        for root in &p.python.roots {
            let files: BTreeSet<String> = root_files(p, root).map(|f| rel(root, f)).collect();
            // the service is a top-level package; `app.py` deeper down is a library module
            for pkg in root.packages.iter().filter(|pkg| {
                let parts: Vec<_> = pkg.components().collect();
                parts.len() == 1 || (parts.len() == 2 && parts[0].as_os_str() == "src")
            }) {
                let dir = crate::source::display_path(pkg);
                let main = format!("{dir}/__main__.py");
                if files.contains(&format!("{dir}/app.py")) && !files.contains(&main) {
                    report_missing(
                        cx,
                        root,
                        format!("service package `{dir}` has `app.py` but no `{main}`"),
                    );
                }
            }
        }
    }
}
