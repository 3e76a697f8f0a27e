//! CI005: `terraform apply -auto-approve` in a job without a deployment environment.

use crate::lang::pipeline::Job;
use crate::lang::pipeline::Pipeline;
use crate::rules::ci::gated;
use crate::rules::{target, FileContext, FileRule};

pub struct AutoApproveUngated;

impl FileRule for AutoApproveUngated {
    type Target = target::PipelineJob;

    fn check(&self, (_, job): (&Pipeline, &Job), cx: &mut FileContext<'_>) {
        if gated(job) {
            return;
        }
        for s in &job.steps {
            for c in s.commands() {
                if !matches!(c.program(), "terraform" | "tofu") || !c.is(c.program(), &["apply"]) {
                    continue;
                }
                if let Some(flag) = c.flag("-auto-approve") {
                    let message = format!(
                        "`terraform apply -auto-approve` outside an environment (job `{}`)",
                        job.label()
                    );
                    cx.report_in(s.file, flag.span, message);
                }
            }
            let opts = s.input("commandOptions");
            let is_tf_task = s
                .tool()
                .is_some_and(|t| t.starts_with("TerraformTask") || t.starts_with("TerraformCLI"));
            if is_tf_task
                && s.input("command").is_some_and(|c| c.text == "apply")
                && opts.is_some_and(|o| o.text.split_whitespace().any(|w| w == "-auto-approve"))
            {
                let span = opts.map(|o| o.span).unwrap_or(s.header);
                let message = format!(
                    "`terraform apply -auto-approve` outside an environment (job `{}`)",
                    job.label()
                );
                cx.report_in(s.file, span, message);
            }
        }
    }
}
