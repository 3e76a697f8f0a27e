use crate::lang::k8s::ContainerKind;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct WritableRootFs;

impl Rule for WritableRootFs {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let name = super::container_name(&c);
        match super::container_security(&c, "readOnlyRootFilesystem") {
            Some(v) if v.as_bool() == Some(true) || v.is_unknown() => {}
            Some(v) => {
                cx.report(v.span, format!("{name} has a writable root filesystem"));
            }
            None => {
                cx.report(c.header, format!("{name} does not set `readOnlyRootFilesystem: true`"));
            }
        }
    }
}
