use crate::lang::k8s::ContainerKind;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct NoReadinessProbe;

impl Rule for NoReadinessProbe {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(o, c) = subject else { return };
        // init and ephemeral containers cannot have probes; Jobs run to completion
        if c.kind != ContainerKind::Container || o.is("Job") || o.is("CronJob") {
            return;
        }
        if c.node.get("readinessProbe").is_some_and(|p| p.is_map()) {
            return;
        }
        cx.report(
            c.header,
            format!("{} has no readiness probe", super::container_name(&c)),
        );
    }
}
