//! DF001: FROM without a tag or with `:latest`.

use crate::rules::docker::{is_external_image, resolved_image};
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ImageTagLatest;

/// The tag of an image reference (`None` without one); digests count as pinned.
pub(crate) fn tag_of(reference: &str) -> Option<&str> {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.split_once(':').map(|(_, t)| t)
}

impl Rule for ImageTagLatest {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Dockerfile]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Dockerfile(d) = subject else { return };
        for stage in &d.stages {
            let Some(image) = resolved_image(d, stage) else {
                continue;
            };
            if !is_external_image(d, stage, &image) || image.contains('@') {
                continue;
            }
            match tag_of(&image) {
                None => {
                    cx.report(stage.image.span, format!("image `{image}` has no tag"));
                }
                Some("latest") => {
                    cx.report(stage.image.span, format!("image `{image}` uses the `latest` tag"));
                }
                Some(_) => {}
            }
        }
    }
}
