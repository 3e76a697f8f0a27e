//! DC008: a service runs an image without a tag or with `:latest`.

use crate::diagnostic::shown;
use crate::lang::compose::{ComposeFile, Service};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::ImageRef;

pub struct ServiceImageLatest;

impl FileRule for ServiceImageLatest {
    type Target = target::ComposeService;

    fn check(&self, (_, svc): (&ComposeFile, &Service), cx: &mut FileContext<'_>) {
        // with `build:`, `image:` names the image Compose builds and tags, not one it pulls
        if svc.build().is_some() {
            return;
        }
        let Some(image) = svc.image() else { return };
        let Some(r) = ImageRef::parse(&image.text) else { return };
        let message = match r.latest() {
            Some(false) => format!("image `{}` has no tag", shown(&image.text)),
            Some(true) => format!("image `{}` uses the `latest` tag", shown(&image.text)),
            None => return,
        };
        cx.report(image.span, message);
    }
}
