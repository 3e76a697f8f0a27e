//! CI002: a production deploy that does not depend on jobs that test and lint.

use crate::lang::pipeline::{Job, Pipeline, System};
use crate::project::Model;
use crate::rules::ci::{opaque, prod_deploy_in, step_lints, step_tests, upstream};
use crate::rules::{target, FileContext, FileRule};

pub struct ProdDeployUntested;

/// Jobs of the workflows whose completion starts this one (`on: workflow_run`).
fn triggering_jobs<'a>(cx: &FileContext<'a>, pipeline: &Pipeline) -> Vec<&'a Job> {
    let Some(t) = pipeline.triggered_by("workflow_run") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in &cx.project.files {
        let Model::Pipeline(pf) = &f.model else { continue };
        let other = &pf.pipeline;
        if other.system != System::GithubActions {
            continue;
        }
        let named = other
            .name
            .as_ref()
            .is_some_and(|n| t.workflows.iter().any(|w| w.text == n.text));
        if named {
            out.extend(other.expanded.iter());
        }
    }
    out
}

impl FileRule for ProdDeployUntested {
    type Target = target::PipelineJob;

    fn check(&self, (pipeline, job): (&Pipeline, &Job), cx: &mut FileContext<'_>) {
        let Some(prod) = prod_deploy_in(cx, pipeline, job) else {
            return;
        };
        let mut before: Vec<&Job> = upstream(pipeline, job);
        before.extend(triggering_jobs(cx, pipeline));
        if opaque(job) || before.iter().any(|j| opaque(j)) {
            return;
        }
        // steps of the deploy job itself that run before the deploy count too
        let own: Vec<_> = job
            .steps
            .iter()
            .take_while(|s| prod.deploy.step.is_none_or(|d| !std::ptr::eq(*s, d)))
            .collect();
        let tests = own.iter().any(|s| step_tests(s)) || before.iter().any(|j| j.steps.iter().any(step_tests));
        let lints = own.iter().any(|s| step_lints(s)) || before.iter().any(|j| j.steps.iter().any(step_lints));
        let missing = match (tests, lints) {
            (true, true) => return,
            (false, false) => "tests or lint",
            (false, true) => "tests",
            (true, false) => "lint",
        };
        let message = format!(
            "job `{}` deploys to production without {missing} before it",
            job.label()
        );
        cx.report_in(job.file, job.header, message).note = Some(prod.note(job));
    }
}
