use crate::lang::k8s::ImageRef;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ImageRegistry;

/// Whether `allowed` (a registry host, or a host with a path prefix) admits the image.
fn admits(allowed: &str, r: &ImageRef<'_>) -> bool {
    let allowed = allowed.trim().trim_end_matches('/');
    let full = format!("{}/{}", r.registry, r.repository);
    allowed.eq_ignore_ascii_case(r.registry) || full == allowed || full.starts_with(&format!("{allowed}/"))
}

/// Login servers of the container registries the repository's Terraform provisions
/// (`azurerm_container_registry` with a known name → `<name>.azurecr.io`).
fn provisioned(project: &crate::project::Project) -> Vec<String> {
    let mut out = Vec::new();
    for module in &project.terraform {
        for b in module.blocks(&project.files) {
            if b.kind == "resource" && b.type_name() == "azurerm_container_registry" && b.enabled {
                if let Some(name) = b.body.get("name").and_then(|n| n.as_str()) {
                    out.push(format!("{}.azurecr.io", name.to_ascii_lowercase()));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

impl Rule for ImageRegistry {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        let mut allowed = cx.settings.config.registries.allowed.clone();
        allowed.extend(provisioned(cx.project));
        // no allowlist and no provisioned registry: nothing is known, nothing is reported
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
        let list = allowed.join(", ");
        cx.report(
            image.span,
            format!("image registry `{}` is not allowed; allowed: {list}", r.registry),
        );
    }
}
