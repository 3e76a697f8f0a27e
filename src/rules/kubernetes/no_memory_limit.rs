use crate::lang::k8s::ContainerKind;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct NoMemoryLimit;

impl Rule for NoMemoryLimit {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        if c.node.at("resources.limits.memory").is_some_and(|v| !v.is_null()) {
            return;
        }
        let at = c.node.entry("resources").map(|e| e.key_span).unwrap_or(c.header);
        cx.report(at, format!("{} has no memory limit", super::container_name(&c)));
    }
}
