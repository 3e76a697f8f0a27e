//! CI001: a production deploy (or teardown) that does not run in a deployment environment.

use crate::project::pipeline::JobView;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::pipeline::gated;

pub struct ProdDeployUngated;

impl FileRule for ProdDeployUngated {
    type Target = target::PipelineJob;

    fn check(&self, view: JobView<'_>, cx: &mut FileContext<'_>) {
        let job = view.job();
        if gated(job) || view.prod_deploy().is_none() {
            return;
        }
        let message = format!(
            "job `{}` deploys to production outside a deployment environment",
            job.label()
        );
        cx.report_in(job.file, job.header, message).note = Some(view.reading().note(job));
    }
}
