//! The service mesh of the project, indexed once: the namespaces objects land in, Services by
//! name, Istio Gateways by name, and the hosts ServiceEntries declare — what VirtualServices
//! and DestinationRules are resolved against, by key.

use std::collections::{HashMap, HashSet};

use crate::lang::k8s::Object;
use crate::project::k8s::ObjectRef;
use crate::project::{Model, ParsedFile, Project};
use crate::source::Node;

/// Whether an object is an Istio resource of `kind` (any API version).
pub fn is_istio(o: &Object, kind: &str) -> bool {
    o.kind == kind && o.group().ends_with(".istio.io")
}

/// What the mesh rules look hosts and gateways up in.
#[derive(Debug, Default)]
pub struct Mesh {
    namespaces: HashSet<String>,
    services: HashMap<String, Vec<ObjectRef>>,
    /// Services by name, then by the namespace they name (`None`: none).
    services_in: HashMap<String, HashMap<Option<String>, ObjectRef>>,
    gateways: HashMap<String, Vec<ObjectRef>>,
    entry_hosts: HashSet<String>,
    any_service: bool,
    in_use: bool,
    steps: super::workloads::Steps,
}

/// Istio's root namespace, where the control plane and its gateways run by default.
pub const ROOT_NAMESPACE: &str = "istio-system";

/// Services an Istio installation runs in its root namespace: routes to them need no
/// Service in the repository.
const MESH_SERVICES: &[&str] = &[
    "istiod",
    "istio-ingressgateway",
    "istio-egressgateway",
    "istio-eastwestgateway",
    "istiod-remote",
];

/// Whether an object shows that the mesh is in use: an Istio resource, a namespace with
/// injection or ambient mode on, a pod template that talks to the injector.
fn shows_mesh(o: &Object) -> bool {
    if o.group().ends_with(".istio.io") {
        return true;
    }
    let istio_key = |k: &str| {
        k == "istio.io/rev"
            || k == "istio.io/dataplane-mode"
            || k.starts_with("sidecar.istio.io/")
            || k.starts_with("proxy.istio.io/")
            || k.starts_with("traffic.sidecar.istio.io/")
    };
    if o.is("Namespace") {
        return o.label("istio-injection") == Some("enabled") || o.labels.iter().any(|(k, _)| istio_key(k));
    }
    o.is_pod_bearing() && {
        let labels = o.pod_labels();
        let annotations = o.pod_annotations();
        labels.iter().chain(&annotations).any(|(k, _)| istio_key(k))
    }
}

/// Whether a Terraform block installs Istio: an AKS cluster with the Istio add-on
/// (`service_mesh_profile`), or a `helm_release` of an Istio chart.
fn installs_mesh(b: &crate::lang::terraform::TfBlock) -> bool {
    if b.kind != "resource" || !b.enabled {
        return false;
    }
    let text = |path: &str| b.body.at(path).and_then(Node::as_str).unwrap_or("");
    match b.type_name() {
        "azurerm_kubernetes_cluster" => b.body.get("service_mesh_profile").is_some(),
        "helm_release" => {
            let chart = text("chart");
            chart == "istiod" || chart.starts_with("istio") || text("repository").contains("istio")
        }
        _ => false,
    }
}

/// Whether a file is the `Chart.yaml` of an Istio chart, or of a chart that depends on one.
fn istio_chart(f: &ParsedFile) -> bool {
    if f.source.path.file_name().is_none_or(|n| n != "Chart.yaml") {
        return false;
    }
    let Model::Yaml(stream) = &f.model else { return false };
    let Some(doc) = stream.documents.first() else {
        return false;
    };
    let istio = |n: &str| n == "istiod" || n.starts_with("istio");
    doc.root.get("name").and_then(Node::as_str).is_some_and(istio)
        || doc.root.select("dependencies[*]").iter().any(|d| {
            d.get("name").and_then(Node::as_str).is_some_and(istio)
                || d.get("repository")
                    .and_then(Node::as_str)
                    .is_some_and(|r| r.contains("istio"))
        })
}

impl Mesh {
    pub fn build(project: &Project) -> Mesh {
        let mut mesh = Mesh::default();
        for &at in project.k8s.refs() {
            let Some((_, o)) = project.k8s_object(at) else { continue };
            if let Some(ns) = &o.effective_namespace {
                mesh.namespaces.insert(ns.clone());
            }
            if o.is("ServiceEntry") {
                for h in o.root.select("spec.hosts[*]") {
                    if let Some(h) = h.as_str() {
                        mesh.entry_hosts.insert(h.to_string());
                    }
                }
            }
            if o.is("Service") {
                mesh.any_service = true;
            }
            mesh.in_use = mesh.in_use || shows_mesh(o);
            let Some(name) = &o.name else { continue };
            if o.is("Service") {
                if o.group().is_empty() {
                    mesh.services.entry(name.clone()).or_default().push(at);
                    // the first of a name in each namespace: what a lookup finds
                    mesh.services_in
                        .entry(name.clone())
                        .or_default()
                        .entry(o.effective_namespace.clone())
                        .or_insert(at);
                }
            } else if is_istio(o, "Gateway") {
                mesh.gateways.entry(name.clone()).or_default().push(at);
            }
        }
        mesh.in_use = mesh.in_use
            || project.terraform.iter().any(|m| m.blocks().any(installs_mesh))
            || project.files.iter().any(istio_chart);
        mesh
    }

