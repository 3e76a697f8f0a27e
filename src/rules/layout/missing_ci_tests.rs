//! LAY010: no CI pipeline runs the tests of a Python project.

use crate::discover::FileKind;
use crate::project::ParsedFile;
use crate::project::Project;
use crate::rules::layout::{config_files, report_missing_in_repository};
use crate::rules::{ProjectContext, ProjectRule};
use crate::semantic::pipeline::step_tests_python;

pub struct MissingCiTests;

fn is_ci(f: &ParsedFile) -> bool {
    matches!(f.kind, FileKind::GithubWorkflow | FileKind::AzurePipeline)
}

impl ProjectRule for MissingCiTests {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        let commands = cx.settings.config.layout.test_commands.clone();
        // a project is tested when a job of a pipeline (templates followed) has a step that
        // runs its tests
        let missing: Vec<_> = p
            .python
            .roots
            .iter()
            .filter(|root| {
                !config_files(p, root).filter(|f| is_ci(f)).any(|f| {
                    p.pipelines
                        .jobs(f.source.id)
                        .iter()
                        .flat_map(|j| &j.steps)
                        .any(|s| step_tests_python(cx.settings, s))
                })
            })
            .collect();
        let list = commands
            .iter()
            .take(3)
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        report_missing_in_repository(
            cx,
            p,
            &missing,
            &format!("no GitHub Actions or Azure Pipelines job runs the tests ({list})"),
        );
    }
}
