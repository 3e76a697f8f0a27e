//! DF001: FROM without a tag or with `:latest`.

use crate::diagnostic::shown;
use crate::lang::docker::Dockerfile;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::{base_of, Base, ImageRef};

pub struct ImageTagLatest;

impl FileRule for ImageTagLatest {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        for stage in &d.stages {
            let Base::Image(image) = base_of(d, stage) else {
                continue;
            };
            let Some(r) = ImageRef::parse(&image) else { continue };
            match r.latest() {
                Some(false) => {
                    cx.report(stage.image.span, format!("image `{}` has no tag", shown(&image)));
                }
                Some(true) => {
                    cx.report(
                        stage.image.span,
                        format!("image `{}` uses the `latest` tag", shown(&image)),
                    );
                }
                None => {}
            }
        }
    }
}
