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

/// A label pair, as selectors and pod templates write it.
type Pair = (String, String);

/// Positions of items looked up by one label pair and the namespace they are in: an item that
/// names no namespace lands wherever it is applied, so it is a candidate in every namespace.
#[derive(Debug, Default)]
struct PairIndex {
    /// Items that name a namespace, by namespace and pair.
    in_namespace: HashMap<String, HashMap<Pair, Vec<usize>>>,
    /// Items that name no namespace, by pair.
    anywhere: HashMap<Pair, Vec<usize>>,
    /// Every item by pair: the candidates of a lookup that names no namespace.
    all: HashMap<Pair, Vec<usize>>,
}

impl PairIndex {
    fn insert(&mut self, namespace: Option<&str>, pair: &Pair, i: usize) {
        let push = |v: &mut Vec<usize>| {
            // a pair written twice (duplicate YAML keys) lists the item once
            if v.last() != Some(&i) {
                v.push(i);
            }
        };
        match namespace {
            Some(ns) => push(
                self.in_namespace
                    .entry(ns.to_string())
                    .or_default()
                    .entry(pair.clone())
                    .or_default(),
            ),
            None => push(self.anywhere.entry(pair.clone()).or_default()),
        }
        push(self.all.entry(pair.clone()).or_default());
    }

    /// The items seen from namespace `ns` that carry `pair`: two position lists, each in order.
    fn candidates(&self, ns: Option<&str>, pair: &Pair) -> (&[usize], &[usize]) {
        fn get<'m>(m: Option<&'m HashMap<Pair, Vec<usize>>>, pair: &Pair) -> &'m [usize] {
            m.and_then(|m| m.get(pair)).map(Vec::as_slice).unwrap_or(&[])
        }
        match ns {
            Some(ns) => (get(self.in_namespace.get(ns), pair), get(Some(&self.anywhere), pair)),
            None => (get(Some(&self.all), pair), &[]),
        }
    }
}

/// Positions of items by namespace alone (for selectors that name no label pair).
#[derive(Debug, Default)]
struct NamespaceIndex {
    in_namespace: HashMap<String, Vec<usize>>,
    anywhere: Vec<usize>,
    all: Vec<usize>,
}

impl NamespaceIndex {
    fn insert(&mut self, namespace: Option<&str>, i: usize) {
        match namespace {
            Some(ns) => self.in_namespace.entry(ns.to_string()).or_default().push(i),
            None => self.anywhere.push(i),
        }
        self.all.push(i);
    }

    fn candidates(&self, ns: Option<&str>) -> (&[usize], &[usize]) {
        match ns {
            Some(ns) => (
                self.in_namespace.get(ns).map(Vec::as_slice).unwrap_or(&[]),
                &self.anywhere,
            ),
            None => (&self.all, &[]),
        }
    }
}

/// Two ordered position lists as one ordered list without repeats.
fn merged((a, b): (&[usize], &[usize])) -> Vec<usize> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    if !b.is_empty() {
        out.sort_unstable();
        out.dedup();
    }
    out
}

/// Things looked up by their label pairs and namespace.
#[derive(Debug, Default)]
struct ByLabel {
    items: Vec<Workload>,
    by_pair: PairIndex,
    by_namespace: NamespaceIndex,
}

impl ByLabel {
    fn push(&mut self, w: Workload) {
        let i = self.items.len();
        for pair in &w.labels {
            self.by_pair.insert(w.namespace.as_deref(), pair, i);
        }
        self.by_namespace.insert(w.namespace.as_deref(), i);
        self.items.push(w);
    }

    /// The items in the namespace of `ns` whose labels `selector` matches, in order: the
    /// candidates of the selector's rarest pair (in that namespace), each verified against the
    /// whole selector.
    fn selected<'a>(
        &'a self,
        ns: Option<&'a str>,
        selector: &'a Selector,
        steps: &'a Steps,
    ) -> impl Iterator<Item = &'a Workload> + 'a {
        let smallest = selector
            .labels
            .iter()
            .map(|pair| self.by_pair.candidates(ns, pair))
            .min_by_key(|(a, b)| a.len() + b.len());
        let candidates = merged(smallest.unwrap_or_else(|| self.by_namespace.candidates(ns)));
        steps.add(1 + selector.labels.len() as u64);
        candidates
            .into_iter()
            .filter_map(|i| self.items.get(i))
            .filter(move |w| {
                steps.add(1);
                shares_namespace(ns, w.namespace.as_deref()) && selector.matches(&w.labels)
            })
    }
}

