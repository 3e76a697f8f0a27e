//! CI006: no pipeline of the repository runs on pull requests.

use crate::lang::pipeline::{Pipeline, Role};
use crate::project::Model;
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};

pub struct NoPrValidation;

/// Pipelines that run on their own triggers (not actions, templates or call-only workflows).
pub fn pipelines(project: &crate::project::Project) -> Vec<&Pipeline> {
    project
        .files
        .iter()
        .filter_map(|f| match &f.model {
            Model::Pipeline(p) if project.pipelines.role(f.source.id) == Some(Role::Pipeline) => Some(&p.pipeline),
            _ => None,
        })
        .filter(|p| !p.triggers.is_empty() && !p.triggers.iter().all(|t| t.event == "workflow_call"))
        .collect()
}

impl ProjectRule for NoPrValidation {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        let all = pipelines(project);
        if all.is_empty() || all.iter().any(|p| p.runs_on_pull_requests()) {
            return;
        }
        // the pipeline that runs on pushes is where the pull-request trigger belongs
        let target = all
            .iter()
            .find(|p| p.triggered_by("push").is_some())
            .or_else(|| all.first());
        let Some(p) = target else { return };
        let span = p.triggers_key.unwrap_or(p.header);
        let message = format!("none of the {} pipelines runs on pull requests", all.len());
        let message = if all.len() == 1 {
            "the pipeline does not run on pull requests".to_string()
        } else {
            message
        };
        cx.report_in(p.file, span, message).note =
            Some("changes reach the main branch without an automated check before the merge".into());
    }
}
