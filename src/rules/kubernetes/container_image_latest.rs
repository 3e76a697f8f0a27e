use crate::lang::k8s::Container;
use crate::lang::k8s::ImageRef;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct ContainerImageLatest;

impl FileRule for ContainerImageLatest {
    type Target = target::K8sContainer;

    fn check(&self, (_, c): (&Object, Container<'_>), cx: &mut FileContext<'_>) {
        let Some(image) = c.node.get("image") else { return };
        let Some(r) = image.as_str().and_then(ImageRef::parse) else {
            return;
        };
        if r.digest.is_some() {
            return;
        }
        let text = image.as_str().unwrap_or_default();
        match r.tag {
            None => {
                cx.report(image.span, format!("image `{text}` has no tag (defaults to `latest`)"));
            }
            Some("latest") => {
                cx.report(image.span, format!("image `{text}` uses the `latest` tag"));
            }
            Some(_) => {}
        }
    }
}
