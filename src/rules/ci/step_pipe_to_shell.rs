//! CI013: a downloaded script piped into a shell (`curl … | sh`).

use crate::lang::pipeline::Job;
use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::Step;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::{piped_from, Read};

pub struct StepPipeToShell;

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "python",
    "python3",
    "perl",
    "iex",
    "invoke-expression",
];
const FETCHERS: &[&str] = &["curl", "wget", "iwr", "irm", "invoke-webrequest", "invoke-restmethod"];

impl FileRule for StepPipeToShell {
    type Target = target::PipelineStep;

    fn check(&self, (_, _, step): (&Pipeline, &Job, &Step), cx: &mut FileContext<'_>) {
        for c in step.commands() {
            let program = c.program().to_ascii_lowercase();
            if !SHELLS.contains(&program.as_str()) {
                continue;
            }
            let from = piped_from(step.commands(), c).map(|f| f.program().to_ascii_lowercase());
            if let Some(from) = from.filter(|f| FETCHERS.contains(&f.as_str())) {
                let message = format!("script downloaded with `{from}` is piped into `{program}`");
                cx.report_in(step.file, c.pipeline.unwrap_or(c.span), message);
                continue;
            }
            // `bash <(curl …)`, `sh -c "$(curl …)"`
            let substituted = c.args.iter().find_map(|a| {
                let t = a.text.to_ascii_lowercase();
                FETCHERS
                    .iter()
                    .find(|f| t.contains(&format!("$({f} ")) || t.contains(&format!("<({f} ")))
            });
            if let Some(f) = substituted {
                let message = format!("script downloaded with `{f}` is run by `{program}`");
                cx.report_in(step.file, c.span, message);
            }
        }
    }
}
