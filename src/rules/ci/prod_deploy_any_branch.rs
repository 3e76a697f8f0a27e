//! CI003: a production deploy that can run from any branch.

use crate::project::pipeline::JobView;
use crate::rules::{target, FileContext, FileRule, Label};
use crate::semantic::pipeline::{other_branch_trigger, restricted_to_main, trigger_label};

pub struct ProdDeployAnyBranch;

impl FileRule for ProdDeployAnyBranch {
    type Target = target::PipelineJob;

    fn check(&self, view: JobView<'_>, cx: &mut FileContext<'_>) {
        let (pipeline, job) = (view.pipeline, view.job());
        if restricted_to_main(pipeline.system, job) || view.prod_deploy().is_none() {
            return;
        }
        let Some(trigger) = other_branch_trigger(pipeline) else {
            return;
        };
        let label = trigger_label(trigger, pipeline.system);
        let message = format!("job `{}` deploys to production from any branch ({label})", job.label());
        let d = cx.report_in(job.file, job.header, message);
        d.note = Some(view.reading().note(job));
        d.labels.push(Label {
            file: pipeline.file,
            span: trigger.span,
            message: format!("{label} runs it from branches other than main"),
        });
    }
}
