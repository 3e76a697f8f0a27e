use crate::lang::k8s::Container;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::ImageRef;

pub struct ContainerImageNotDigestPinned;

impl FileRule for ContainerImageNotDigestPinned {
    type Target = target::K8sContainer;

    fn check(&self, (_, c): (&Object, Container<'_>), cx: &mut FileContext<'_>) {
        let Some(image) = c.node.get("image") else { return };
        let Some(r) = image.as_str().and_then(ImageRef::parse) else {
            return;
        };
        if !r.is_pinned() {
            cx.report(image.span, format!("prod image `{}` is not pinned by digest", r.text));
        }
    }
}
