use super::{declarations, RefKind};
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};

/// TF001: a `var.`, `local.`, `module.`, `data.` or resource reference to nothing declared in
/// the module. Modules with a file that does not parse are skipped: what it declared is unknown.
pub struct UndeclaredReference;

impl ProjectRule for UndeclaredReference {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for m in project.terraform.iter().filter(|m| !m.broken) {
            let declared = declarations(m);
            for (file, r) in &m.facts.references {
                // `output.x` and `run.r.x` are names of test files only
                if matches!(r.kind, RefKind::Output | RefKind::Run) || declared.contains(&(r.kind, r.name.clone())) {
                    continue;
                }
                cx.report_in(*file, r.span, format!("{} is not declared in this module", r.what()));
            }
        }
    }
}
