use std::collections::HashSet;

use super::{label_span, references, RefKind};
use crate::rules::{Context, NodeKind, Rule, Subject};

/// TF002: a variable or local that nothing in the module references.
pub struct UnusedVariable;

impl Rule for UnusedVariable {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Project]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Project(project) = subject else { return };
        for m in project.terraform.iter().filter(|m| !m.broken) {
            let mut used: HashSet<(RefKind, String)> = HashSet::new();
            for (_, body) in m.bodies(&project.files) {
                for r in references(body) {
                    used.insert((r.kind, r.name));
                }
            }
            for b in m.blocks(&project.files) {
                match b.kind.as_str() {
                    "variable" => {
                        let name = b.labels.first().cloned().unwrap_or_default();
                        if !used.contains(&(RefKind::Var, name.clone())) {
                            cx.report_in(b.file, label_span(b), format!("variable `{name}` is never used"));
                        }
                    }
                    "locals" => {
                        for e in b.body.entries() {
                            if !used.contains(&(RefKind::Local, e.key.clone())) {
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
