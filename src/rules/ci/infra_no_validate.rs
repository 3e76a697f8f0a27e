//! CI015: `terraform plan`/`apply` without `terraform validate` and `fmt -check` first.

use crate::lang::pipeline::{Job, Step};
use crate::project::pipeline::JobView;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::cli::{self, Tool};
use crate::semantic::pipeline::{called_from_elsewhere, command_lines, opaque};
use crate::source::Span;

pub struct InfraNoValidate;

/// (validates, checks formatting) for one step.
fn checks(s: &Step) -> (bool, bool) {
    let mut v = false;
    let mut f = false;
    for c in command_lines(s) {
        let Some(inv) = cli::read(&c).filter(|i| i.tool == Tool::Terraform) else {
            continue;
        };
        v |= inv.is(&["validate"]);
        f |= inv.is(&["fmt"])
            && inv
                .flag("check")
                .is_some_and(|f| f.value.is_none_or(|v| v.text == "true"));
    }
    // `command: custom` with `customCommand: fmt`
    if s.input("command").is_some_and(|c| c.text == "custom")
        && s.input("customCommand").is_some_and(|c| c.text == "fmt")
        && s.input("commandOptions").is_some_and(|o| o.text.contains("-check"))
    {
        f = true;
    }
    match s.tool() {
        Some("dflook/terraform-validate") => v = true,
        Some("dflook/terraform-fmt-check") => f = true,
        _ => {}
    }
    (v, f)
}

/// The plan or apply a step runs: (what, span).
fn plan_or_apply(s: &Step) -> Option<(String, Span)> {
    for c in command_lines(s) {
        let Some(inv) = cli::read(&c).filter(|i| i.tool == Tool::Terraform) else {
            continue;
        };
        for verb in ["plan", "apply"] {
            if inv.is(&[verb]) || inv.is(&["run-all", verb]) {
                return Some((format!("terraform {verb}"), c.span));
            }
        }
    }
    match s.tool() {
        Some(t @ ("dflook/terraform-plan" | "dflook/terraform-apply")) => Some((t.to_string(), s.header)),
        _ => None,
    }
}

impl FileRule for InfraNoValidate {
    type Target = target::PipelineJob;

    fn check(&self, view: JobView<'_>, cx: &mut FileContext<'_>) {
        let job = view.job();
        let before: Vec<&Job> = view.upstream().collect();
        if called_from_elsewhere(view.pipeline, Some(view.entry.role)) || before.iter().any(|j| opaque(j)) {
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
