//! DF002: a production base image without `@sha256:`.

use crate::lang::docker::Dockerfile;
use crate::rules::docker::{is_external_image, resolved_image, shown};
use crate::rules::{target, FileContext, FileRule};

pub struct ImageNotDigestPinned;

impl FileRule for ImageNotDigestPinned {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        for stage in &d.stages {
            let Some(image) = resolved_image(d, stage) else {
                continue;
            };
            if !is_external_image(d, stage, &image) || image.contains("@sha256:") {
                continue;
            }
            cx.report(stage.image.span, format!("`{}` is not pinned by digest", shown(&image)));
        }
    }
}
