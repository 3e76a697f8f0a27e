//! CI014: a pipeline job's container image not pinned by digest.

use crate::lang::pipeline::Text;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ContainerNotPinned;

impl Rule for ContainerNotPinned {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Pipeline]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Pipeline(p) = subject else { return };
        let mut images: Vec<&Text> = p.jobs.iter().flat_map(|j| j.containers.iter()).collect();
        images.extend(p.container_resources.iter().map(|(_, image)| image));
        images.sort_by_key(|t| t.span.start);
        images.dedup_by_key(|t| t.span);
        for image in images {
            if image.is_expression() || image.text.contains("@sha256:") || image.text.trim().is_empty() {
                continue;
            }
            let message = format!("container image `{}` is not pinned by digest", image.text);
            cx.report_in(p.file, image.span, message);
        }
    }
}
