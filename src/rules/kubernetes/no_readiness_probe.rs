use crate::lang::k8s::Container;
use crate::lang::k8s::ContainerKind;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct NoReadinessProbe;

impl FileRule for NoReadinessProbe {
    type Target = target::K8sContainer;

    fn check(&self, (o, c): (&Object, Container<'_>), cx: &mut FileContext<'_>) {
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
