//! The project's Kubernetes workloads, indexed once: every pod-bearing object with the labels
//! of the pods it runs (read once, not per comparison), custom resources by their own labels
//! (their operators run pods linea never sees), and PodDisruptionBudget selectors — each
//! looked up by a label pair, so "what does this selector select" and "which budget covers
//! this workload" cost a lookup, not a scan of every object.

use std::collections::HashMap;

use crate::lang::k8s::{Object, Selector};
use crate::project::k8s::ObjectRef;
use crate::project::{Model, ParsedFile, Project};

/// A pod-bearing object (or a custom resource) and the labels its pods carry.
#[derive(Debug)]
pub struct Workload {
    pub at: ObjectRef,
    pub namespace: Option<String>,
    /// The pod template's labels (a custom resource's own labels).
    pub labels: Vec<(String, String)>,
}

/// Things looked up by one of their label pairs.
#[derive(Debug, Default)]
struct ByLabel {
    items: Vec<Workload>,
    by_pair: HashMap<(String, String), Vec<usize>>,
}

impl ByLabel {
    fn push(&mut self, w: Workload) {
        let i = self.items.len();
        for pair in &w.labels {
            self.by_pair.entry(pair.clone()).or_default().push(i);
        }
        self.items.push(w);
    }

    /// The items in the namespace of `ns` whose labels `selector` matches.
    fn selected<'a>(&'a self, ns: Option<&'a str>, selector: &'a Selector) -> impl Iterator<Item = &'a Workload> + 'a {
        let candidates: Box<dyn Iterator<Item = &Workload>> = match selector.labels.first() {
            Some(pair) => Box::new(
                self.by_pair
                    .get(pair)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|&i| self.items.get(i)),
            ),
            None => Box::new(self.items.iter()),
        };
        candidates.filter(move |w| shares_namespace(ns, w.namespace.as_deref()) && selector.matches(&w.labels))
    }
}

/// A PodDisruptionBudget's selector.
#[derive(Debug)]
struct Budget {
    namespace: Option<String>,
    selector: Selector,
}

/// The workloads of the project and the selectors that pick them.
#[derive(Debug, Default)]
pub struct Workloads {
    pods: ByLabel,
    custom: ByLabel,
    budgets: Vec<Budget>,
    /// Budgets by the first label pair of their selector.
    budgets_by_pair: HashMap<(String, String), Vec<usize>>,
    /// Budgets whose selector names no label (expressions only, empty, unreadable): they are
    /// candidates for every workload.
    budgets_unkeyed: Vec<usize>,
    /// A YAML document that is not read as an object (a generator's input) has a pod kind.
    pod_documents: bool,
    /// Something else deploys to Kubernetes: a Helm chart, Terraform `kubernetes_*` workloads
    /// or `helm_release`s, a pipeline step that applies to a cluster.
    deployed_otherwise: bool,
}

/// Terraform resources that run pods on Kubernetes (or install a chart that does).
const TF_POD_RESOURCES: &[&str] = &[
    "kubernetes_deployment",
    "kubernetes_deployment_v1",
    "kubernetes_stateful_set",
    "kubernetes_stateful_set_v1",
    "kubernetes_daemonset",
    "kubernetes_daemon_set_v1",
    "kubernetes_replication_controller",
    "kubernetes_replication_controller_v1",
    "kubernetes_pod",
    "kubernetes_pod_v1",
    "kubernetes_job",
    "kubernetes_job_v1",
    "kubernetes_cron_job",
    "kubernetes_cron_job_v1",
    "kubernetes_manifest",
    "helm_release",
];

/// Kinds whose objects run pods, as any YAML document may name them.
const POD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Pod",
    "Job",
    "CronJob",
    "ReplicaSet",
];

/// An object that names no namespace lands wherever it is applied: it shares any namespace.
fn shares_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

