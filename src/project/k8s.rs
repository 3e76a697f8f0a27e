//! Kubernetes in the project: reading YAML files as manifests or OpenAPI documents, the
//! `linea.dev/ignore` annotation, environments from namespaces and kustomizations, and the
//! object index cross-object rules query.

use crate::semantic::path::normalize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::config::Settings;
use crate::lang::k8s::{self, Object};
use crate::lang::{openapi, yaml, ErrorKind, ParseError};
use crate::project::{Model, ParsedFile, ScopedSuppression};
use crate::semantic::environment::{self, Evidence};
use crate::source::{Environment, FileId, SourceFile};

/// The annotation that suppresses findings on one object: `"K8S011, K8S010: reason"`.
pub const IGNORE_ANNOTATION: &str = "linea.dev/ignore";

/// A YAML file read as Kubernetes, OpenAPI, or nothing we know.
pub struct ParsedYaml {
    pub model: Model,
    pub errors: Vec<ParseError>,
    pub suppressions: Vec<ScopedSuppression>,
}

static K8S_SHAPE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^apiVersion:[ \t]*\S").expect("valid regex"));
static K8S_KIND: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?m)^kind:[ \t]*\S").expect("valid regex"));
static API_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?m)^\s*"?(openapi|swagger)"?\s*:"#).expect("valid regex"));

/// A Helm chart template: not YAML until rendered, so it is not ours to parse.
/// (`${{ }}` is an Azure Pipelines template expression, which parses as YAML.)
pub fn is_helm_template(path: &Path, text: &str) -> bool {
    let helm_action = text
        .match_indices("{{")
        .any(|(i, _)| i == 0 || text.as_bytes().get(i - 1) != Some(&b'$'));
    helm_action && path.components().any(|c| c.as_os_str() == "templates")
}

/// Read a `*.yaml`/`*.yml`/OpenAPI JSON file. Syntax errors count only in files that are, or
/// look like, Kubernetes or OpenAPI: any other YAML is not ours and stays silent (budget
/// findings excepted).
pub fn parse_yaml(source: &SourceFile, _settings: &Settings) -> ParsedYaml {
    let text: &str = &source.text;
    if is_helm_template(&source.path, text) {
        return ParsedYaml {
            model: Model::Text,
            errors: Vec::new(),
            suppressions: Vec::new(),
        };
    }
    parse_manifests(source)
}

/// Read YAML text as Kubernetes manifests or an OpenAPI document, whatever its path (rendered
/// chart output lives at its template's path).
pub fn parse_manifests(source: &SourceFile) -> ParsedYaml {
    manifests_of(yaml::parse(&source.text), &source.text)
}

/// The YAML `stream` of `text` read as Kubernetes manifests or an OpenAPI document.
pub fn manifests_of(stream: yaml::Stream, text: &str) -> ParsedYaml {
    let errors = stream.errors.clone();
    match k8s::from_stream(stream) {
        Ok(m) => {
            let suppressions = m.objects.iter().filter_map(annotation_suppression).collect();
            ParsedYaml {
                model: Model::Kubernetes(m),
                errors,
                suppressions,
            }
        }
        Err(stream) => match openapi::from_stream(stream) {
            Ok(d) => ParsedYaml {
                model: Model::OpenApi(d),
                errors,
                suppressions: Vec::new(),
            },
            Err(stream) => {
                let looks_known = (K8S_SHAPE.is_match(text) && K8S_KIND.is_match(text)) || API_SHAPE.is_match(text);
                ParsedYaml {
                    model: Model::Yaml(stream),
                    // a budget finding is about linea's own work, whatever the file is for
                    errors: if looks_known {
                        errors
                    } else {
                        errors.into_iter().filter(|e| e.kind == ErrorKind::Budget).collect()
                    },
                    suppressions: Vec::new(),
                }
            }
        },
    }
}

