//! CI014: a pipeline job's container image not pinned by digest.

use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::Text;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::ImageRef;

pub struct ContainerNotPinned;

impl FileRule for ContainerNotPinned {
    type Target = target::Pipeline;

    fn check(&self, p: &Pipeline, cx: &mut FileContext<'_>) {
        let mut images: Vec<&Text> = p.jobs.iter().flat_map(|j| j.containers.iter()).collect();
        images.extend(p.container_resources.iter().map(|(_, image)| image));
        images.sort_by_key(|t| t.span.start);
        images.dedup_by_key(|t| t.span);
        for image in images {
            let Some(r) = ImageRef::parse(&image.text) else {
                continue;
            };
            if r.is_pinned() {
                continue;
            }
            let message = format!("container image `{}` is not pinned by digest", r.text);
            cx.report_in(p.file, image.span, message);
        }
    }
}
