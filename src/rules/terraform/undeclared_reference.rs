use std::collections::HashSet;

use super::{references, RefKind};
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};

/// TF001: a `var.`, `local.`, `module.`, `data.` or resource reference to nothing declared in
/// the module. Modules with a file that does not parse are skipped: what it declared is unknown.
pub struct UndeclaredReference;

impl ProjectRule for UndeclaredReference {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for m in project.terraform.iter().filter(|m| !m.broken) {
            let mut declared: HashSet<(RefKind, String)> = HashSet::new();
            for b in m.blocks() {
                let label = |i: usize| b.labels.get(i).cloned().unwrap_or_default();
                match b.kind.as_str() {
                    "variable" => {
                        declared.insert((RefKind::Var, label(0)));
                    }
                    "module" => {
                        declared.insert((RefKind::Module, label(0)));
                    }
                    "resource" => {
                        declared.insert((RefKind::Resource, format!("{}.{}", label(0), label(1))));
                    }
                    "data" => {
                        declared.insert((RefKind::Data, format!("{}.{}", label(0), label(1))));
                    }
                    "locals" => {
                        for e in b.body.entries() {
                            declared.insert((RefKind::Local, e.key.clone()));
                        }
                    }
                    _ => {}
                }
            }
            for (file, body) in m.bodies(&project.files) {
                for r in references(body) {
                    if declared.contains(&(r.kind, r.name.clone())) {
                        continue;
                    }
                    let what = match r.kind {
                        RefKind::Var => format!("variable `{}`", r.name),
                        RefKind::Local => format!("local `{}`", r.name),
                        RefKind::Module => format!("module `{}`", r.name),
                        RefKind::Data => format!("data source `{}`", r.name),
                        RefKind::Resource => format!("resource `{}`", r.name),
                    };
                    cx.report_in(file.source.id, r.span, format!("{what} is not declared in this module"));
                }
            }
        }
    }
}
