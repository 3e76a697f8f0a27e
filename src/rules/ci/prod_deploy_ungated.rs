//! CI001: a production deploy that does not run in a deployment environment.

use crate::lang::pipeline::Job;
use crate::lang::pipeline::Pipeline;
use crate::rules::ci::{gated, prod_deploy_in};
use crate::rules::{target, FileContext, FileRule};

pub struct ProdDeployUngated;

impl FileRule for ProdDeployUngated {
    type Target = target::PipelineJob;

    fn check(&self, (pipeline, job): (&Pipeline, &Job), cx: &mut FileContext<'_>) {
        if gated(job) {
            return;
        }
        let Some(prod) = prod_deploy_in(cx, pipeline, job) else {
            return;
        };
        let note = prod.note(job);
        let message = format!(
            "job `{}` deploys to production outside a deployment environment",
            job.label()
        );
        cx.report_in(job.file, job.header, message).note = Some(note);
    }
}
