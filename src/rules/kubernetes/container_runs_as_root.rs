use crate::lang::k8s::Container;
use crate::lang::k8s::ContainerKind;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct ContainerRunsAsRoot;

impl FileRule for ContainerRunsAsRoot {
    type Target = target::K8sContainer;

    fn check(&self, (o, c): (&Object, Container<'_>), cx: &mut FileContext<'_>) {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let name = super::container_name(&c);
        // the container's setting overrides the pod's
        let user = super::container_security(&c, "runAsUser").or_else(|| super::pod_security(o, "runAsUser"));
        if let Some(u) = user {
            match u.as_i64() {
                Some(0) => {
                    cx.report(u.span, format!("{name} runs as user `0` (root)"));
                    return;
                }
                // a fixed non-zero user cannot be root
                Some(_) => return,
                None => {}
            }
        }
        let non_root = super::container_security(&c, "runAsNonRoot").or_else(|| super::pod_security(o, "runAsNonRoot"));
        match non_root {
            Some(v) if v.as_bool() == Some(true) || v.is_unknown() => {}
            Some(v) => {
                cx.report(v.span, format!("{name} may run as root: `runAsNonRoot` is not true"));
            }
            None => {
                cx.report(c.header, format!("{name} may run as root: no `runAsNonRoot: true`"));
            }
        }
    }
}
