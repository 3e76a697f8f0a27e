use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct DefaultNamespace;

/// Kinds known to be namespaced (custom resources may be either, so they are left alone).
const NAMESPACED: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Ingress",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "PersistentVolumeClaim",
    "VirtualService",
    "DestinationRule",
    "Gateway",
    "PeerAuthentication",
    "AuthorizationPolicy",
    "ServiceEntry",
    "Sidecar",
    "RequestAuthentication",
];

impl FileRule for DefaultNamespace {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !NAMESPACED.contains(&o.kind.as_str()) || !super::is_builtin_group(o.group()) {
            return;
        }
        match o.effective_namespace.as_deref() {
            Some("default") => {
                let at = o.root.at("metadata.namespace").map(|n| n.span).unwrap_or(o.header);
                cx.report(at, format!("{} is in the `default` namespace", super::object_name(o)));
            }
            // kustomize overlays of the repository put it in their namespaces
            None if !o.overlay_namespaces.is_empty() => {}
            // a chart's objects go where `helm install -n` puts them
            None if cx.file.rendered.as_ref().is_some_and(|r| r.namespace_at_deploy) => {}
            None => {
                cx.report(o.header, format!("{} names no namespace", super::object_name(o)));
            }
            Some(_) => {}
        }
    }
}
