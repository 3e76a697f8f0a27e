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
        let scaled = cx.project.k8s_of_kind("HorizontalPodAutoscaler").any(|(_, h)| {
            let target = h.root.at("spec.scaleTargetRef");
            target.and_then(|t| t.get("kind")).and_then(|k| k.as_str()) == Some(o.kind.as_str())
                && target.and_then(|t| t.get("name")).and_then(|k| k.as_str()) == o.name.as_deref()
                && crate::project::k8s::same_namespace(o, h)
        });
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
