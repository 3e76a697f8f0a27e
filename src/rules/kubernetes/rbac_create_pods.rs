use crate::lang::k8s::rbac;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct RbacCreatePods;

/// Resources whose creation runs a pod, by API group (`extensions` for the legacy ones).
const WORKLOADS: &[(&str, &[&str])] = &[
    ("pods", &[""]),
    ("replicationcontrollers", &[""]),
    ("deployments", &["apps", "extensions"]),
    ("replicasets", &["apps", "extensions"]),
    ("daemonsets", &["apps", "extensions"]),
    ("statefulsets", &["apps"]),
    ("jobs", &["batch"]),
    ("cronjobs", &["batch"]),
];

impl FileRule for RbacCreatePods {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        for rule in rbac::rules(o) {
            if rule.named_objects || rule.verb("create").is_none() {
                continue;
            }
            // `*` resources grant these too; K8S030 (rbac-wildcard) reports the `*`
            let granted: Vec<_> = WORKLOADS
                .iter()
                .filter(|(_, groups)| rule.any_group(groups).is_some())
                .filter_map(|(r, _)| match rule.resource(r) {
                    Some(rbac::Grant::Named(token)) => Some((*r, token)),
                    _ => None,
                })
                .collect();
            let Some((_, first)) = granted.first() else {
                continue;
            };
            let list = granted
                .iter()
                .map(|(r, _)| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ");
            cx.report(first.span, format!("{} can create {list}", super::object_name(o)));
        }
    }
}
