use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct NoPdb;

impl FileRule for NoPdb {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !(o.is("Deployment") || o.is("StatefulSet")) || !o.is_pod_bearing() {
            return;
        }
        let covered = cx.project.workloads().has_disruption_budget(o);
        if !covered {
            cx.report(
                o.header,
                format!("prod {} has no PodDisruptionBudget", super::object_name(o)),
            );
        }
    }
}
