//! CI005: `terraform apply -auto-approve` (or `destroy -auto-approve`) in a job without a
//! deployment environment.

use crate::project::pipeline::JobView;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::cli::{self, Tool};
use crate::semantic::pipeline::{command_lines, gated};

pub struct AutoApproveUngated;

impl FileRule for AutoApproveUngated {
    type Target = target::PipelineJob;

    fn check(&self, view: JobView<'_>, cx: &mut FileContext<'_>) {
        let job = view.job();
        if gated(job) {
            return;
        }
        for s in &job.steps {
            for c in command_lines(s) {
                let Some(inv) = cli::read(&c) else { continue };
                if inv.tool != Tool::Terraform {
                    continue;
                }
                let verb = match inv.path.as_slice() {
                    [v] | [_, v] => v.text.as_str(),
                    _ => continue,
                };
                if !matches!(verb, "apply" | "destroy") {
                    continue;
                }
                if let Some(flag) = inv
                    .flag("auto-approve")
                    .filter(|f| f.value.is_none_or(|v| v.text != "false"))
                {
                    let message = format!(
                        "`terraform {verb} -auto-approve` outside an environment (job `{}`)",
                        job.label()
                    );
                    cx.report_in(s.file, flag.word.span, message);
                }
            }
        }
    }
}
