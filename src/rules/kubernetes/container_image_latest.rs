use crate::lang::k8s::Container;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::ImageRef;

pub struct ContainerImageLatest;

impl FileRule for ContainerImageLatest {
    type Target = target::K8sContainer;

    fn check(&self, (_, c): (&Object, Container<'_>), cx: &mut FileContext<'_>) {
        let Some(image) = c.node.get("image") else { return };
        let Some(r) = image.as_str().and_then(ImageRef::parse) else {
            return;
        };
        match r.latest() {
            Some(false) => {
                cx.report(
                    image.span,
                    format!("image `{}` has no tag (defaults to `latest`)", r.text),
                );
            }
            Some(true) => {
                cx.report(image.span, format!("image `{}` uses the `latest` tag", r.text));
            }
            None => {}
        }
    }
}
