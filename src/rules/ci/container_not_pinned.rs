//! CI014: a pipeline job's container image, or a GitHub step's `uses: docker://` image, not
//! pinned by digest.

use crate::lang::pipeline::{Pipeline, StepKind, Text};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::ImageRef;
use crate::source::FileId;

pub struct ContainerNotPinned;

impl FileRule for ContainerNotPinned {
    type Target = target::Pipeline;

    fn check(&self, p: &Pipeline, cx: &mut FileContext<'_>) {
        let mut images: Vec<(FileId, &Text, &str)> = p
            .jobs
            .iter()
            .flat_map(|j| j.containers.iter())
            .chain(p.container_resources.iter().map(|(_, image)| image))
            .map(|t| (p.file, t, t.text.as_str()))
            .collect();
        // a step that runs an image: `uses: docker://alpine:3.20`
        for step in p.jobs.iter().flat_map(|j| j.steps.iter()) {
            if let StepKind::Action(uses) = &step.kind {
                if let Some(image) = uses.text.trim().strip_prefix("docker://") {
                    images.push((step.file, uses, image));
                }
            }
        }
        images.sort_by_key(|(f, t, _)| (f.0, t.span.start));
        images.dedup_by_key(|(f, t, _)| (f.0, t.span));
        for (file, at, image) in images {
            let Some(r) = ImageRef::parse(image) else {
                continue;
            };
            if r.is_pinned() {
                continue;
            }
            let what = if at.text.trim_start().starts_with("docker://") {
                "step image"
            } else {
                "container image"
            };
            let message = format!("{what} `{}` is not pinned by digest", r.text);
            cx.report_in(file, at.span, message);
        }
    }
}
