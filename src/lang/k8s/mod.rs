//! Kubernetes objects read from YAML documents: identity (apiVersion, kind, namespace, name,
//! labels, annotations), the pod-spec view shared by every pod-bearing kind, and label
//! selectors.

pub mod rbac;

use crate::lang::yaml::Stream;
use crate::source::node::{Node, NodeValue};
use crate::source::Span;

/// One Kubernetes object (a document, or an item of a `List`).
#[derive(Debug, Clone)]
pub struct Object {
    pub root: Node,
    pub api_version: String,
    pub kind: String,
    pub name: Option<String>,
    /// `metadata.namespace` as written.
    pub namespace: Option<String>,
    /// The namespace the object lands in: its own, or the one its directory's
    /// `kustomization.yaml` sets (filled in by the project index).
    pub effective_namespace: Option<String>,
    /// Namespaces that kustomize overlays of the repository deploy this object to, when they
    /// disagree (`effective_namespace` is then unset): a base shared by a dev and a prod overlay.
    pub overlay_namespaces: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    /// Index of the document in the stream.
    pub doc: usize,
    /// The `kind: X` entry: where findings about something missing point.
    pub header: Span,
}

/// The Kubernetes objects of one YAML file.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    pub objects: Vec<Object>,
    /// `kustomization.yaml` content, when the file is one.
    pub kustomization: Option<Kustomization>,
    /// The file is a patch a kustomization applies: partial objects, not linted on their own.
    pub patch: bool,
}

/// What linea reads from a kustomization: the namespace it sets and the files it patches.
#[derive(Debug, Clone, Default)]
pub struct Kustomization {
    pub namespace: Option<String>,
    /// Paths (relative to the kustomization's directory) of patch files.
    pub patches: Vec<String>,
    /// `resources:` entries (files or directories, relative to the kustomization's directory).
    pub resources: Vec<String>,
}

/// Whether a document root looks like a Kubernetes object.
pub fn is_object(root: &Node) -> bool {
    let s = |k: &str| root.get(k).and_then(Node::as_str).is_some_and(|v| !v.is_empty());
    s("apiVersion") && s("kind")
}

fn string_map(n: Option<&Node>) -> Vec<(String, String)> {
    n.map(|m| {
        m.entries()
            .iter()
            .map(|e| (e.key.clone(), e.value.scalar_text().unwrap_or_default()))
            .collect()
    })
    .unwrap_or_default()
}

fn object(root: Node, doc: usize) -> Object {
    let text = |n: Option<&Node>| n.and_then(Node::scalar_text).filter(|s| !s.is_empty());
    let api_version = text(root.get("apiVersion")).unwrap_or_default();
    let kind = text(root.get("kind")).unwrap_or_default();
    let meta = root.get("metadata");
    let name = text(meta.and_then(|m| m.get("name")));
    let namespace = text(meta.and_then(|m| m.get("namespace")));
    let labels = string_map(meta.and_then(|m| m.get("labels")));
    let annotations = string_map(meta.and_then(|m| m.get("annotations")));
    let header = root
        .entry("kind")
        .map(|e| e.key_span.cover(e.value.span))
        .unwrap_or(Span::empty(root.span.start));
    Object {
        api_version,
        kind,
        name,
        effective_namespace: namespace.clone(),
        overlay_namespaces: Vec::new(),
        namespace,
        labels,
        annotations,
        doc,
        header,
        root,
    }
}

/// The Kubernetes objects of a stream (List items flattened); the stream back when it holds none.
pub fn from_stream(stream: Stream) -> Result<Manifests, Stream> {
    if !stream.documents.iter().any(|d| is_object(&d.root)) {
        return Err(stream);
    }
    let mut m = Manifests::default();
    for d in stream.documents {
        if !is_object(&d.root) {
            continue;
        }
        let o = object(d.root, d.index);
        if o.api_version.starts_with("kustomize.config.k8s.io/") {
            let mut patches = Vec::new();
            for key in ["patchesStrategicMerge", "patchesJson6902", "patches"] {
                for p in o.root.get(key).map(Node::items).unwrap_or_default() {
                    let path = p.as_str().or_else(|| p.get("path").and_then(Node::as_str));
                    patches.extend(path.map(str::to_string));
                }
            }
            let resources = ["resources", "bases"]
                .iter()
                .flat_map(|k| o.root.get(k).map(Node::items).unwrap_or_default())
                .filter_map(Node::as_str)
                .map(str::to_string)
                .collect();
            m.kustomization = Some(Kustomization {
                namespace: o.root.get("namespace").and_then(Node::scalar_text),
                patches,
                resources,
            });
            continue;
        }
        if o.kind.ends_with("List") && o.root.get("items").is_some_and(Node::is_seq) {
            for item in o.root.get("items").map(Node::items).unwrap_or_default() {
                if is_object(item) {
                    m.objects.push(object(item.clone(), d.index));
                }
            }
            continue;
        }
        m.objects.push(o);
    }
    Ok(m)
}

