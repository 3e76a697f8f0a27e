use crate::discover::FileKind;
use crate::project::Project;
use crate::project::{Model, ParsedFile};
use crate::rules::layout::{config_files, file_name, report_missing_in_repository};
use crate::rules::{ProjectContext, ProjectRule};

pub struct MissingLintConfig;

const LINTERS: &[&str] = &["ruff", "flake8", "pylint"];

fn configures_linter(f: &ParsedFile) -> bool {
    match (&f.model, f.kind) {
        (_, FileKind::LintConfig) => true,
        (Model::PyProject(p), _) => LINTERS.iter().any(|l| p.table(&format!("tool.{l}")).is_some()),
        (Model::Ini(ini), FileKind::SetupCfg | FileKind::ToxIni) => ini
            .sections
            .iter()
            .any(|s| s.name == "flake8" || s.name.starts_with("pylint") || s.name.starts_with("tool:ruff")),
        // a pre-commit hook that runs a linter counts
        (_, FileKind::Yaml) => {
            file_name(f) == ".pre-commit-config.yaml" && LINTERS.iter().any(|l| f.source.text.contains(l))
        }
        _ => false,
    }
}

impl ProjectRule for MissingLintConfig {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        let missing: Vec<_> = p
            .python
            .roots
            .iter()
            .filter(|root| !config_files(p, root).any(configures_linter))
            .collect();
        report_missing_in_repository(
            cx,
            p,
            &missing,
            "no linter config (`[tool.ruff]`, `ruff.toml`, `[flake8]`, `.pylintrc`)",
        );
    }
}
