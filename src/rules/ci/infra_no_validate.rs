//! CI015: `terraform plan`/`apply` without `terraform validate` and `fmt -check` first.

use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::{Job, Step};
use crate::rules::ci::{opaque, upstream};
use crate::rules::{target, FileContext, FileRule};

pub struct InfraNoValidate;

fn is_tf_task(s: &Step) -> bool {
    s.tool()
        .is_some_and(|t| t.starts_with("TerraformTask") || t.starts_with("TerraformCLI"))
}

/// (validates, checks formatting) for one step.
fn checks(s: &Step) -> (bool, bool) {
    let mut v = false;
    let mut f = false;
    for c in s.commands() {
        if matches!(c.program(), "terraform" | "tofu") {
            let sub = c.subcommand().map(|x| x.text.as_str());
            v |= sub == Some("validate");
            f |= sub == Some("fmt") && c.args.iter().any(|a| a.text == "-check" || a.text == "-check=true");
        }
    }
    if is_tf_task(s) {
        let cmd = s.input("command").map(|c| c.text.as_str());
        v |= cmd == Some("validate");
        f |= cmd == Some("custom")
            && s.input("customCommand").is_some_and(|c| c.text == "fmt")
            && s.input("commandOptions").is_some_and(|o| o.text.contains("-check"));
    }
    match s.tool() {
        Some("dflook/terraform-validate") => v = true,
        Some("dflook/terraform-fmt-check") => f = true,
        _ => {}
    }
    (v, f)
}

/// The plan or apply a step runs: (what, span).
fn plan_or_apply(s: &Step) -> Option<(String, crate::source::Span)> {
    for c in s.commands() {
        if matches!(c.program(), "terraform" | "tofu") {
            if let Some(sub) = c.subcommand().filter(|x| x.text == "plan" || x.text == "apply") {
                return Some((format!("terraform {}", sub.text), c.span));
            }
        }
    }
    if is_tf_task(s) {
        if let Some(cmd) = s.input("command").filter(|c| c.text == "plan" || c.text == "apply") {
            return Some((format!("terraform {}", cmd.text), cmd.span));
        }
    }
    match s.tool() {
        Some(t @ ("dflook/terraform-plan" | "dflook/terraform-apply")) => Some((t.to_string(), s.header)),
        _ => None,
    }
}

impl FileRule for InfraNoValidate {
    type Target = target::PipelineJob;

    fn check(&self, (pipeline, job): (&Pipeline, &Job), cx: &mut FileContext<'_>) {
        let before: Vec<&Job> = upstream(pipeline, job);
        if before.iter().any(|j| opaque(j)) {
            return;
        }
        let (mut v, mut f) = (false, false);
        for j in before {
            for s in &j.steps {
                let (a, b) = checks(s);
                v |= a;
                f |= b;
            }
        }
        for s in &job.steps {
            if let Some((what, span)) = plan_or_apply(s) {
                let missing = match (v, f) {
                    (true, true) => return,
                    (false, false) => "`terraform validate` and `fmt -check`",
                    (false, true) => "`terraform validate`",
                    (true, false) => "`terraform fmt -check`",
                };
                cx.report_in(s.file, span, format!("`{what}` runs without {missing} first"));
                return;
            }
            let (a, b) = checks(s);
            v |= a;
            f |= b;
        }
    }
}
