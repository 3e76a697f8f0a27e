//! CI014: an image a pipeline runs — a job's container or service, an Azure container
//! resource, a GitHub `uses: docker://…` step — not pinned by digest.

use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::{StepKind, Text};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::ImageRef;

pub struct ContainerNotPinned;

impl FileRule for ContainerNotPinned {
    type Target = target::Pipeline;

    fn check(&self, p: &Pipeline, cx: &mut FileContext<'_>) {
        let mut images: Vec<(&Text, &str)> = Vec::new();
        for j in &p.jobs {
            images.extend(j.containers.iter().map(|c| (c, "container image")));
            for s in &j.steps {
                if let StepKind::Action(uses) = &s.kind {
                    if uses.text.trim().starts_with("docker://") {
                        images.push((uses, "step image"));
                    }
                }
            }
        }
        images.extend(
            p.container_resources
                .iter()
                .map(|(_, image)| (image, "container image")),
        );
        images.sort_by_key(|(t, _)| t.span.start);
        images.dedup_by_key(|(t, _)| t.span);
        for (image, what) in images {
            let Some(r) = ImageRef::parse(&image.text) else {
                continue;
            };
            if r.is_pinned() {
                continue;
            }
            let message = format!("{what} `{}` is not pinned by digest", r.text);
            cx.report_in(p.file, image.span, message);
        }
    }
}
