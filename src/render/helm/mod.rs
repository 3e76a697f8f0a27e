//! Helm charts rendered natively, the way `helm template` renders them, once per environment,
//! with every rendered byte knowing the template span (and values entry) it came from.
//!
//! - [`chart`]: loading a chart directory and its unpacked subcharts.
//! - [`values`]: values coalescing and subchart scoping, `condition`/`tags`.
//! - [`env`]: which environments a chart renders for, and with which values files.
//!
//! [`render`] returns the rendered text of every template for every environment with its
//! origins ([`Output`]), and every template that did not render as a [`Problem`] (PARSE003).

pub mod chart;
pub mod env;
pub mod values;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Settings;
use crate::render::template::exec::{ErrorKind, ExecError, Parsed};
use crate::render::template::{funcs, parse, Exec, Host, Loc, Map, Obj, Origin, Seg, Set, Str, Val, V};
use crate::source::{Environment, Span};
use chart::{Chart, FileTable};

/// What the renderer reads: files and directory listings (the disk, with the editor's unsaved
/// buffers over it, or memory in tests).
pub trait Fs {
    /// The text of a file; `None` when there is no such file, `Some(Err)` when it cannot be
    /// read (too large, not UTF-8).
    fn read(&self, path: &Path) -> Option<Result<String, String>>;
    /// The entries of a directory: name and whether it is a directory, sorted by name.
    /// Symbolic links are left out, as the discovery walk leaves them.
    fn list(&self, dir: &Path) -> Vec<(String, bool)>;
    fn is_file(&self, path: &Path) -> bool;
}

/// The disk, with in-memory texts (stdin, editor buffers) replacing the files they stand for.
pub struct DiskFs<'a> {
    /// Absolute, normalised path → text.
    pub overlay: &'a HashMap<PathBuf, String>,
    pub max_size: u64,
}

impl Fs for DiskFs<'_> {
    fn read(&self, path: &Path) -> Option<Result<String, String>> {
        if let Some(t) = self.overlay.get(&crate::project::absolute(path)) {
            return Some(Ok(t.clone()));
        }
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        if meta.len() > self.max_size {
            return Some(Err(format!(
                "file is {} bytes, over the `max-file-size` of {} bytes",
                meta.len(),
                self.max_size
            )));
        }
        // checked again when opened, and read to the limit at most
        Some(match crate::discover::read::read_bytes(path, self.max_size, None) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| "file is not valid UTF-8".to_string()),
            Err(e) => Err(format!("file {e}")),
        })
    }

    fn list(&self, dir: &Path) -> Vec<(String, bool)> {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut out: Vec<(String, bool)> = rd
            .filter_map(Result::ok)
            .filter_map(|e| {
                let t = e.file_type().ok()?;
                if t.is_symlink() {
                    return None;
                }
                Some((e.file_name().to_string_lossy().to_string(), t.is_dir()))
            })
            .collect();
        out.sort();
        out
    }

    fn is_file(&self, path: &Path) -> bool {
        self.overlay.contains_key(&crate::project::absolute(path))
            || std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
    }
}

/// Files in memory (tests, fixtures).
#[derive(Default)]
pub struct MemFs {
    pub files: BTreeMap<PathBuf, String>,
}

impl MemFs {
    pub fn new(files: &[(&str, &str)]) -> MemFs {
        MemFs {
            files: files.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect(),
        }
    }
}

impl Fs for MemFs {
    fn read(&self, path: &Path) -> Option<Result<String, String>> {
        self.files.get(path).cloned().map(Ok)
    }

    fn list(&self, dir: &Path) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        for p in self.files.keys() {
            let Ok(rest) = p.strip_prefix(dir) else { continue };
            let mut comps = rest.components();
            let Some(first) = comps.next() else { continue };
            let name = first.as_os_str().to_string_lossy().to_string();
            let is_dir = comps.next().is_some();
            if !out.iter().any(|(n, _)| *n == name) {
                out.push((name, is_dir));
            }
        }
        out.sort();
        out
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }
}

