use crate::discover::FileKind;
use crate::project::Project;
use crate::project::{Model, ParsedFile};
use crate::rules::layout::{config_files, report_missing_in_repository};
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
        let missing: Vec<_> = p
            .python
            .roots
            .iter()
            .filter(|root| !config_files(p, root).any(configures_pytest))
            .collect();
        report_missing_in_repository(
            cx,
            p,
            &missing,
            "no pytest config (`pytest.ini`, `[tool.pytest.ini_options]`, `[tool:pytest]`)",
        );
    }
}
