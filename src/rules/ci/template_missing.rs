//! CI020: a local template or reusable workflow that does not exist in the repository.

use crate::lang::pipeline::{Pipeline, System};
use crate::project::pipeline::missing_reference;
use crate::rules::{target, FileContext, FileRule};

pub struct TemplateMissing;

impl FileRule for TemplateMissing {
    type Target = target::Pipeline;

    fn check(&self, p: &Pipeline, cx: &mut FileContext<'_>) {
        let what = match p.system {
            System::GithubActions => "reusable workflow",
            System::AzurePipelines => "template",
        };
        let Some(entry) = cx.project.pipelines.get(p.file) else {
            return;
        };
        let missing: Vec<_> = entry
            .unresolved
            .iter()
            .filter_map(|u| missing_reference(cx.project, p, u).map(|shown| (u.reference.span, shown)))
            .collect();
        for (span, shown) in missing {
            cx.report(span, format!("{what} `{shown}` does not exist in the repository"));
        }
    }
}
