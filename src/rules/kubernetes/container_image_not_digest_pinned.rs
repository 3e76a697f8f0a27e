use crate::lang::k8s::ImageRef;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ContainerImageNotDigestPinned;

impl Rule for ContainerImageNotDigestPinned {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(o, c) = subject else { return };
        let Some(image) = c.node.get("image") else { return };
        let Some(r) = image.as_str().and_then(ImageRef::parse) else {
            return;
        };
        if r.digest.is_none() && super::in_prod(cx, o) {
            let text = image.as_str().unwrap_or_default();
            cx.report(image.span, format!("prod image `{text}` is not pinned by digest"));
        }
    }
}