/// `linea.dev/ignore: "K8S011, K8S010: reason"` → a suppression covering the object.
fn annotation_suppression(o: &Object) -> Option<ScopedSuppression> {
    let node = o.root.at("metadata.annotations")?.get(IGNORE_ANNOTATION)?;
    let value = node.as_str()?;
    let (ids, reason) = match value.split_once(':') {
        Some((ids, reason)) => (ids, Some(reason.trim().to_string()).filter(|r| !r.is_empty())),
        None => (value, None),
    };
    let rules: Vec<String> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if rules.is_empty() {
        return None;
    }
    Some(ScopedSuppression {
        span: o.root.span,
        at: node.span,
        rules,
        reason,
    })
}

/// Where one object lives in the project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectRef {
    pub file: FileId,
    pub index: usize,
}

/// Kubernetes objects of the project by kind, for cross-object rules.
#[derive(Debug, Default)]
pub struct Index {
    by_kind: HashMap<String, Vec<ObjectRef>>,
    /// By kind and name: what a reference by name (`serviceAccountName`) resolves against.
    by_name: HashMap<(String, String), Vec<ObjectRef>>,
    /// By kind, then namespace (`None`: names none): what "is there one in this namespace"
    /// looks up.
    by_namespace: HashMap<String, HashMap<Option<String>, Vec<ObjectRef>>>,
    /// HorizontalPodAutoscalers by the kind and name of their `scaleTargetRef`.
    scalers: HashMap<(Option<String>, Option<String>), Vec<ObjectRef>>,
    all: Vec<ObjectRef>,
    steps: super::workloads::Steps,
}

impl Index {
    /// Resolve kustomization namespaces, refine file environments and index every object.
    pub fn build(files: &mut [ParsedFile], settings: &Settings) -> Index {
        // kustomize: the namespace a kustomization sets applies to the manifests beside it;
        // the files it patches are partial objects, not objects of their own
        let mut dir_namespace: HashMap<PathBuf, String> = HashMap::new();
        let mut patches: HashSet<PathBuf> = HashSet::new();
        for f in files.iter() {
            if let Model::Kubernetes(m) = &f.model {
                if let Some(k) = &m.kustomization {
                    let dir = f.source.path.parent().map(Path::to_path_buf).unwrap_or_default();
                    if let Some(ns) = &k.namespace {
                        dir_namespace.insert(dir.clone(), ns.clone());
                    }
                    for p in &k.patches {
                        patches.insert(normalize(&dir.join(p)));
                    }
                }
            }
        }
        let inherited = overlay_namespaces(files);
        let mut index = Index::default();
        for f in files.iter_mut() {
            let id = f.source.id;
            let Model::Kubernetes(m) = &mut f.model else { continue };
            let dir = f.source.path.parent().map(Path::to_path_buf).unwrap_or_default();
            let path = normalize(&f.source.path);
            let is_patch = patches.contains(&path);
            let from_overlays = inherited.get(&path).or_else(|| inherited.get(&normalize(&dir)));
            m.patch = is_patch;
            if let Some(ns) = dir_namespace.get(&dir) {
                for o in &mut m.objects {
                    if o.effective_namespace.is_none() {
                        o.effective_namespace = Some(ns.clone());
                    }
                }
            }
            if let Some(namespaces) = from_overlays {
                for o in m.objects.iter_mut().filter(|o| o.effective_namespace.is_none()) {
                    match namespaces.iter().collect::<Vec<_>>().as_slice() {
                        [one] => o.effective_namespace = Some((*one).clone()),
                        many => o.overlay_namespaces = many.iter().map(|n| (*n).clone()).collect(),
                    }
                }
            }
            if settings.configured_environment(&f.source.path).is_none() {
                let envs: Vec<Environment> = m
                    .objects
                    .iter()
                    .flat_map(|o| o.effective_namespace.iter().chain(&o.overlay_namespaces))
                    .filter_map(|ns| settings.environment_of_name(ns))
                    .collect();
                let path_env = f.env;
                f.env = if path_env == Environment::Prod || envs.contains(&Environment::Prod) {
                    Environment::Prod
                } else if path_env == Environment::Nonprod || (!envs.is_empty() && envs.len() == m.objects.len()) {
                    Environment::Nonprod
                } else {
                    Environment::Unknown
                };
            }
            if is_patch {
                continue;
            }
            for (i, o) in m.objects.iter().enumerate() {
                let r = ObjectRef { file: id, index: i };
                index.by_kind.entry(o.kind.clone()).or_default().push(r);
                if let Some(name) = &o.name {
                    index.by_name.entry((o.kind.clone(), name.clone())).or_default().push(r);
                }
                index
                    .by_namespace
                    .entry(o.kind.clone())
                    .or_default()
                    .entry(o.effective_namespace.clone())
                    .or_default()
                    .push(r);
                if o.kind == "HorizontalPodAutoscaler" {
                    let target = o.root.at("spec.scaleTargetRef");
                    let text = |k: &str| {
                        target
                            .and_then(|t| t.get(k))
                            .and_then(|n| n.as_str())
                            .map(str::to_string)
                    };
                    index.scalers.entry((text("kind"), text("name"))).or_default().push(r);
                }
                index.all.push(r);
            }
        }
        index
    }