/// A template (or values file) that did not render: PARSE003 at `file`/`span` (PARSE004 when
/// it went over a budget).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// `PARSE003` or `PARSE004`.
    pub rule: &'static str,
    pub file: u32,
    pub span: Span,
    pub message: String,
    pub note: Option<String>,
    pub help: Option<String>,
    /// Other places (file, span, message): the `include` that led to a helper's error.
    pub labels: Vec<(u32, Span, String)>,
}

impl Problem {
    pub fn new(file: u32, span: Span, message: impl Into<String>) -> Problem {
        Problem {
            rule: "PARSE003",
            file,
            span,
            message: message.into(),
            note: None,
            help: None,
            labels: Vec::new(),
        }
    }
}

/// One rendering of a chart: an environment and the values it used.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendering {
    pub name: String,
    pub environment: Environment,
    pub release: String,
    /// The release namespace, when the configuration names one.
    pub namespace: Option<String>,
    /// Values files, in the order applied (the chart's `values.yaml` first).
    pub values: Vec<PathBuf>,
}

/// The rendered text of one template for one rendering, with its origins.
#[derive(Debug, Clone)]
pub struct Output {
    /// The template file (index in [`ChartRender::files`]).
    pub template: u32,
    /// Index in [`ChartRender::renderings`].
    pub rendering: usize,
    /// Helm's name for the template: `chart/templates/deployment.yaml`.
    pub name: String,
    pub text: String,
    /// Byte ranges of `text` and where they came from (`Loc::file` indexes `files`).
    pub segs: Vec<Seg>,
}

/// Everything one chart rendered to.
#[derive(Debug)]
pub struct ChartRender {
    pub dir: PathBuf,
    /// Every real file the render read; origins index this table.
    pub files: Vec<PathBuf>,
    pub texts: Vec<Arc<str>>,
    pub renderings: Vec<Rendering>,
    pub outputs: Vec<Output>,
    pub problems: Vec<Problem>,
    /// Template files of the chart and its subcharts.
    pub templates: usize,
    pub elapsed: Duration,
}

/// The `.Capabilities.APIVersions` of a current cluster without custom resources: group
/// versions and `group/version/Kind` of the built-in kinds (a live cluster lists both).
const API_VERSIONS: &[&str] = &[
    "v1",
    "apps/v1",
    "batch/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "networking.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "storage.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "admissionregistration.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "node.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "v1/Pod",
    "v1/Service",
    "v1/ConfigMap",
    "v1/Secret",
    "v1/ServiceAccount",
    "v1/Namespace",
    "v1/PersistentVolumeClaim",
    "v1/PersistentVolume",
    "v1/Endpoints",
    "v1/LimitRange",
    "v1/ResourceQuota",
    "v1/ReplicationController",
    "v1/Node",
    "v1/Event",
    "apps/v1/Deployment",
    "apps/v1/StatefulSet",
    "apps/v1/DaemonSet",
    "apps/v1/ReplicaSet",
    "apps/v1/ControllerRevision",
    "batch/v1/Job",
    "batch/v1/CronJob",
    "autoscaling/v1/HorizontalPodAutoscaler",
    "autoscaling/v2/HorizontalPodAutoscaler",
    "networking.k8s.io/v1/Ingress",
    "networking.k8s.io/v1/IngressClass",
    "networking.k8s.io/v1/NetworkPolicy",
    "policy/v1/PodDisruptionBudget",
    "rbac.authorization.k8s.io/v1/Role",
    "rbac.authorization.k8s.io/v1/RoleBinding",
    "rbac.authorization.k8s.io/v1/ClusterRole",
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
    "storage.k8s.io/v1/StorageClass",
    "storage.k8s.io/v1/CSIDriver",
    "storage.k8s.io/v1/CSINode",
    "storage.k8s.io/v1/VolumeAttachment",
    "apiextensions.k8s.io/v1/CustomResourceDefinition",
    "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy",
    "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding",
    "scheduling.k8s.io/v1/PriorityClass",
    "coordination.k8s.io/v1/Lease",
    "discovery.k8s.io/v1/EndpointSlice",
    "certificates.k8s.io/v1/CertificateSigningRequest",
    "node.k8s.io/v1/RuntimeClass",
];

