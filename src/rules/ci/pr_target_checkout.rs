//! CI011: a `pull_request_target` workflow that checks out the pull request's head.

use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct PrTargetCheckout;

fn names_pr_head(text: &str) -> bool {
    let t = text.replace(' ', "");
    t.contains("github.event.pull_request.head")
        || t.contains("github.head_ref")
        || t.contains("refs/pull/")
        || t.contains("github.event.number")
}

impl Rule for PrTargetCheckout {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::PipelineStep]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::PipelineStep { pipeline, step, .. } = subject else {
            return;
        };
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
