use crate::lang::k8s::Container;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::ImageRef;

pub struct ImageRegistry;

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
        if allowed.iter().any(|a| r.is_under(a)) {
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
        // the registry is allowed, only other paths of it: name the repository
        let host_allowed = allowed
            .iter()
            .any(|a| r.is_under(a.trim().split('/').next().unwrap_or_default()));
        let message = if host_allowed {
            format!("image `{}` is outside the allowed paths; allowed: {list}", r.text)
        } else {
            format!("image registry `{}` is not allowed; allowed: {list}", r.registry)
        };
        cx.report(image.span, message);
    }
}