/// The Kubernetes version charts see when the configuration names none.
pub const DEFAULT_KUBE_VERSION: &str = "1.31.0";
/// `.Release.Name` when the configuration names none (what `helm template` uses).
pub const DEFAULT_RELEASE: &str = "release-name";

/// The `[helm]` settings that apply to the chart in `dir`.
#[derive(Debug, Clone, Default)]
pub struct ChartOptions {
    pub release: String,
    pub namespace: Option<String>,
    pub kube_version: String,
    pub api_versions: Vec<String>,
    /// Values files by environment (`default` applies under every one), resolved paths.
    pub values: BTreeMap<String, Vec<PathBuf>>,
    pub set: Vec<(String, serde_json::Value)>,
}

/// Resolve `[helm]` for the chart in `dir`: its `[[helm.charts]]` entry over the section's
/// defaults.
pub fn options(settings: &Settings, dir: &Path) -> ChartOptions {
    let h = &settings.config.helm;
    let resolve = |files: &BTreeMap<String, Vec<String>>| -> BTreeMap<String, Vec<PathBuf>> {
        files
            .iter()
            .map(|(env, list)| (env.clone(), list.iter().map(|p| settings.root.join(p)).collect()))
            .collect()
    };
    let abs = crate::project::absolute(dir);
    let entry = h
        .charts
        .iter()
        .find(|c| crate::project::absolute(&settings.root.join(&c.path)) == abs);
    let mut set: Vec<(String, serde_json::Value)> = h.set.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut values = resolve(&h.values);
    let mut release = h.release.clone();
    let mut namespace = h.namespace.clone();
    if let Some(c) = entry {
        if !c.values.is_empty() {
            values = resolve(&c.values);
        }
        set.extend(c.set.iter().map(|(k, v)| (k.clone(), v.clone())));
        release = c.release.clone().or(release);
        namespace = c.namespace.clone().or(namespace);
    }
    ChartOptions {
        release: release.unwrap_or_else(|| DEFAULT_RELEASE.to_string()),
        namespace,
        kube_version: h
            .kube_version
            .clone()
            .unwrap_or_else(|| DEFAULT_KUBE_VERSION.to_string()),
        api_versions: API_VERSIONS
            .iter()
            .map(|s| s.to_string())
            .chain(h.api_versions.iter().cloned())
            .collect(),
        values,
        set,
    }
}

/// `.Files` of one chart: reads on demand, and the bytes keep pointing at the file.
struct ChartHost<'a> {
    fs: &'a dyn Fs,
    dir: &'a Path,
    files: &'a RefCell<FileTable>,
}

impl Host for ChartHost<'_> {
    fn file(&self, rel: &str) -> Option<Str> {
        let path = self.dir.join(rel);
        let existing = self.files.borrow().get(&path);
        let file = match existing {
            Some(f) => f,
            None => {
                let text = self.fs.read(&path)?.ok()?;
                self.files.borrow_mut().add(&path, text)
            }
        };
        let files = self.files.borrow();
        let text = files.text(file);
        Some(Str::with_origin(
            text,
            Origin {
                at: Some(Loc::new(file, 0, text.len())),
                linear: true,
                ..Origin::default()
            },
        ))
    }
}

fn kube_version(v: &str) -> Obj {
    let bare = v.trim().trim_start_matches(['v', 'V']);
    let mut parts = bare.split('.');
    let major = parts.next().unwrap_or("1").to_string();
    let minor = parts.next().unwrap_or("0").to_string();
    Obj::KubeVersion {
        version: format!("v{bare}"),
        major,
        minor,
    }
}

fn map(pairs: Vec<(&str, Val)>) -> Val {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Val::map(m)
}

/// A chart of the tree with the name prefix of its templates and its values.
struct Node<'c> {
    chart: &'c Chart,
    prefix: String,
    values: Rc<RefCell<Map>>,
}