impl Manifests {
    /// Let go of the validation schemas of the CustomResourceDefinitions ([`forget_crd_schemas`]).
    pub fn forget_crd_schemas(&mut self) {
        for o in &mut self.objects {
            forget_crd_schemas(&mut o.root);
        }
    }
}

/// Make the validation schemas of a CustomResourceDefinition unknown values
/// (`spec.versions[*].schema.openAPIV3Schema`, and v1beta1's `spec.validation`): they are most
/// of an operator's install manifest, and only a rule written for CRDs reads them. The keys stay,
/// with their spans. `root` is a document as written: an object, or a `List` of them. A run
/// whose rules may read the schemas keeps them.
pub fn forget_crd_schemas(root: &mut Node) {
    let text = |key: &str| root.get(key).and_then(Node::as_str).unwrap_or("");
    let (list, crd) = (
        text("kind").ends_with("List"),
        text("kind") == "CustomResourceDefinition" && text("apiVersion").starts_with("apiextensions.k8s.io/"),
    );
    if list {
        if let Some(NodeValue::Seq(items)) = root.get_mut("items").map(|n| &mut n.value) {
            items.iter_mut().for_each(forget_crd_schemas);
        }
        return;
    }
    if !crd {
        return;
    }
    let Some(spec) = root.get_mut("spec") else { return };
    let forget = |schema: Option<&mut Node>| {
        if let Some(n) = schema.and_then(|s| s.get_mut("openAPIV3Schema")) {
            n.value = NodeValue::Unknown(String::new());
        }
    };
    forget(spec.get_mut("validation"));
    if let Some(NodeValue::Seq(versions)) = spec.get_mut("versions").map(|v| &mut v.value) {
        for v in versions {
            forget(v.get_mut("schema"));
        }
    }
}

/// Which container list a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

/// One container of a pod spec.
#[derive(Debug, Clone, Copy)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    pub name: Option<&'a str>,
    /// The `name:` entry, or the start of the list item: where "missing" findings point.
    pub header: Span,
}

impl Container<'_> {
    pub fn get(&self, path: &str) -> Option<&Node> {
        self.node.at(path)
    }
}

/// Groups whose workload kinds carry a pod template (a CRD named `Deployment` does not count).
fn is_workload_group(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    matches!(group, "" | "apps" | "extensions" | "batch")
}

/// Kinds that run pods.
pub const POD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

impl Object {
    pub fn is(&self, kind: &str) -> bool {
        self.kind == kind
    }

    /// The API group (`apps`, `networking.istio.io`; `` for the core group).
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("")
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Whether a Service's cloud load balancer is internal (a private address in the VNet or
    /// VPC), by the annotations of AKS, EKS and GKE.
    pub fn internal_load_balancer(&self) -> bool {
        let is = |k: &str, want: &str| self.annotation(k).is_some_and(|v| v.trim().eq_ignore_ascii_case(want));
        is("service.beta.kubernetes.io/azure-load-balancer-internal", "true")
            || is("service.beta.kubernetes.io/aws-load-balancer-internal", "true")
            // the legacy AWS form takes a CIDR too
            || self
                .annotation("service.beta.kubernetes.io/aws-load-balancer-internal")
                .is_some_and(|v| v.contains('/'))
            || is("service.beta.kubernetes.io/aws-load-balancer-scheme", "internal")
            || is("networking.gke.io/load-balancer-type", "internal")
            || is("cloud.google.com/load-balancer-type", "internal")
    }

    pub fn spec(&self) -> Option<&Node> {
        self.root.get("spec")
    }

    pub fn is_pod_bearing(&self) -> bool {
        POD_KINDS.contains(&self.kind.as_str()) && is_workload_group(&self.api_version)
    }