    pub fn refs(&self) -> &[ObjectRef] {
        &self.all
    }

    pub fn refs_of_kind(&self, kind: &str) -> &[ObjectRef] {
        self.by_kind.get(kind).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn refs_named(&self, kind: &str, name: &str) -> &[ObjectRef] {
        self.steps.add(1);
        self.by_name
            .get(&(kind.to_string(), name.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The objects of `kind` that share namespace `ns` (see [`same_namespace`]): those in it
    /// and those that name none; every one of the kind when `ns` is `None`.
    pub fn refs_sharing_namespace<'a>(
        &'a self,
        kind: &str,
        ns: Option<&str>,
    ) -> Box<dyn Iterator<Item = ObjectRef> + 'a> {
        self.steps.add(1);
        let Some(by_ns) = self.by_namespace.get(kind) else {
            return Box::new(std::iter::empty());
        };
        match ns {
            None => Box::new(self.refs_of_kind(kind).iter().copied()),
            Some(ns) => {
                let named = by_ns.get(&Some(ns.to_string())).map(Vec::as_slice).unwrap_or_default();
                let anywhere = by_ns.get(&None).map(Vec::as_slice).unwrap_or_default();
                Box::new(named.iter().chain(anywhere).copied())
            }
        }
    }

    /// The HorizontalPodAutoscalers whose `scaleTargetRef` names `kind` and `name` (an
    /// object without a name: those whose target names none).
    pub fn scalers_of(&self, kind: &str, name: Option<&str>) -> &[ObjectRef] {
        self.steps.add(1);
        self.scalers
            .get(&(Some(kind.to_string()), name.map(str::to_string)))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Work done by this index's lookups so far.
    pub fn steps(&self) -> u64 {
        self.steps.get()
    }
}

/// How deep overlays may include bases that include bases.
const MAX_OVERLAY_DEPTH: usize = 8;

/// Kustomize overlays: a kustomization that sets `namespace` puts every resource it includes
/// there, through bases (`resources: [../../base]`) and their bases. By the file or directory
/// (normalised) the resources are in: the namespaces overlays give them.
fn overlay_namespaces(files: &[ParsedFile]) -> HashMap<PathBuf, BTreeSet<String>> {
    let mut by_dir: HashMap<PathBuf, (&Option<String>, Vec<PathBuf>)> = HashMap::new();
    for f in files {
        let Model::Kubernetes(m) = &f.model else { continue };
        let Some(k) = &m.kustomization else { continue };
        let dir = normalize(f.source.path.parent().unwrap_or(Path::new("")));
        let resources = k.resources.iter().map(|r| normalize(&dir.join(r))).collect();
        by_dir.insert(dir, (&k.namespace, resources));
    }
    let mut out: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    for (dir, (namespace, _)) in &by_dir {
        let Some(ns) = namespace else { continue };
        let mut stack = vec![(dir.clone(), 0)];
        let mut seen = HashSet::new();
        while let Some((d, depth)) = stack.pop() {
            if depth > MAX_OVERLAY_DEPTH || !seen.insert(d.clone()) {
                continue;
            }
            let Some((_, resources)) = by_dir.get(&d) else { continue };
            for r in resources {
                out.entry(r.clone()).or_default().insert(ns.clone());
                if by_dir.contains_key(r) {
                    stack.push((r.clone(), depth + 1));
                }
            }
        }
    }
    out
}

impl super::Project {
    /// The object an index entry points at.
    pub fn k8s_object(&self, r: ObjectRef) -> Option<(&ParsedFile, &Object)> {
        let f = self.file(r.file)?;
        match &f.model {
            Model::Kubernetes(m) => Some((f, m.objects.get(r.index)?)),
            _ => None,
        }
    }

    /// Every indexed object (patch files excluded).
    pub fn k8s_objects(&self) -> impl Iterator<Item = (&ParsedFile, &Object)> {
        self.k8s.refs().iter().filter_map(|r| self.k8s_object(*r))
    }

    /// The objects of `kind` named `name` that an object in namespace `namespace` refers to
    /// (one that names no namespace lands anywhere, so it matches any).
    pub fn k8s_named<'a>(
        &'a self,
        kind: &'a str,
        namespace: Option<&'a str>,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a ParsedFile, &'a Object)> + 'a {
        self.k8s
            .refs_named(kind, name)
            .iter()
            .filter_map(|r| self.k8s_object(*r))
            .filter(move |(_, o)| match (namespace, o.effective_namespace.as_deref()) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
    }

    /// The objects of `kind` in the namespace of `from` (see [`same_namespace`]).
    pub fn k8s_sharing_namespace<'a>(
        &'a self,
        kind: &'a str,
        from: &'a Object,
    ) -> impl Iterator<Item = (&'a ParsedFile, &'a Object)> + 'a {
        self.k8s
            .refs_sharing_namespace(kind, from.effective_namespace.as_deref())
            .filter_map(|r| {
                self.k8s.steps.add(1);
                self.k8s_object(r)
            })
    }