    /// Whether the repository uses Istio (see [`crate::rules::meta::Requirement::IstioMesh`]).
    pub fn in_use(&self) -> bool {
        self.in_use
    }

    /// Whether a host names a service Istio itself runs (`istiod.istio-system`), which no
    /// manifest of the repository declares. A host that names no namespace is resolved in
    /// the namespace of `from`.
    pub fn provides(&self, svc: &str, ns: Option<&str>, from: &Object) -> bool {
        let ns = ns.or(from.effective_namespace.as_deref());
        ns == Some(ROOT_NAMESPACE)
            && (MESH_SERVICES.contains(&svc) || svc.strip_prefix("istiod-").is_some_and(|rev| !rev.is_empty()))
    }

    /// Whether any Service (of any API group) is scanned.
    pub fn has_services(&self) -> bool {
        self.any_service
    }

    /// Whether a ServiceEntry declares `host`.
    pub fn declares_host(&self, host: &str) -> bool {
        self.entry_hosts.contains(host)
    }

    /// A host written as a cluster service name: `reviews`, `reviews.shop`, `reviews.shop.svc`,
    /// `reviews.shop.svc.cluster.local`, split into (service, namespace if written).
    /// `None` for external names (`api.stripe.com`), wildcards and templated values.
    pub fn host<'a>(&self, host: &'a str) -> Option<(&'a str, Option<&'a str>)> {
        if host.is_empty() || host.contains('*') || host.contains("{{") {
            return None;
        }
        let host = host
            .strip_suffix(".svc.cluster.local")
            .or_else(|| host.strip_suffix(".svc"))
            .unwrap_or(host);
        let parts: Vec<&str> = host.split('.').collect();
        match parts.as_slice() {
            [svc] => Some((svc, None)),
            // `name.ns` only when `ns` is a namespace we know; `httpbin.org` is not
            [svc, ns] if self.namespaces.contains(*ns) => Some((svc, Some(ns))),
            _ => None,
        }
    }

    /// The Service a mesh host names, seen from an object: in the namespace the host names,
    /// else in the object's (a Service that names no namespace matches any).
    pub fn service<'p>(
        &self,
        project: &'p Project,
        svc: &str,
        ns: Option<&str>,
        from: &Object,
    ) -> Option<(&'p ParsedFile, &'p Object)> {
        let want_ns = ns.or(from.effective_namespace.as_deref());
        self.steps.add(1);
        let at = match want_ns {
            // any namespace: the first of the name
            None => self.services.get(svc).and_then(|v| v.first()).copied(),
            // the first of the name in that namespace or in none
            Some(ns) => {
                let by_ns = self.services_in.get(svc)?;
                let here = by_ns.get(&Some(ns.to_string()));
                let anywhere = by_ns.get(&None);
                match (here, anywhere) {
                    (Some(a), Some(b)) => Some(if (a.file.0, a.index) <= (b.file.0, b.index) {
                        *a
                    } else {
                        *b
                    }),
                    (a, b) => a.or(b).copied(),
                }
            }
        };
        project.k8s_object(at?)
    }

    /// Work done by this index's lookups so far.
    pub fn steps(&self) -> u64 {
        self.steps.get()
    }

    /// The Istio Gateways a VirtualService's `gateways` entry names, resolved like istiod does:
    /// `ns/name`, `./name`, legacy `name.ns[.svc.cluster.local]`, or `name` in the namespace of
    /// `from`. Empty when the reference is templated or names no scanned Gateway; `mesh` names
    /// the sidecars, not a Gateway object, so it resolves to nothing too.
    pub fn gateways<'p>(&self, project: &'p Project, gw_ref: &str, from: &Object) -> Vec<(&'p ParsedFile, &'p Object)> {
        let gw_ref = gw_ref.trim();
        if gw_ref.is_empty() || gw_ref == "mesh" || gw_ref.contains("{{") || gw_ref.contains('$') {
            return Vec::new();
        }
        let (ns, name) = match gw_ref.split_once('/') {
            Some((".", name)) => (None, name),
            Some((ns, name)) => (Some(ns), name),
            None => match gw_ref.split_once('.') {
                Some((name, rest)) => (rest.split('.').next(), name),
                None => (None, gw_ref),
            },
        };
        let want_ns = ns.or(from.effective_namespace.as_deref());
        self.gateways
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .filter_map(|&r| project.k8s_object(r))
            .filter(|(_, g)| same(want_ns, g.effective_namespace.as_deref()))
            .collect()
    }
}

fn same(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

impl Project {
    /// The mesh's namespaces, Services, Gateways and ServiceEntry hosts (indexed once).
    pub fn mesh(&self) -> &Mesh {
        self.indexes.mesh.get_or_init(|| Mesh::build(self))
    }
}