/// The chart and its enabled subcharts, depth first.
fn enabled_tree<'c>(root: &'c Chart, values: &Rc<RefCell<Map>>) -> Vec<Node<'c>> {
    let mut out = Vec::new();
    let mut stack = vec![(root, root.name.clone(), values.clone(), 0usize)];
    while let Some((chart, prefix, vals, depth)) = stack.pop() {
        if depth <= 16 {
            for (sub, key) in values::enabled_subcharts(chart, &vals) {
                let sub_vals = match vals.borrow().get(&key).map(|v| v.v.clone()) {
                    Some(V::Map(m)) => m,
                    _ => Rc::new(RefCell::new(Map::new())),
                };
                stack.push((sub, format!("{prefix}/charts/{key}"), sub_vals, depth + 1));
            }
        }
        out.push(Node {
            chart,
            prefix,
            values: vals,
        });
    }
    out
}

/// Every chart of the tree, enabled or not.
fn all_charts(root: &Chart) -> Vec<&Chart> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let c = out[i];
        out.extend(c.subcharts.iter());
        i += 1;
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

const HELP_VALUES: &str =
    "set the value in the chart's `values.yaml`, or list a values file for this environment in `[helm] values` of linea.toml";

/// A dependency the render went without.
struct MissingDep {
    name: String,
    /// ``"`postgresql` 16.x.x: `../postgresql` is 17.1.0"``, ``"`minio` from https://…"``.
    why: String,
}

