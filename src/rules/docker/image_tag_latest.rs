//! DF001: FROM without a tag or with `:latest`.

use crate::lang::docker::Dockerfile;
use crate::rules::docker::{is_external_image, resolved_image, shown};
use crate::rules::{target, FileContext, FileRule};

pub struct ImageTagLatest;

/// The tag of an image reference (`None` without one); digests count as pinned.
pub(crate) fn tag_of(reference: &str) -> Option<&str> {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.split_once(':').map(|(_, t)| t)
}

impl FileRule for ImageTagLatest {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        for stage in &d.stages {
            let Some(image) = resolved_image(d, stage) else {
                continue;
            };
            if !is_external_image(d, stage, &image) || image.contains('@') {
                continue;
            }
            match tag_of(&image) {
                None => {
                    cx.report(stage.image.span, format!("image `{}` has no tag", shown(&image)));
                }
                Some("latest") => {
                    cx.report(
                        stage.image.span,
                        format!("image `{}` uses the `latest` tag", shown(&image)),
                    );
                }
                Some(_) => {}
            }
        }
    }
}
