use std::collections::HashSet;

use super::{label_span, RefKind};
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};

/// TF002: a variable or local that nothing in the module references.
pub struct UnusedVariable;

impl ProjectRule for UnusedVariable {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for m in project.terraform.iter().filter(|m| !m.broken) {
            let used: HashSet<(RefKind, &str)> = m
                .facts
                .references
                .iter()
                .map(|(_, r)| (r.kind, r.name.as_str()))
                .collect();
            for b in m.blocks() {
                match b.kind.as_str() {
                    "variable" => {
                        let name = b.labels.first().cloned().unwrap_or_default();
                        if !used.contains(&(RefKind::Var, name.as_str())) {
                            cx.report_in(b.file, label_span(b), format!("variable `{name}` is never used"));
                        }
                    }
                    "locals" => {
                        for e in b.body.entries() {
                            if !used.contains(&(RefKind::Local, e.key.as_str())) {
                                cx.report_in(b.file, e.key_span, format!("local `{}` is never used", e.key));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