/// A PodDisruptionBudget's selector.
#[derive(Debug)]
struct Budget {
    namespace: Option<String>,
    selector: Selector,
}

/// Work done by index lookups: candidates looked up and verified. A cheap always-on count that
/// tests read to check that cross-object rules do work linear in the objects, not in their
/// pairs.
#[derive(Debug, Default)]
pub struct Steps(std::sync::atomic::AtomicU64);

impl Steps {
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The workloads of the project and the selectors that pick them.
#[derive(Debug, Default)]
pub struct Workloads {
    pods: ByLabel,
    custom: ByLabel,
    budgets: Vec<Budget>,
    /// Budgets by the rarest label pair of their selector (among all budgets' pairs).
    budgets_by_pair: PairIndex,
    /// Budgets whose selector names no label (expressions only, empty): candidates for every
    /// workload of their namespace.
    budgets_unkeyed: NamespaceIndex,
    /// Budgets whose selector cannot be read: they cover every workload of their namespace.
    budgets_unknown: NamespaceIndex,
    /// A YAML document that is not read as an object (a generator's input) has a pod kind.
    pod_documents: bool,
    /// Something else deploys to Kubernetes: a Helm chart, Terraform `kubernetes_*` workloads
    /// or `helm_release`s, a pipeline step that applies to a cluster.
    deployed_otherwise: bool,
    steps: Steps,
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
                index.budgets.push(Budget { namespace, selector });
            }
        }
        index.index_budgets();
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
        self.pods
            .selected(from.effective_namespace.as_deref(), selector, &self.steps)
    }

    /// Whether anything in the namespace of `from` could run pods `selector` matches:
    /// workloads by their pod labels, custom resources by their own labels.
    pub fn selects_anything(&self, from: &Object, selector: &Selector) -> bool {
        let ns = from.effective_namespace.as_deref();
        let templates = selector.for_templates();
        self.pods.selected(ns, &templates, &self.steps).next().is_some()
            || self.custom.selected(ns, selector, &self.steps).next().is_some()
    }

    /// Key each budget by the pair of its selector that fewest budgets share, so that a
    /// workload's lookup verifies few budgets even when every selector starts with the same
    /// `part-of` pair.
    fn index_budgets(&mut self) {
        let mut frequency: HashMap<&Pair, usize> = HashMap::new();
        for b in self.budgets.iter().filter(|b| !b.selector.unknown) {
            for pair in &b.selector.labels {
                *frequency.entry(pair).or_default() += 1;
            }
        }
        for (i, b) in self.budgets.iter().enumerate() {
            let ns = b.namespace.as_deref();
            if b.selector.unknown {
                self.budgets_unknown.insert(ns, i);
                continue;
            }
            let rarest = b
                .selector
                .labels
                .iter()
                .min_by_key(|pair| frequency.get(pair).copied().unwrap_or(0));
            match rarest {
                Some(pair) => self.budgets_by_pair.insert(ns, pair, i),
                None => self.budgets_unkeyed.insert(ns, i),
            }
        }
    }

    /// Whether a PodDisruptionBudget of the workload's namespace covers its pods (a budget
    /// whose selector cannot be read counts).
    pub fn has_disruption_budget(&self, w: &Object) -> bool {
        let ns = w.effective_namespace.as_deref();
        self.steps.add(1);
        let (a, b) = self.budgets_unknown.candidates(ns);
        if !a.is_empty() || !b.is_empty() {
            return true;
        }
        let labels = w.pod_labels();
        let (a, b) = self.budgets_unkeyed.candidates(ns);
        let keyed = labels.iter().flat_map(|pair| {
            let (a, b) = self.budgets_by_pair.candidates(ns, pair);
            a.iter().chain(b)
        });
        a.iter().chain(b).chain(keyed).any(|&i| {
            self.steps.add(1);
            self.budgets
                .get(i)
                .is_some_and(|b| shares_namespace(ns, b.namespace.as_deref()) && b.selector.matches(&labels))
        })
    }

    /// Work done by this index's lookups so far (see [`Steps`]).
    pub fn steps(&self) -> u64 {
        self.steps.get()
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
