use crate::project::python::first_line;
use crate::project::Model;
use crate::project::Project;
use crate::rules::layout::{file_name, report_missing, root_files};
use crate::rules::{ProjectContext, ProjectRule};

pub struct MakefileTargets;

impl ProjectRule for MakefileTargets {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        let wanted = cx.settings.config.layout.makefile_targets.clone();
        if wanted.is_empty() {
            return;
        }
        let list = |names: &[&String]| names.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ");
        for root in &p.python.roots {
            let makefile =
                root_files(p, root).find(|f| matches!(f.model, Model::Makefile(_)) && root.holds(&f.source.path));
            let Some(f) = makefile else {
                let all: Vec<&String> = wanted.iter().collect();
                report_missing(cx, root, format!("no `Makefile` with the targets {}", list(&all)));
                continue;
            };
            let Model::Makefile(mk) = &f.model else { continue };
            let missing: Vec<&String> = wanted.iter().filter(|t| !mk.has(t)).collect();
            if !missing.is_empty() {
                let name = file_name(f);
                cx.report_in(
                    f.source.id,
                    first_line(&f.source.text),
                    format!("`{name}` lacks the targets {}", list(&missing)),
                );
            }
        }
    }
}
