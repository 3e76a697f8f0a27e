use std::collections::BTreeSet;

use crate::project::Project;
use crate::rules::layout::{rel, report_missing, root_files};
use crate::rules::{ProjectContext, ProjectRule};

pub struct MissingMainModule;

impl ProjectRule for MissingMainModule {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
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
