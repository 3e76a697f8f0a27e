use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct SingleReplica;

impl FileRule for SingleReplica {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !(o.is("Deployment") || o.is("StatefulSet")) || !o.is_pod_bearing() {
            return;
        }
        // an autoscaler owns the replica count
        let project = cx.project;
        let scaled = project
            .k8s
            .scalers_of(&o.kind, o.name.as_deref())
            .iter()
            .filter_map(|r| project.k8s_object(*r))
            .any(|(_, h)| crate::project::k8s::same_namespace(o, h));
        if scaled {
            return;
        }
        match o.root.at("spec.replicas") {
            Some(r) => {
                if let Some(n) = r.as_i64().filter(|n| *n < 2) {
                    cx.report(r.span, format!("prod {} runs `{n}` replica", super::object_name(o)));
                }
            }
            None => {
                cx.report(
                    o.header,
                    format!("prod {} sets no replicas (defaults to 1)", super::object_name(o)),
                );
            }
        }
    }
}
