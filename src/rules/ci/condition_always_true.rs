//! CI019: a GitHub `if:` that is true whatever the run, so it guards nothing.

use crate::lang::pipeline::{Pipeline, System, Text};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::condition::Condition;

pub struct ConditionAlwaysTrue;

impl FileRule for ConditionAlwaysTrue {
    type Target = target::Pipeline;

    fn check(&self, p: &Pipeline, cx: &mut FileContext<'_>) {
        if p.system != System::GithubActions {
            return;
        }
        let mut found = Vec::new();
        for job in &p.jobs {
            // `conditions` of a job as written hold its own `if:` only
            let steps = job
                .steps
                .iter()
                .filter(|s| s.file == p.file)
                .filter_map(|s| s.condition.as_ref());
            for cond in job.conditions.iter().chain(steps) {
                if let Some(message) = always_true(cond) {
                    found.push((cond.span, message));
                }
            }
        }
        for (span, message) in found {
            cx.report(span, message);
        }
    }
}

fn always_true(cond: &Text) -> Option<String> {
    // `if: true` is written on purpose (a step switched on while a condition is worked out)
    let bare = cond.text.trim();
    let bare = bare
        .strip_prefix("${{")
        .and_then(|b| b.strip_suffix("}}"))
        .unwrap_or(bare)
        .trim();
    if bare == "true" {
        return None;
    }
    let c = Condition::github(&cond.text);
    if !c.always_true_without_always() {
        return None;
    }
    let shown = crate::diagnostic::shown(cond.text.trim());
    Some(if c.is_interpolated() {
        "text around `${{ }}` makes the `if:` a non-empty string: always true".to_string()
    } else {
        format!("condition `{shown}` is always true")
    })
}
