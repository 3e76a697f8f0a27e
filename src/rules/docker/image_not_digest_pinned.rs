//! DF002: a production base image without a digest (`@sha256:`, `@sha512:`...).

use crate::diagnostic::shown;
use crate::lang::docker::Dockerfile;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::{base_of, Base, ImageRef};

pub struct ImageNotDigestPinned;

impl FileRule for ImageNotDigestPinned {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        for stage in &d.stages {
            let Base::Image(image) = base_of(d, stage) else {
                continue;
            };
            if ImageRef::parse(&image).is_none_or(|r| r.is_pinned()) {
                continue;
            }
            cx.report(stage.image.span, format!("`{}` is not pinned by digest", shown(&image)));
        }
    }
}
