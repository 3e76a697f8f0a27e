//! DF002: a production base image without `@sha256:`.

use crate::rules::docker::{is_external_image, resolved_image};
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ImageNotDigestPinned;

impl Rule for ImageNotDigestPinned {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Dockerfile]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Dockerfile(d) = subject else { return };
        for stage in &d.stages {
            let Some(image) = resolved_image(d, stage) else {
                continue;
            };
            if !is_external_image(d, stage, &image) || image.contains("@sha256:") {
                continue;
            }
            cx.report(
                stage.image.span,
                format!("base image `{image}` is not pinned by digest"),
            );
        }
    }
}
