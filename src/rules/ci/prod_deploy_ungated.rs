//! CI001: a production deploy that does not run in a deployment environment.

use crate::rules::ci::{gated, prod_deploy_in};
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ProdDeployUngated;

impl Rule for ProdDeployUngated {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::PipelineJob]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::PipelineJob { pipeline, job } = subject else {
            return;
        };
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