/// The PARSE003 finding for a template that did not render.
fn problem_of(e: &ExecError, rendering: &Rendering, chart_dir: &Path, missing_deps: &[MissingDep]) -> Problem {
    let one_line = e.message.replace('\n', " ");
    let (message, help) = match e.kind {
        ErrorKind::Required => (
            format!("required value missing: {}", one_line.trim()),
            HELP_VALUES.to_string(),
        ),
        ErrorKind::Fail => (
            format!("template fails: {}", one_line.trim()),
            "give the chart values it accepts: a values file in `[helm] values` of linea.toml".to_string(),
        ),
        ErrorKind::Syntax => (
            format!("template syntax: {one_line}"),
            "fix the template: Go text/template syntax".to_string(),
        ),
        ErrorKind::UndefinedFunction => (
            one_line.clone(),
            "fix the function name; Helm offers Sprig's functions and its own".to_string(),
        ),
        ErrorKind::Unsupported => (
            one_line.clone(),
            "this template is not linted; the chart's other templates are".to_string(),
        ),
        ErrorKind::MissingTemplate => (
            one_line.clone(),
            if missing_deps.is_empty() {
                "define the template, or fix its name".to_string()
            } else {
                format!(
                    "unpack the dependencies into `charts/` (`helm dependency build`, then untar): {}",
                    missing_deps
                        .iter()
                        .map(|d| d.why.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ),
        ErrorKind::Budget => (one_line.clone(), "simplify the template".to_string()),
        ErrorKind::Exec if one_line.starts_with("nil pointer") => {
            // `.Values.redis.port` of a dependency that is not unpacked
            let dep = missing_deps
                .iter()
                .find(|d| one_line.contains(&format!("`.Values.{}.", d.name)));
            (
                one_line.clone(),
                match dep {
                    Some(d) => format!(
                        "unpack dependency {} into `charts/` (`helm dependency build`, then untar): its values are missing",
                        d.why
                    ),
                    None => HELP_VALUES.to_string(),
                },
            )
        }
        ErrorKind::Exec => (
            format!("template does not render: {one_line}"),
            format!("fix the template, or {}", &HELP_VALUES[..1].to_lowercase()) + &HELP_VALUES[1..],
        ),
    };
    let short = truncate(&message, 80);
    let values: Vec<String> = rendering
        .values
        .iter()
        .map(|p| crate::source::display_path(p.strip_prefix(chart_dir).unwrap_or(p)))
        .collect();
    let files = if values.is_empty() {
        "no values file".to_string()
    } else {
        values.join(", ")
    };
    let mut note = if rendering.name == "default" {
        format!("rendered with {files}")
    } else {
        format!("rendered for environment `{}` with {files}", rendering.name)
    };
    if short != message {
        note = format!("{message}; {note}");
    }
    if !missing_deps.is_empty() && e.kind == ErrorKind::Exec {
        let list: Vec<&str> = missing_deps.iter().map(|d| d.why.as_str()).collect();
        note = format!("{note}; dependencies not rendered: {}", list.join(", "));
    }
    let mut p = Problem::new(e.at.file, Span::new(e.at.start as usize, e.at.end as usize), short);
    if e.kind == ErrorKind::Budget {
        p.rule = "PARSE004";
    }
    p.note = Some(note);
    p.help = Some(help);
    if let Some(first) = e.trace.first() {
        if first.file != e.at.file || e.trace.len() > 1 {
            p.labels.push((
                first.file,
                Span::new(first.start as usize, first.end as usize),
                "rendered from here".to_string(),
            ));
        }
    }
    p
}

/// Render the chart in `dir` for each of its environments; `None` when `dir` holds no
/// `Chart.yaml`.
pub fn render(fs: &dyn Fs, dir: &Path, settings: &Settings) -> Option<ChartRender> {
    let started = Instant::now();
    let files = RefCell::new(FileTable::default());
    let mut problems = Vec::new();
    let chart = chart::load(fs, dir, &mut files.borrow_mut(), &mut problems, 0)?;
    let opts = options(settings, dir);
    let mut out = ChartRender {
        dir: dir.to_path_buf(),
        files: Vec::new(),
        texts: Vec::new(),
        renderings: Vec::new(),
        outputs: Vec::new(),
        problems: Vec::new(),
        templates: all_charts(&chart).iter().map(|c| c.templates.len()).sum(),
        elapsed: Duration::default(),
    };
    if !chart.library && problems.is_empty() {
        render_envs(fs, &chart, &opts, settings, &files, &mut problems, &mut out);
    }
    let table = files.into_inner();
    out.texts = table.texts.iter().map(|t| Arc::from(&**t)).collect();
    out.files = table.paths;
    out.problems = problems;
    out.elapsed = started.elapsed();
    Some(out)
}

/// The values of one rendering: `values.yaml`, the environment's files, `set`.
fn env_values(
    fs: &dyn Fs,
    chart: &Chart,
    spec: &env::EnvSpec,
    opts: &ChartOptions,
    files: &RefCell<FileTable>,
    problems: &mut Vec<Problem>,
) -> Option<(Rc<RefCell<Map>>, Vec<PathBuf>)> {
    let parse_file = |file: u32, problems: &mut Vec<Problem>| -> Option<Rc<RefCell<Map>>> {
        let table = files.borrow();
        let node = chart::parse_yaml(&table, file, problems, "values file")?;
        let v = crate::render::template::yaml::from_node(&node, table.text(file), file, 0);
        match v.v {
            V::Map(m) => Some(m),
            _ => Some(Rc::new(RefCell::new(Map::new()))),
        }
    };
    let mut used = Vec::new();
    let root = match chart.values_file {
        Some(f) => {
            used.push(files.borrow().paths[f as usize].clone());
            parse_file(f, problems)?
        }
        None => Rc::new(RefCell::new(Map::new())),
    };
    for path in &spec.files {
        let file = match fs.read(path) {
            Some(Ok(text)) => files.borrow_mut().add(path, text),
            Some(Err(e)) => {
                let f = files.borrow_mut().add(path, "");
                problems.push(Problem::new(
                    f,
                    Span::empty(0),
                    format!("values file cannot be read: {e}"),
                ));
                return None;
            }
            None => {
                let mut p = Problem::new(
                    chart.chart_file,
                    Span::empty(0),
                    truncate(
                        &format!(
                            "values file `{}` of environment `{}` does not exist",
                            crate::source::display_path(path),
                            spec.name
                        ),
                        80,
                    ),
                );
                p.help = Some("fix the path in `[helm] values` of linea.toml".into());
                problems.push(p);
                return None;
            }
        };
        used.push(path.clone());
        let over = parse_file(file, problems)?;
        values::coalesce(&root, &over, 0);
    }
    for (path, v) in &opts.set {
        values::set_path(&root, path, values::from_json(v, 0));
    }
    Some((root, used))
}

fn render_envs(
    fs: &dyn Fs,
    chart: &Chart,
    opts: &ChartOptions,
    settings: &Settings,
    files: &RefCell<FileTable>,
    problems: &mut Vec<Problem>,
    out: &mut ChartRender,
) {
    // parse every template of the tree once
    let charts = all_charts(chart);
    let mut parsed: HashMap<u32, Parsed> = HashMap::new();
    let mut sources: HashMap<u32, Rc<str>> = HashMap::new();
    let mut broken = false;
    for c in &charts {
        for t in &c.templates {
            let text: Rc<str> = files.borrow().texts[t.file as usize].clone();
            match parse::parse(&text) {
                Ok(tree) => {
                    parsed.insert(t.file, Parsed::from(tree));
                }
                Err(e) if e.budget => {
                    broken = true;
                    let mut p = Problem::new(t.file, e.span, truncate(&e.message, 80));
                    p.rule = "PARSE004";
                    p.help = Some("simplify the template".into());
                    problems.push(p);
                }
                Err(e) => {
                    broken = true;
                    let mut p = Problem::new(t.file, e.span, truncate(&format!("template syntax: {}", e.message), 80));
                    p.help = Some("fix the template: Go text/template syntax".into());
                    problems.push(p);
                }
            }
            sources.insert(t.file, text);
        }
    }
    let missing_deps: Vec<MissingDep> = charts
        .iter()
        .flat_map(|c| {
            c.dependencies
                .iter()
                .filter(|d| !c.subcharts.iter().any(|s| s.name == d.name))
                .map(|d| {
                    let why = match c.mismatched.iter().find(|m| m.0 == d.name) {
                        Some((_, want, found, dir)) => {
                            let shown = match (dir.parent(), dir.file_name()) {
                                (Some(p), Some(n)) if Some(p) == c.dir.parent() => {
                                    format!("../{}", n.to_string_lossy())
                                }
                                _ => crate::source::display_path(dir),
                            };
                            format!("`{}` {want}: `{shown}` is {found}", d.name)
                        }
                        None if d.repository.is_empty() => format!("`{}`", d.name),
                        None => format!("`{}` from {}", d.name, d.repository),
                    };
                    MissingDep {
                        name: d.name.clone(),
                        why,
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let defaults = |c: &Chart| -> Val {
        let table = files.borrow();
        let Some(f) = c.values_file else { return values::empty() };
        let stream = crate::lang::yaml::parse(table.text(f));
        match stream.documents.first() {
            Some(d) if stream.errors.is_empty() => {
                crate::render::template::yaml::from_node(&d.root, table.text(f), f, 0)
            }
            _ => values::empty(),
        }
    };
    let envs = env::environments(fs, &chart.dir, settings, &opts.values);
    let api = Rc::new(opts.api_versions.clone());
    for spec in envs {
        let Some((vals, used)) = env_values(fs, chart, &spec, opts, files, problems) else {
            continue;
        };
        values::scope_subcharts(chart, &vals, &defaults, 0);
        let rendering = Rendering {
            name: spec.name.clone(),
            environment: spec.environment,
            release: opts.release.clone(),
            namespace: opts.namespace.clone(),
            values: used,
        };
        let ri = out.renderings.len();
        out.renderings.push(rendering.clone());
        let tree = enabled_tree(chart, &vals);
        // Helm parses the deepest templates first and lets later definitions win
        let mut names: Vec<(String, u32)> = tree
            .iter()
            .flat_map(|n| {
                n.chart
                    .templates
                    .iter()
                    .map(move |t| (format!("{}/{}", n.prefix, t.rel), t.file))
            })
            .collect();
        names.sort_by(|a, b| {
            let (da, db) = (a.0.matches('/').count(), b.0.matches('/').count());
            db.cmp(&da).then_with(|| b.0.cmp(&a.0))
        });
        let mut set = Set {
            sources: sources.clone(),
            ..Set::default()
        };
        for (name, file) in &names {
            if let Some(p) = parsed.get(file) {
                set.add_parsed(name, *file, p);
            }
        }
        let release = map(vec![
            ("Name", Val::str(opts.release.as_str())),
            ("Namespace", Val::str(opts.namespace.as_deref().unwrap_or("default"))),
            ("IsUpgrade", Val::bool(false)),
            ("IsInstall", Val::bool(true)),
            ("Revision", Val::int(1)),
            ("Service", Val::str("Helm")),
        ]);
        let capabilities = map(vec![
            (
                "KubeVersion",
                Val::new(V::Obj(Rc::new(kube_version(&opts.kube_version)))),
            ),
            ("APIVersions", Val::new(V::Obj(Rc::new(Obj::ApiVersions(api.clone()))))),
            (
                "HelmVersion",
                map(vec![
                    ("Version", Val::str("v3.16.0")),
                    ("GitCommit", Val::str("")),
                    ("GitTreeState", Val::str("clean")),
                    ("GoVersion", Val::str("go1.22")),
                ]),
            ),
        ]);
        // each chart's data, and `.Subcharts`: its enabled subcharts' data by key
        let bases: Vec<Rc<RefCell<Map>>> = tree
            .iter()
            .map(|node| {
                let mut m = Map::new();
                m.insert("Values".into(), Val::new(V::Map(node.values.clone())));
                m.insert("Release".into(), release.clone());
                m.insert("Chart".into(), chart::chart_value(node.chart, &files.borrow()));
                m.insert("Capabilities".into(), capabilities.clone());
                m.insert(
                    "Files".into(),
                    Val::new(V::Obj(Rc::new(Obj::Files(Rc::new(node.chart.files.clone()))))),
                );
                Rc::new(RefCell::new(m))
            })
            .collect();
        for (i, node) in tree.iter().enumerate() {
            let mut subs = Map::new();
            let child_prefix = format!("{}/charts/", node.prefix);
            for (j, other) in tree.iter().enumerate() {
                if let Some(key) = other.prefix.strip_prefix(&child_prefix).filter(|k| !k.contains('/')) {
                    subs.insert(key.to_string(), Val::new(V::Map(bases[j].clone())));
                }
            }
            bases[i].borrow_mut().insert("Subcharts".into(), Val::map(subs));
        }
        for (node, base) in tree.iter().zip(&bases) {
            let host = ChartHost {
                fs,
                dir: &node.chart.dir,
                files,
            };
            let mut ex = Exec::new(&set, &host);
            for t in &node.chart.templates {
                let base_name = t.rel.rsplit('/').next().unwrap_or(&t.rel);
                if base_name.starts_with('_') || t.rel.ends_with("NOTES.txt") || !parsed.contains_key(&t.file) {
                    continue;
                }
                let name = format!("{}/{}", node.prefix, t.rel);
                let mut data = base.borrow().clone();
                data.insert(
                    "Template".into(),
                    map(vec![
                        ("Name", Val::str(name.as_str())),
                        ("BasePath", Val::str(format!("{}/templates", node.prefix))),
                    ]),
                );
                let data = Val::map(data);
                match ex.render(&name, data) {
                    Ok(s) => {
                        let s = funcs::remove_no_value(&s);
                        out.outputs.push(Output {
                            template: t.file,
                            rendering: ri,
                            name,
                            text: s.as_str().to_string(),
                            segs: s.segs().to_vec(),
                        });
                    }
                    // a define lost to another file's syntax error is reported there
                    Err(e) if e.kind == ErrorKind::MissingTemplate && broken => {}
                    Err(e) => problems.push(problem_of(&e, &rendering, &chart.dir, &missing_deps)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
