use crate::discover::FileKind;
use crate::project::Project;
use crate::project::{Model, ParsedFile};
use crate::rules::layout::{config_files, report_missing};
use crate::rules::{ProjectContext, ProjectRule};

pub struct MissingPytestConfig;

fn configures_pytest(f: &ParsedFile) -> bool {
    match (&f.model, f.kind) {
        (_, FileKind::PytestIni | FileKind::ToxIni) => true,
        (Model::PyProject(p), _) => p.table("tool.pytest").is_some(),
        (Model::Ini(ini), FileKind::SetupCfg) => ini.section("tool:pytest").is_some(),
        _ => false,
    }
}

impl ProjectRule for MissingPytestConfig {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        for root in &p.python.roots {
            if !config_files(p, root).any(configures_pytest) {
                report_missing(
                    cx,
                    root,
                    "no pytest config (`pytest.ini`, `[tool.pytest.ini_options]`, `[tool:pytest]`)".into(),
                );
            }
        }
    }
}
