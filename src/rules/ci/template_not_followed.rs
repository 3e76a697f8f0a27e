//! CI017: a template or reusable workflow linea cannot follow, reported once where it is
//! written, so a reader knows which jobs the prod-gating rules did not see.

use crate::lang::pipeline::System;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct TemplateNotFollowed;

impl Rule for TemplateNotFollowed {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Pipeline]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Pipeline(p) = subject else { return };
        let what = match p.system {
            System::GithubActions => "reusable workflow",
            System::AzurePipelines => "template",
        };
        for u in &p.unresolved {
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
