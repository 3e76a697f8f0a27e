//! CI017: a template or reusable workflow linea cannot follow, reported once where it is
//! written, so a reader knows which jobs the prod-gating rules did not see.

use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::System;
use crate::project::pipeline::missing_reference;
use crate::rules::{target, FileContext, FileRule};

pub struct TemplateNotFollowed;

impl FileRule for TemplateNotFollowed {
    type Target = target::Pipeline;

    fn check(&self, p: &Pipeline, cx: &mut FileContext<'_>) {
        let what = match p.system {
            System::GithubActions => "reusable workflow",
            System::AzurePipelines => "template",
        };
        let unresolved = cx
            .project
            .pipelines
            .get(p.file)
            .map(|e| e.unresolved.as_slice())
            .unwrap_or(&[]);
        for u in unresolved {
            // a call of a workflow that does not exist is CI020's error
            if missing_reference(cx.project, p, u).is_some() {
                continue;
            }
            cx.report(
                u.reference.span,
                format!(
                    "{what} `{}` {}; what it runs is not checked",
                    u.reference.text.trim(),
                    u.reason.describe()
                ),
            );
        }
    }
}
