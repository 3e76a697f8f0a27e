use crate::lang::k8s::ImageRef;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ContainerImageLatest;

impl Rule for ContainerImageLatest {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
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