    /// The pod template (`metadata` + `spec`) of a workload; the object itself for a Pod.
    pub fn pod_template(&self) -> Option<&Node> {
        if !self.is_pod_bearing() {
            return None;
        }
        match self.kind.as_str() {
            "Pod" => Some(&self.root),
            "CronJob" => self.root.at("spec.jobTemplate.spec.template"),
            _ => self.root.at("spec.template"),
        }
        .filter(|n| n.is_map())
    }

    /// The pod spec of a pod-bearing object.
    pub fn pod_spec(&self) -> Option<&Node> {
        self.pod_template()?.get("spec").filter(|n| n.is_map())
    }

    /// Labels of the pods this object runs.
    pub fn pod_labels(&self) -> Vec<(String, String)> {
        if self.kind == "Pod" {
            return self.labels.clone();
        }
        string_map(self.pod_template().and_then(|t| t.at("metadata.labels")))
    }

    /// Annotations of the pods this object runs.
    pub fn pod_annotations(&self) -> Vec<(String, String)> {
        if self.kind == "Pod" {
            return self.annotations.clone();
        }
        string_map(self.pod_template().and_then(|t| t.at("metadata.annotations")))
    }

    /// Every container of the pod spec: regular, init and ephemeral.
    pub fn containers(&self) -> Vec<Container<'_>> {
        let Some(spec) = self.pod_spec() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, kind) in [
            ("initContainers", ContainerKind::Init),
            ("containers", ContainerKind::Container),
            ("ephemeralContainers", ContainerKind::Ephemeral),
        ] {
            for c in spec.get(key).map(Node::items).unwrap_or_default() {
                if !c.is_map() {
                    continue;
                }
                let name_entry = c.entry("name");
                out.push(Container {
                    node: c,
                    kind,
                    name: name_entry.and_then(|e| e.value.as_str()),
                    header: name_entry
                        .map(|e| e.key_span.cover(e.value.span))
                        .unwrap_or(Span::empty(c.span.start)),
                });
            }
        }
        out
    }
}

/// Labels controllers put on pods they create, absent from every pod template.
pub const CONTROLLER_LABELS: &[&str] = &[
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-revision-hash",
    "pod-template-hash",
    "pod-template-generation",
    "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "controller-uid",
];

/// A label selector: `matchLabels` + `matchExpressions`, or a Service's plain map.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    pub labels: Vec<(String, String)>,
    pub expressions: Vec<Requirement>,
    /// Some part could not be read (a template, an unknown operator): never decide on it.
    pub unknown: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

impl Selector {
    /// A `LabelSelector` (Deployment, PDB, NetworkPolicy).
    pub fn from_label_selector(n: &Node) -> Selector {
        let mut s = Selector {
            labels: string_map(n.get("matchLabels")),
            ..Selector::default()
        };
        for e in n.get("matchExpressions").map(Node::items).unwrap_or_default() {
            let key = e.get("key").and_then(Node::scalar_text);
            let op = e.get("operator").and_then(Node::scalar_text);
            let (Some(key), Some(operator)) = (key, op) else {
                s.unknown = true;
                continue;
            };
            let values = e
                .get("values")
                .map(|v| v.items().iter().filter_map(Node::scalar_text).collect())
                .unwrap_or_default();
            if !matches!(operator.as_str(), "In" | "NotIn" | "Exists" | "DoesNotExist") {
                s.unknown = true;
            }
            s.expressions.push(Requirement { key, operator, values });
        }
        if !matches!(n.value, NodeValue::Map(_)) {
            s.unknown = true;
        }
        s
    }

    /// A Service selector: a plain label map.
    pub fn from_map(n: &Node) -> Selector {
        Selector {
            labels: string_map(Some(n)),
            unknown: !n.is_map(),
            ..Selector::default()
        }
    }

    /// The selector without the labels controllers add to pods at runtime
    /// (`statefulset.kubernetes.io/pod-name`, `pod-template-hash`...), which no pod template
    /// carries: matched against a template, those terms cannot be decided and are dropped.
    pub fn for_templates(&self) -> Selector {
        let runtime = |k: &str| CONTROLLER_LABELS.contains(&k);
        Selector {
            labels: self.labels.iter().filter(|(k, _)| !runtime(k)).cloned().collect(),
            expressions: self.expressions.iter().filter(|r| !runtime(&r.key)).cloned().collect(),
            unknown: self.unknown,
        }
    }

