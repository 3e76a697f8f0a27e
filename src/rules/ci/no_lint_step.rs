//! CI007: the pull-request pipelines run no linter or static analysis.

use crate::project::Project;
use crate::rules::ci::no_pr_validation::pipelines;
use crate::rules::{ProjectContext, ProjectRule};
use crate::semantic::pipeline::{opaque, step_lints};

pub struct NoLintStep;

impl ProjectRule for NoLintStep {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        let pr: Vec<_> = pipelines(project)
            .into_iter()
            .filter(|p| p.runs_on_pull_requests())
            .collect();
        let lints = pr.iter().any(|p| {
            project
                .pipelines
                .jobs(p.file)
                .iter()
                .any(|j| j.steps.iter().any(step_lints))
        });
        // a pull-request pipeline that runs a remote workflow or template may lint there
        if lints || pr.iter().any(|p| project.pipelines.jobs(p.file).iter().any(opaque)) {
            return;
        }
        let Some(p) = pr.first() else { return };
        let Some(t) = p.triggers.iter().find(|t| t.is_pull_request()) else {
            return;
        };
        let message = if pr.len() == 1 {
            "the pull-request pipeline runs no linter or static analysis".to_string()
        } else {
            format!("none of the {} pull-request pipelines runs a linter", pr.len())
        };
        cx.report_in(p.file, t.span, message);
    }
}