impl Workloads {
    pub fn build(project: &Project) -> Workloads {
        let mut index = Workloads::default();
        for &at in project.k8s.refs() {
            let Some((_, o)) = project.k8s_object(at) else { continue };
            let namespace = o.effective_namespace.clone();
            if o.is_pod_bearing() {
                index.pods.push(Workload {
                    at,
                    namespace,
                    labels: o.pod_labels(),
                });
            } else if !crate::project::k8s::is_builtin_group(o.group()) {
                index.custom.push(Workload {
                    at,
                    namespace,
                    labels: o.labels.clone(),
                });
            } else if o.is("PodDisruptionBudget") {
                let Some(sel) = o.root.at("spec.selector") else {
                    continue;
                };
                let selector = Selector::from_label_selector(sel).for_templates();
                let i = index.budgets.len();
                match selector.labels.first().filter(|_| !selector.unknown) {
                    Some(pair) => index.budgets_by_pair.entry(pair.clone()).or_default().push(i),
                    None => index.budgets_unkeyed.push(i),
                }
                index.budgets.push(Budget { namespace, selector });
            }
        }
        index.pod_documents = project.files.iter().any(|f| match &f.model {
            Model::Yaml(stream) => stream.documents.iter().any(|doc| {
                doc.root.get("apiVersion").is_some()
                    && doc
                        .root
                        .get("kind")
                        .and_then(|k| k.as_str())
                        .is_some_and(|k| POD_KINDS.contains(&k))
            }),
            _ => false,
        });
        let charts = project
            .files
            .iter()
            .any(|f| f.source.path.file_name().is_some_and(|n| n == "Chart.yaml"));
        let terraform = project.terraform.iter().any(|m| {
            TF_POD_RESOURCES
                .iter()
                .any(|t| m.resources(t).any(|b| b.kind == "resource" && b.enabled))
        });
        let pipelines = project.pipelines.entries().any(|e| {
            e.facts.iter().any(|f| {
                f.reading
                    .actions
                    .iter()
                    .any(|a| a.change.kubernetes && !a.change.teardown)
            })
        });
        index.deployed_otherwise = charts || terraform || pipelines;
        index
    }

    /// Whether the repository's images run on Kubernetes: a scanned workload (rendered charts
    /// included), a YAML document of a pod kind, a Helm chart, Terraform `kubernetes_*`
    /// workloads or `helm_release`s, or a pipeline step that deploys to a cluster.
    pub fn run_on_kubernetes(&self) -> bool {
        !self.pods.items.is_empty() || self.pod_documents || self.deployed_otherwise
    }

    /// Every pod-bearing object, in file order.
    pub fn all(&self) -> &[Workload] {
        &self.pods.items
    }

    /// The pod-bearing objects in the namespace of `from` whose pods `selector` matches
    /// (labels controllers add at run time dropped from the selector).
    pub fn selected<'a>(&'a self, from: &'a Object, selector: &'a Selector) -> impl Iterator<Item = &'a Workload> + 'a {
        self.pods.selected(from.effective_namespace.as_deref(), selector)
    }

    /// Whether anything in the namespace of `from` could run pods `selector` matches:
    /// workloads by their pod labels, custom resources by their own labels.
    pub fn selects_anything(&self, from: &Object, selector: &Selector) -> bool {
        let ns = from.effective_namespace.as_deref();
        let templates = selector.for_templates();
        self.pods.selected(ns, &templates).next().is_some() || self.custom.selected(ns, selector).next().is_some()
    }

    /// Whether a PodDisruptionBudget of the workload's namespace covers its pods (a budget
    /// whose selector cannot be read counts).
    pub fn has_disruption_budget(&self, w: &Object) -> bool {
        let labels = w.pod_labels();
        let ns = w.effective_namespace.as_deref();
        let keyed = labels
            .iter()
            .flat_map(|pair| self.budgets_by_pair.get(pair).map(Vec::as_slice).unwrap_or(&[]));
        self.budgets_unkeyed.iter().chain(keyed).any(|&i| {
            self.budgets.get(i).is_some_and(|b| {
                shares_namespace(ns, b.namespace.as_deref()) && (b.selector.unknown || b.selector.matches(&labels))
            })
        })
    }
}

impl Project {
    /// The Kubernetes workloads and the selectors that pick them (indexed once).
    pub fn workloads(&self) -> &Workloads {
        self.indexes.workloads.get_or_init(|| Workloads::build(self))
    }

    /// The object of a workload.
    pub fn workload_object(&self, w: &Workload) -> Option<(&ParsedFile, &Object)> {
        self.k8s_object(w.at)
    }
}
