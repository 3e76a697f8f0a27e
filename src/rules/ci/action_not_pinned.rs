//! CI008: a third-party action or reusable workflow not pinned to a full commit SHA.

use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::{StepKind, System, Text};
use crate::rules::{target, FileContext, FileRule};

pub struct ActionNotPinned;

/// Owners whose actions GitHub maintains: a tag is accepted (zizmor's default policy).
const FIRST_PARTY: &[&str] = &["actions", "github"];

fn unpinned(uses: &Text) -> Option<&str> {
    let u = uses.text.trim();
    if u.starts_with("./") || u.starts_with("docker://") || uses.is_expression() {
        return None;
    }
    let owner = u.split('/').next().unwrap_or("");
    if FIRST_PARTY.contains(&owner.to_ascii_lowercase().as_str()) {
        return None;
    }
    match u.rsplit_once('@') {
        Some((_, r)) if r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()) => None,
        Some((_, r)) => Some(r),
        None => Some(""),
    }
}

impl FileRule for ActionNotPinned {
    type Target = target::Pipeline;

    fn check(&self, pipeline: &Pipeline, cx: &mut FileContext<'_>) {
        if pipeline.system != System::GithubActions {
            return;
        }
        let mut uses: Vec<&Text> = Vec::new();
        for job in &pipeline.jobs {
            uses.extend(job.calls.iter());
            for s in &job.steps {
                if let StepKind::Action(a) = &s.kind {
                    uses.push(a);
                }
            }
        }
        for u in uses {
            let Some(r) = unpinned(u) else { continue };
            let name = u.text.split('@').next().unwrap_or(&u.text);
            let message = if r.is_empty() {
                format!("action `{name}` is used without a version")
            } else {
                format!("action `{name}` is pinned to `{r}`, not to a commit SHA")
            };
            cx.report_in(pipeline.file, u.span, message);
        }
    }
}
