use crate::lang::k8s::Container;
use crate::lang::k8s::ImageRef;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct ContainerImageNotDigestPinned;

impl FileRule for ContainerImageNotDigestPinned {
    type Target = target::K8sContainer;

    fn check(&self, (_, c): (&Object, Container<'_>), cx: &mut FileContext<'_>) {
        let Some(image) = c.node.get("image") else { return };
        let Some(r) = image.as_str().and_then(ImageRef::parse) else {
            return;
        };
        if r.digest.is_none() {
            let text = image.as_str().unwrap_or_default();
            cx.report(image.span, format!("prod image `{text}` is not pinned by digest"));
        }
    }
}
