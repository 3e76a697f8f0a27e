use crate::lang::k8s::ContainerKind;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct NoRequests;

impl Rule for NoRequests {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        if c.kind == ContainerKind::Ephemeral {
            return; // ephemeral containers cannot have resources
        }
        let requests = c.node.at("resources.requests");
        let has = |k: &str| requests.and_then(|r| r.get(k)).is_some_and(|v| !v.is_null());
        let missing: Vec<&str> = [("cpu", "CPU"), ("memory", "memory")]
            .into_iter()
            .filter(|(k, _)| !has(k))
            .map(|(_, label)| label)
            .collect();
        if missing.is_empty() {
            return;
        }
        let at = c.node.entry("resources").map(|e| e.key_span).unwrap_or(c.header);
        cx.report(
            at,
            format!("{} has no {} request", super::container_name(&c), missing.join(" and ")),
        );
    }
}