    /// An empty selector (`{}`) selects everything.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.expressions.is_empty()
    }

    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
        self.labels.iter().all(|(k, v)| get(k) == Some(v.as_str()))
            && self.expressions.iter().all(|r| {
                let v = get(&r.key);
                match r.operator.as_str() {
                    "In" => v.is_some_and(|v| r.values.iter().any(|x| x == v)),
                    "NotIn" => v.is_none_or(|v| !r.values.iter().any(|x| x == v)),
                    "Exists" => v.is_some(),
                    "DoesNotExist" => v.is_none(),
                    _ => false,
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::yaml;

    #[test]
    fn reads_objects_lists_and_kustomizations() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n---\n\
                    apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop-prod\n---\nfoo: bar\n";
        let m = from_stream(yaml::parse(text)).unwrap();
        assert_eq!(m.objects.len(), 1);
        assert_eq!(m.objects[0].kind, "Service");
        assert_eq!(m.kustomization.unwrap().namespace.as_deref(), Some("shop-prod"));
        assert!(from_stream(yaml::parse("foo: bar\n")).is_err());
    }

    #[test]
    fn pod_spec_view_covers_every_workload_kind() {
        let pod = "spec:\n      initContainers: [{name: init, image: busybox}]\n      containers: [{name: app, image: nginx}]\n      ephemeralContainers: [{name: dbg, image: busybox}]\n";
        let cases = [
            ("v1", "Pod", "spec:\n  initContainers: [{name: init, image: busybox}]\n  containers: [{name: app, image: nginx}]\n  ephemeralContainers: [{name: dbg, image: busybox}]\n".to_string()),
            ("apps/v1", "Deployment", format!("spec:\n  template:\n    {pod}")),
            ("batch/v1", "CronJob", format!("spec:\n  jobTemplate:\n    spec:\n      template:\n        {}", pod.replace("\n      ", "\n          "))),
        ];
        for (api, kind, body) in cases {
            let text = format!("apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\n{body}");
            let m = from_stream(yaml::parse(&text)).unwrap();
            let names: Vec<_> = m.objects[0].containers().iter().map(|c| c.name.unwrap_or("")).collect();
            assert_eq!(names, ["init", "app", "dbg"], "{kind}: {text}");
        }
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let sel = yaml::parse(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [front, edge]}\n- {key: canary, operator: DoesNotExist}\n- {key: env, operator: NotIn, values: [dev]}\n- {key: team, operator: Exists}\n",
        );
        let s = Selector::from_label_selector(&sel.documents[0].root);
        let l = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert!(s.matches(&l(&[("app", "web"), ("tier", "edge"), ("team", "a")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "back"), ("team", "a")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "edge"), ("team", "a"), ("canary", "1")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "edge"), ("team", "a"), ("env", "dev")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "edge")])));
    }

    #[test]
    fn crd_schemas_are_forgotten_in_lists_and_only_in_crds() {
        let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: apiextensions.k8s.io/v1\n    kind: CustomResourceDefinition\n    metadata: {name: a.example.com}\n    spec:\n      versions:\n        - name: v1\n          schema:\n            openAPIV3Schema: {type: object}\n---\napiVersion: example.com/v1\nkind: CustomResourceDefinition\nmetadata: {name: b}\nspec:\n  versions:\n    - schema:\n        openAPIV3Schema: {type: object}\n";
        let mut stream = yaml::parse(text);
        for d in &mut stream.documents {
            forget_crd_schemas(&mut d.root);
        }
        let schema = |d: usize, path: &str| stream.documents[d].root.at(path).map(|n| n.value.clone());
        assert_eq!(
            schema(0, "items[0].spec.versions[0].schema.openAPIV3Schema"),
            Some(NodeValue::Unknown(String::new()))
        );
        // the schema's key stays where it is written
        assert!(stream.documents[0]
            .root
            .at("items[0].spec.versions[0].schema")
            .is_some_and(|s| s.entry("openAPIV3Schema").is_some()));
        // a kind of that name in another group is not Kubernetes' CRD
        assert!(schema(1, "spec.versions[0].schema.openAPIV3Schema").is_some_and(|v| matches!(v, NodeValue::Map(_))));
    }
}
