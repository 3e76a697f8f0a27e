use crate::discover::FileKind;
use crate::project::Project;
use crate::project::{Model, ParsedFile};
use crate::rules::layout::{file_name, report_missing, root_files};
use crate::rules::{ProjectContext, ProjectRule};

pub struct MissingDependencyManifest;

fn declares(f: &ParsedFile) -> bool {
    match (&f.model, f.kind) {
        (_, FileKind::Requirements | FileKind::Pipfile | FileKind::LockFile) => true,
        (Model::PyProject(p), _) => p.declares_dependencies(),
        (Model::Ini(ini), FileKind::SetupCfg) => ini
            .section("options")
            .is_some_and(|s| s.get("install_requires").is_some()),
        (_, FileKind::Python) => file_name(f) == "setup.py" && f.source.text.contains("install_requires"),
        _ => false,
    }
}

impl ProjectRule for MissingDependencyManifest {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        for root in &p.python.roots {
            if !root_files(p, root).any(declares) {
                report_missing(
                    cx,
                    root,
                    "no `requirements.txt`, `[project] dependencies`, Pipfile or lock file".into(),
                );
            }
        }
    }
}
