use crate::lang::k8s::Container;
use crate::lang::k8s::ImageRef;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct ImageRegistry;

/// Whether `allowed` (a registry host, or a host with a path prefix) admits the image.
fn admits(allowed: &str, r: &ImageRef<'_>) -> bool {
    let allowed = allowed.trim().trim_end_matches('/');
    let full = format!("{}/{}", r.registry, r.repository);
    allowed.eq_ignore_ascii_case(r.registry) || full == allowed || full.starts_with(&format!("{allowed}/"))
}

impl FileRule for ImageRegistry {
    type Target = target::K8sContainer;

    fn check(&self, (_, c): (&Object, Container<'_>), cx: &mut FileContext<'_>) {
        let allowed = &cx.settings.config.registries.allowed;
        // without an allowlist XR005 compares images with the registries Terraform provisions
        if allowed.is_empty() {
            return;
        }
        let Some(image) = c.node.get("image") else { return };
        let Some(r) = image.as_str().and_then(ImageRef::parse) else {
            return;
        };
        if allowed.iter().any(|a| admits(a, &r)) {
            return;
        }
        let registries = cx.project.container_registries();
        // a provisioned registry counts as allowed; one whose name is computed could be this one
        if registries.iter().any(|g| g.admits(&r) != Some(false)) {
            return;
        }
        let mut list = allowed.clone();
        list.extend(registries.iter().map(|g| g.display()));
        let list = list.join(", ");
        cx.report(
            image.span,
            format!("image registry `{}` is not allowed; allowed: {list}", r.registry),
        );
    }
}
