//! CI003: a production deploy that can run from any branch.

use crate::lang::pipeline::Job;
use crate::lang::pipeline::Pipeline;
use crate::rules::ci::{any_branch_trigger, condition_restricts_branch, prod_deploy_in, trigger_label};
use crate::rules::{target, FileContext, FileRule, Label};

pub struct ProdDeployAnyBranch;

impl FileRule for ProdDeployAnyBranch {
    type Target = target::PipelineJob;

    fn check(&self, (pipeline, job): (&Pipeline, &Job), cx: &mut FileContext<'_>) {
        if job.conditions.iter().any(|c| condition_restricts_branch(&c.text)) {
            return;
        }
        let Some(trigger) = any_branch_trigger(pipeline) else {
            return;
        };
        let Some(prod) = prod_deploy_in(cx, pipeline, job) else {
            return;
        };
        let label = trigger_label(trigger, pipeline.system);
        let message = format!("job `{}` deploys to production from any branch ({label})", job.label());
        let note = prod.note(job);
        let d = cx.report_in(job.file, job.header, message);
        d.note = Some(note);
        d.labels.push(Label {
            file: pipeline.file,
            span: trigger.span,
            message: format!("{label} runs it from branches other than main"),
        });
    }
}
