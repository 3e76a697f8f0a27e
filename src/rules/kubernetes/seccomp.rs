use crate::lang::k8s::Container;
use crate::lang::k8s::ContainerKind;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct Seccomp;

impl FileRule for Seccomp {
    type Target = target::K8sContainer;

    fn check(&self, (o, c): (&Object, Container<'_>), cx: &mut FileContext<'_>) {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let name = super::container_name(&c);
        let profile = super::container_security(&c, "seccompProfile")
            .or_else(|| super::pod_security(o, "seccompProfile"))
            .and_then(|p| p.get("type"));
        match profile {
            Some(t) if matches!(t.as_str(), Some("RuntimeDefault" | "Localhost")) || t.is_unknown() => {}
            Some(t) => {
                let v = t.scalar_text().unwrap_or_default();
                cx.report(t.span, format!("{name} uses seccomp profile `{v}`"));
            }
            None => {
                // the pre-1.19 annotations still count
                let annotations = o.pod_annotations();
                let by_annotation = annotations.iter().any(|(k, v)| {
                    let for_this = k == "seccomp.security.alpha.kubernetes.io/pod"
                        || c.name
                            .is_some_and(|n| k == &format!("container.seccomp.security.alpha.kubernetes.io/{n}"));
                    for_this && (v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/"))
                });
                if !by_annotation {
                    cx.report(c.header, format!("{name} has no `RuntimeDefault` seccomp profile"));
                }
            }
        }
    }
}
