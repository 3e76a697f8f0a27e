//! XR005: a Kubernetes workload runs an image from a registry other than the ones the
//! repository's Terraform provisions.
//!
//! Silent when the repository's Terraform provisions no registry, when one of its registries
//! has a computed name (the image could be from it), and when `[registries] allowed` is set:
//! K8S003 then checks images against the allowlist and the provisioned registries together.

use crate::project::Project;
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::semantic::image::ImageRef;

pub struct RegistryNotProvisioned;

impl ProjectRule for RegistryNotProvisioned {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        if !cx.settings.config.registries.allowed.is_empty() {
            return;
        }
        let registries = project.container_registries();
        let Some(first) = registries.first() else { return };
        if registries.iter().any(|r| r.location.is_none()) {
            return;
        }
        let names = registries
            .iter()
            .map(|r| format!("`{}`", r.display()))
            .collect::<Vec<_>>();
        let expected = match names.as_slice() {
            [one] => format!("the provisioned registry {one}"),
            many => format!("a provisioned registry ({})", many.join(", ")),
        };
        for (f, o) in project
            .workloads()
            .all()
            .iter()
            .filter_map(|w| project.workload_object(w))
        {
            for c in o.containers() {
                let Some(image) = c.node.get("image") else { continue };
                let Some(r) = image.as_str().and_then(ImageRef::parse) else {
                    continue;
                };
                if registries.iter().any(|g| g.admits(&r) == Some(true)) {
                    continue;
                }
                let d = cx.report_in(
                    f.source.id,
                    image.span,
                    format!("image from `{}`, not from {expected}", r.registry),
                );
                d.labels.push(Label {
                    file: first.file,
                    span: first.span,
                    message: format!("`{}` provisions `{}`", first.address, first.display()),
                });
            }
        }
    }
}
