//! CI002: a production deploy that does not depend on jobs that test and lint.

use crate::lang::pipeline::Job;
use crate::project::pipeline::JobView;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::pipeline::{called_from_elsewhere, opaque, step_lints, step_tests};

pub struct ProdDeployUntested;

impl FileRule for ProdDeployUntested {
    type Target = target::PipelineJob;

    fn check(&self, view: JobView<'_>, cx: &mut FileContext<'_>) {
        let job = view.job();
        let reading = view.reading();
        if !reading.prod {
            return;
        }
        // tearing down is not shipping code: there is nothing to test before it
        let Some(deploy) = reading.actions.iter().find(|a| !a.change.teardown) else {
            return;
        };
        let before: Vec<&Job> = view.upstream().chain(view.triggering_jobs()).collect();
        // a workflow called from another repository: what runs before it is unknown
        let caller_unknown = called_from_elsewhere(view.pipeline, Some(view.entry.role));
        if caller_unknown || opaque(job) || before.iter().any(|j| opaque(j)) {
            return;
        }
        // steps of the deploy job itself that run before the deploy count too
        let own = &job.steps[..deploy.step.unwrap_or(job.steps.len()).min(job.steps.len())];
        let settings = cx.settings;
        let tests = own.iter().any(|s| step_tests(settings, s))
            || before.iter().any(|j| j.steps.iter().any(|s| step_tests(settings, s)));
        let lints = own.iter().any(step_lints) || before.iter().any(|j| j.steps.iter().any(step_lints));
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
        cx.report_in(job.file, job.header, message).note = Some(reading.note(job));
    }
}
