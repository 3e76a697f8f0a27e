//! CI009: `permissions: write-all`, or a workflow with no top-level `permissions`.

use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::{Role, System};
use crate::rules::{target, FileContext, FileRule};

pub struct BroadPermissions;

impl FileRule for BroadPermissions {
    type Target = target::Pipeline;

    fn check(&self, p: &Pipeline, cx: &mut FileContext<'_>) {
        if p.system != System::GithubActions || cx.project.pipelines.role(p.file) != Some(Role::Pipeline) {
            return;
        }
        let all = std::iter::once(p.permissions.as_ref()).chain(p.jobs.iter().map(|j| j.permissions.as_ref()));
        for perm in all.flatten() {
            if perm.shorthand.as_deref() == Some("write-all") {
                cx.report_in(
                    p.file,
                    perm.span,
                    "`permissions: write-all` grants every scope write access",
                );
            }
        }
        // a workflow only callable by others runs with its caller's permissions
        let call_only = !p.triggers.is_empty() && p.triggers.iter().all(|t| t.event == "workflow_call");
        if p.permissions.is_none() && !call_only && p.jobs.iter().any(|j| j.permissions.is_none()) {
            cx.report_in(p.file, p.header, "workflow has no top-level `permissions`")
                .note = Some("without it every job gets the repository's default token scopes".into());
        }
    }
}
