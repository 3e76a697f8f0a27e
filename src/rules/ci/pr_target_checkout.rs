//! CI011: a `pull_request_target` workflow that checks out the pull request's head.

use crate::lang::pipeline::Job;
use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::Step;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::Read;

pub struct PrTargetCheckout;

fn names_pr_head(text: &str) -> bool {
    let t = text.replace(' ', "");
    t.contains("github.event.pull_request.head")
        || t.contains("github.head_ref")
        || t.contains("refs/pull/")
        || t.contains("github.event.number")
}

impl FileRule for PrTargetCheckout {
    type Target = target::PipelineStep;

    fn check(&self, (pipeline, _, step): (&Pipeline, &Job, &Step), cx: &mut FileContext<'_>) {
        if pipeline.triggered_by("pull_request_target").is_none() {
            return;
        }
        if step.tool() == Some("actions/checkout") {
            for key in ["ref", "repository"] {
                if let Some(r) = step.input(key).filter(|r| names_pr_head(&r.text)) {
                    let message = format!(
                        "`pull_request_target` job checks out the pull request head `{}`",
                        r.text
                    );
                    cx.report_in(step.file, r.span, message);
                    return;
                }
            }
        }
        for c in step.commands() {
            let pr_checkout = c.is("gh", &["pr", "checkout"])
                || (c.program() == "git"
                    && matches!(
                        c.subcommand().map(|s| s.text.as_str()),
                        Some("checkout" | "fetch" | "switch")
                    )
                    && c.args.iter().any(|a| names_pr_head(&a.text)));
            if pr_checkout {
                cx.report_in(
                    step.file,
                    c.span,
                    "`pull_request_target` job checks out the pull request head",
                );
            }
        }
    }
}
