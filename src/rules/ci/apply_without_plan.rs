//! CI004: `terraform apply` that does not apply a plan file saved by `terraform plan -out`.

use crate::lang::pipeline::script::flag_text;
use crate::lang::pipeline::Job;
use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::{StepKind, Text};
use crate::lang::shell::operands;
use crate::rules::ci::upstream;
use crate::rules::{target, FileContext, FileRule};

pub struct ApplyWithoutPlan;

/// Flags of `terraform apply` whose value is the next word.
const VALUE_FLAGS: &[&str] = &[
    "-var",
    "-var-file",
    "-target",
    "-replace",
    "-state",
    "-state-out",
    "-backup",
    "-lock-timeout",
    "-parallelism",
];

/// Non-flag words, skipping the values of flags written with a space.
fn positional(args: &[Text]) -> Vec<&Text> {
    operands(args, |a| &a.text, |o| VALUE_FLAGS.contains(&o))
}

impl FileRule for ApplyWithoutPlan {
    type Target = target::PipelineJob;

    fn check(&self, (pipeline, job): (&Pipeline, &Job), cx: &mut FileContext<'_>) {
        // plan files saved in this job or in jobs it depends on (passed as artifacts)
        let mut saved: Vec<String> = Vec::new();
        let mut jobs = upstream(pipeline, job);
        jobs.push(job);
        for j in &jobs {
            for s in &j.steps {
                for c in s.commands() {
                    if c.is(c.program(), &["plan"]) && matches!(c.program(), "terraform" | "tofu") {
                        if let Some(out) = c.flag_value(&["-out"]) {
                            saved.push(flag_text(out).to_string());
                        }
                    }
                }
                if matches!(s.kind, StepKind::Task(_)) && s.input("command").is_some_and(|c| c.text == "plan") {
                    if let Some(opts) = s.input("commandOptions") {
                        let words: Vec<&str> = opts.text.split_whitespace().collect();
                        for (i, w) in words.iter().enumerate() {
                            if let Some(v) = w.strip_prefix("-out=") {
                                saved.push(v.to_string());
                            } else if *w == "-out" {
                                saved.extend(words.get(i + 1).map(|v| v.to_string()));
                            }
                        }
                    }
                }
            }
        }
        let saved_name = |arg: &str| {
            let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
            saved
                .iter()
                .any(|s| base(s) == base(arg) || s.contains("$(") || s.contains("${"))
        };
        for s in &job.steps {
            for c in s.commands() {
                if !matches!(c.program(), "terraform" | "tofu") || !c.is(c.program(), &["apply"]) {
                    continue;
                }
                if c.flag("-destroy").is_some() {
                    continue;
                }
                let plan = positional(c.argv().1).into_iter().nth(1);
                let message = match plan {
                    None => "`terraform apply` without a saved plan file".to_string(),
                    Some(p) if saved_name(&p.text) => continue,
                    Some(p) => format!(
                        "plan file `{}` is not saved by an earlier `terraform plan -out`",
                        p.text
                    ),
                };
                cx.report_in(s.file, c.span, message);
            }
            let is_tf_task = s
                .tool()
                .is_some_and(|t| t.starts_with("TerraformTask") || t.starts_with("TerraformCLI"));
            if is_tf_task && s.input("command").is_some_and(|c| c.text == "apply") {
                let opts = s.input("commandOptions").map(|o| o.text.clone()).unwrap_or_default();
                let plan = opts.split_whitespace().find(|w| !w.starts_with('-'));
                let message = match plan {
                    None => format!("`{}` apply without a saved plan file", s.tool().unwrap_or("terraform")),
                    Some(p) if saved_name(p) => continue,
                    Some(p) => format!("plan file `{p}` is not saved by an earlier `terraform plan -out`"),
                };
                let span = s.input("command").map(|c| c.span).unwrap_or(s.header);
                cx.report_in(s.file, span, message);
            }
        }
    }
}
