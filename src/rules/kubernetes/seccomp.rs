use crate::lang::k8s::ContainerKind;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct Seccomp;

impl Rule for Seccomp {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(o, c) = subject else { return };
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
