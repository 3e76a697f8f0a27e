//! Kubernetes rules (K8S). Shared logic: security-context lookups over the pod-spec view,
//! environment refinement per object, and workload grouping by namespace.

use std::collections::BTreeMap;

use crate::lang::k8s::{Container, Object};
pub use crate::project::k8s::is_builtin_group;
use crate::project::{ParsedFile, Project};
use crate::source::{Node, Span};

pub mod container_image_latest;
pub mod container_image_not_digest_pinned;
pub mod container_runs_as_root;
pub mod dangling_service;
pub mod default_namespace;
pub mod deprecated_api;
pub mod duplicate_object;
pub mod external_port;
pub mod gpu_limits;
pub mod image_registry;
pub mod missing_labels;
pub mod no_liveness_probe;
pub mod no_network_policy;
pub mod no_pdb;
pub mod no_readiness_probe;
pub mod rbac_create_pods;
pub mod rbac_escalation_verb;
pub mod rbac_pod_exec;
pub mod rbac_secret_read;
pub mod sa_token_automount;
pub mod seccomp;
pub mod service_port_mismatch;
pub mod single_replica;

/// The span of `key: value` in a map.
pub fn entry_span(n: &Node, key: &str) -> Option<Span> {
    n.entry(key).map(|e| e.key_span.cover(e.value.span))
}

/// A container's `securityContext.<key>`.
pub fn container_security<'a>(c: &Container<'a>, key: &str) -> Option<&'a Node> {
    c.node.get("securityContext")?.get(key)
}

/// The pod's `securityContext.<key>`.
pub fn pod_security<'a>(o: &'a Object, key: &str) -> Option<&'a Node> {
    o.pod_spec()?.get("securityContext")?.get(key)
}

/// `container `api`` for messages.
pub fn container_name(c: &Container<'_>) -> String {
    match c.name {
        Some(n) => format!("container `{n}`"),
        None => "container".into(),
    }
}

/// `Deployment `api`` for messages.
pub fn object_name(o: &Object) -> String {
    match &o.name {
        Some(n) => format!("{} `{n}`", o.kind),
        None => o.kind.clone(),
    }
}

/// Pod-bearing objects grouped by effective namespace (`""` when none is named).
pub fn workloads_by_namespace(project: &Project) -> BTreeMap<String, Vec<(&ParsedFile, &Object)>> {
    let mut out: BTreeMap<String, Vec<(&ParsedFile, &Object)>> = BTreeMap::new();
    for (f, o) in project
        .workloads()
        .all()
        .iter()
        .filter_map(|w| project.workload_object(w))
    {
        out.entry(o.effective_namespace.clone().unwrap_or_default())
            .or_default()
            .push((f, o));
    }
    out
}