    /// Every indexed object of a kind.
    pub fn k8s_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a ParsedFile, &'a Object)> + 'a {
        self.k8s.refs_of_kind(kind).iter().filter_map(|r| self.k8s_object(*r))
    }
}

/// Groups whose objects are built into Kubernetes or Istio; anything else is a custom
/// resource, whose operator may create pods we never see.
pub fn is_builtin_group(group: &str) -> bool {
    group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io") || group.ends_with(".istio.io")
}

/// Whether two objects are in the same namespace. An object that names no namespace lands
/// wherever it is applied, so it is taken to share any namespace (no false "missing" findings).
pub fn same_namespace(a: &Object, b: &Object) -> bool {
    match (&a.effective_namespace, &b.effective_namespace) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// The environment of one object: config globs, then its namespace, then its path
/// ([`crate::semantic::environment`]).
pub fn object_env(settings: &Settings, file: &ParsedFile, o: &Object) -> Environment {
    // a rendered object: the environment it was rendered for, then its namespace
    let rendered = file.rendered.as_ref().and_then(|r| r.environment.as_deref());
    let evidence: Vec<Evidence<'_>> = rendered
        .map(|e| Evidence::new("environment", e))
        .into_iter()
        .chain(o.effective_namespace.iter().map(|ns| Evidence::new("namespace", ns)))
        .collect();
    environment::decide(settings, Some(&file.source.path), &evidence).env
}

/// Whether one object counts as production.
pub fn object_is_prod(settings: &Settings, file: &ParsedFile, o: &Object) -> bool {
    settings.is_prod(object_env(settings, file, o))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::FileKind;
    use crate::project::{parse, Project};

    fn project(files: &[(&str, &str)]) -> Project {
        let settings = Settings::default();
        let parsed = files
            .iter()
            .enumerate()
            .map(|(i, (p, t))| parse(FileId(i as u32), p.into(), FileKind::Yaml, t.to_string(), &settings))
            .collect();
        Project::build(parsed, &settings)
    }

    #[test]
    fn kustomization_namespace_sets_environment_and_patches_are_not_objects() {
        let p = project(&[
            (
                "k8s/overlays/eu/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop-prod\npatches:\n- path: replicas.yaml\n",
            ),
            ("k8s/overlays/eu/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: api}\n"),
            ("k8s/overlays/eu/replicas.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n"),
            ("k8s/dev/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop-dev}\n"),
        ]);
        assert_eq!(p.files[1].env, Environment::Prod);
        assert_eq!(p.files[3].env, Environment::Nonprod);
        assert_eq!(p.k8s_of_kind("Deployment").count(), 0);
        assert_eq!(p.k8s_of_kind("Service").count(), 2);
    }

    #[test]
    fn overlays_put_their_bases_in_their_namespaces() {
        let kustomization = |ns: &str, res: &str| {
            format!("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: {ns}\nresources:\n  - {res}\n")
        };
        let base =
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n";
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n";
        let dev = kustomization("shop-dev", "../../base");
        let prod = kustomization("shop-prod", "../../base");
        let jobs = kustomization("batch-staging", "../../jobs/nightly.yaml");
        let p = project(&[
            ("k8s/base/kustomization.yaml", base),
            ("k8s/base/deployment.yaml", deployment),
            ("k8s/overlays/dev/kustomization.yaml", &dev),
            ("k8s/overlays/prod/kustomization.yaml", &prod),
            (
                "k8s/jobs/nightly.yaml",
                "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\n",
            ),
            ("k8s/overlays/batch/kustomization.yaml", &jobs),
        ]);
        let objects = |i: usize| match &p.files[i].model {
            Model::Kubernetes(m) => m.objects.clone(),
            _ => Vec::new(),
        };
        let api = &objects(1)[0];
        assert_eq!(api.effective_namespace, None);
        assert_eq!(api.overlay_namespaces, ["shop-dev", "shop-prod"]);
        // deployed to production by one of its overlays
        assert_eq!(p.files[1].env, Environment::Prod);
        let nightly = &objects(4)[0];
        assert_eq!(nightly.effective_namespace.as_deref(), Some("batch-staging"));
        assert_eq!(p.files[4].env, Environment::Nonprod);
    }

    #[test]
    fn helm_templates_and_foreign_yaml_are_silent() {
        let p = project(&[
            ("chart/templates/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  {{- include \"x\" . }}\n"),
            ("values.yaml", "image: [broken\n"),
            ("bad.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x\n"),
        ]);
        assert!(p.files[0].errors.is_empty());
        assert!(p.files[1].errors.is_empty());
        assert_eq!(p.files[2].errors.len(), 1);
    }

    #[test]
    fn ignore_annotation_becomes_a_scoped_suppression() {
        let p = project(&[(
            "d.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  annotations:\n    linea.dev/ignore: \"K8S011, K8S010: legacy image\"\n",
        )]);
        let s = &p.files[0].scoped_suppressions[0];
        assert_eq!(s.rules, ["K8S011", "K8S010"]);
        assert_eq!(s.reason.as_deref(), Some("legacy image"));
    }

    #[test]
    fn objects_of_a_mixed_file_get_their_own_environment() {
        let p = project(&[(
            "k8s/all.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop-prod}\n---\n\
             apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop-staging}\n---\n\
             apiVersion: v1\nkind: Service\nmetadata: {name: a}\n",
        )]);
        let settings = Settings::default();
        let f = &p.files[0];
        assert_eq!(f.env, Environment::Prod);
        let Model::Kubernetes(m) = &f.model else {
            panic!("not kubernetes")
        };
        let envs: Vec<_> = m.objects.iter().map(|o| object_env(&settings, f, o)).collect();
        assert_eq!(envs, [Environment::Prod, Environment::Nonprod, Environment::Unknown]);
    }
}
