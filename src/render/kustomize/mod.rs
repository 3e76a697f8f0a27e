//! Kustomize overlays built as `kustomize build` builds them, without the binary: resources
//! (files, directories holding a kustomization, bases), components, generators, and the
//! built-in transformers in kustomize's order (strategic merge and JSON 6902 patches,
//! namespace, name prefix and suffix, labels, annotations, replicas, images), then the name
//! references fixed up after renames.
//!
//! Every node of the built objects keeps the real file span that wrote it and, when an overlay
//! replaced the value, the overlay line that did ([`tree::KNode::set`]); the output is a YAML
//! stream with origin pieces, linted like a plain manifest. Remote bases are never fetched:
//! they are reported (informational) at their entry.

pub mod json6902;
pub mod merge;
#[cfg(test)]
mod tests;
pub mod tree;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::budget::{self, Meter};
use crate::render::helm::Fs;
use crate::semantic::path::normalize;
use crate::source::Span;
use tree::{Emitter, KNode, KVal, Src};

/// The names a kustomization file can have, in kustomize's order of preference.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of a directory.
pub fn kustomization_file(fs: &dyn Fs, dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| fs.is_file(p))
}

/// Something a build could not do: `PARSE003` (an error, or informational when linea leaves
/// something out on purpose: a remote base, a field it does not apply) or `PARSE004`.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub rule: &'static str,
    pub info: bool,
    pub at: Src,
    pub message: String,
    pub help: Option<String>,
}

/// One overlay built.
#[derive(Debug, Default)]
pub struct Build {
    pub dir: PathBuf,
    /// The real files the build read; [`Src::file`] indexes them.
    pub files: Vec<PathBuf>,
    pub texts: Vec<String>,
    /// The built objects as a YAML stream, and where each byte came from.
    pub text: String,
    /// `text` as a YAML stream, built as it was written (`None`: parse the text).
    pub stream: Option<crate::lang::yaml::Stream>,
    /// Where each byte of `text` came from; the pieces number the files as [`Src::file`] does.
    pub origins: crate::source::origin::OriginMap,
    /// The namespace the overlay itself sets.
    pub namespace: Option<String>,
    pub problems: Vec<Problem>,
    /// Resource files included (manifests, not kustomizations), normalised.
    pub resources: BTreeSet<PathBuf>,
    /// Directories of the kustomizations built (the overlay's and its bases' and components').
    pub kustomizations: BTreeSet<PathBuf>,
    pub objects: usize,
}

/// One object being built, with the name it had where it was first read (patches and
/// `replicas:` of an overlay name objects by their base names).
#[derive(Debug, Clone)]
struct Res {
    n: KNode,
    org_name: String,
}

impl Res {
    fn kind(&self) -> &str {
        self.n.str_at(&["kind"]).unwrap_or("")
    }
    fn name(&self) -> &str {
        self.n.str_at(&["metadata", "name"]).unwrap_or("")
    }
    fn namespace(&self) -> Option<&str> {
        self.n.str_at(&["metadata", "namespace"])
    }
    fn named(&self, name: &str) -> bool {
        self.name() == name || self.org_name == name
    }
}

/// The YAML of the files builds read, parsed once per run: overlays of one base (dev, staging,
/// prod) and kustomizations of one repository share most of their files.
#[derive(Debug, Default)]
pub struct Parsed {
    streams: Mutex<HashMap<PathBuf, Arc<crate::lang::yaml::Stream>>>,
}

impl Parsed {
    /// The parsed stream of the file at `path`, parsing it with `parse` the first time.
    fn stream(&self, path: &Path, parse: impl FnOnce() -> crate::lang::yaml::Stream) -> Arc<crate::lang::yaml::Stream> {
        if let Some(s) = self.streams.lock().ok().and_then(|m| m.get(path).cloned()) {
            return s;
        }
        let s = Arc::new(parse());
        if let Ok(mut m) = self.streams.lock() {
            m.entry(path.to_path_buf()).or_insert_with(|| s.clone());
        }
        s
    }
}

struct Builder<'a> {
    fs: &'a dyn Fs,
    parsed: &'a Parsed,
    files: Vec<PathBuf>,
    texts: Vec<String>,
    by_path: HashMap<PathBuf, u32>,
    problems: Vec<Problem>,
    stack: Vec<PathBuf>,
    bytes: Meter,
    resources: BTreeSet<PathBuf>,
    kustomizations: BTreeSet<PathBuf>,
    reported: HashSet<(Src, &'static str)>,
    /// Something of the build was not fetched: a patch may target what it holds.
    partial: bool,
}

/// Build the kustomization in `dir`.
pub fn build(fs: &dyn Fs, dir: &Path) -> Build {
    build_sharing(fs, dir, &Parsed::default())
}

/// Build the kustomization in `dir`, with the files' YAML parsed once for every build of the
/// run that shares `parsed` (and the same `fs`).
pub fn build_sharing(fs: &dyn Fs, dir: &Path, parsed: &Parsed) -> Build {
    let mut b = Builder {
        fs,
        parsed,
        files: Vec::new(),
        texts: Vec::new(),
        by_path: HashMap::new(),
        problems: Vec::new(),
        stack: Vec::new(),
        bytes: Meter::new(&budget::KUSTOMIZE_RESOURCE_BYTES),
        resources: BTreeSet::new(),
        kustomizations: BTreeSet::new(),
        reported: HashSet::new(),
        partial: false,
    };
    let mut out = Vec::new();
    let namespace = b.run(dir, 0, &mut out, None, false);
    let mut e = Emitter::new(&b.texts);
    for r in &out {
        e.document(&r.n);
    }
    let (text, origins, stream) = e.finish();
    // what the emitter built is what parsing its text gives (checked in every debug run)
    debug_assert!(
        stream
            .as_ref()
            .is_none_or(|s| same_stream(s, &crate::lang::yaml::parse(&text))),
        "the built stream differs from its text's parse:\n{text}"
    );
    Build {
        stream,
        dir: dir.to_path_buf(),
        files: b.files,
        texts: b.texts,
        text,
        origins,
        namespace,
        problems: b.problems,
        resources: b.resources,
        kustomizations: b.kustomizations,
        objects: out.len(),
    }
}

/// Whether two YAML streams hold the same documents and errors.
fn same_stream(a: &crate::lang::yaml::Stream, b: &crate::lang::yaml::Stream) -> bool {
    a.errors == b.errors
        && a.documents.len() == b.documents.len()
        && a.documents
            .iter()
            .zip(&b.documents)
            .all(|(x, y)| x.root == y.root && x.index == y.index && x.span == y.span)
}

/// A resource entry that names something to download: `github.com/org/repo//base?ref=v1`,
/// `https://...`, `git@...`.
pub fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("git@")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
        || s.contains("?ref=")
        || s.contains("?version=")
}

/// Kinds that live in no namespace (the namespace transformer leaves them alone).
const CLUSTER_KINDS: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "CSINode",
    "Node",
    "PodSecurityPolicy",
    "VolumeSnapshotClass",
    "ClusterIssuer",
];

/// Fields linea does not apply: reported once, informational.
const UNSUPPORTED: &[&str] = &[
    "replacements",
    "vars",
    "helmCharts",
    "helmChartInflationGenerator",
    "generators",
    "transformers",
    "validators",
    "crds",
    "openapi",
    "configurations",
];

impl Builder<'_> {
    fn problem(&mut self, rule: &'static str, info: bool, at: Src, message: String, help: Option<&str>) {
        if info && !self.reported.insert((at, rule)) {
            return;
        }
        let p = Problem {
            rule,
            info,
            at,
            message,
            help: help.map(str::to_string),
        };
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    /// A generator's `files`/`envs` input that cannot be read: the objects are built without its
    /// data. Inputs such as `.env` are often written at deploy time and kept out of git, so this
    /// is a note, not an error: what the rules check (the objects) is still complete.
    fn generator_input_missing(&mut self, at: Src, path: &str, e: &str) {
        let message = format!("cannot read `{path}` ({e}): the generated data is built without it");
        let help = "commit the file, or generate it before running linea if a deploy step writes it";
        self.problem("PARSE003", true, at, message, Some(help));
    }

    /// The file's index in the table, reading it the first time.
    fn load(&mut self, path: &Path) -> Result<u32, String> {
        let path = normalize(path);
        if let Some(i) = self.by_path.get(&path) {
            return Ok(*i);
        }
        let text = match self.fs.read(&path) {
            None => return Err("no such file".into()),
            Some(Err(e)) => return Err(e),
            Some(Ok(t)) => t,
        };
        let i = self.files.len() as u32;
        self.files.push(path.clone());
        self.texts.push(text);
        self.by_path.insert(path, i);
        Ok(i)
    }

    fn text(&self, file: u32) -> &str {
        self.texts.get(file as usize).map(String::as_str).unwrap_or("")
    }

    /// The documents of a file the build loaded (parsed once per run).
    fn file_docs(&mut self, file: u32) -> Vec<KNode> {
        let path = self.files.get(file as usize).cloned().unwrap_or_default();
        let parsed = self.parsed;
        let stream = parsed.stream(&path, || crate::lang::yaml::parse(self.text(file)));
        self.stream_docs(&stream, file, &|s| s)
    }

    /// The documents of an inline patch, parsed, `remap` moving their spans to the file.
    fn docs(&mut self, file: u32, text: &str, remap: &dyn Fn(Span) -> Span) -> Vec<KNode> {
        let stream = crate::lang::yaml::parse(text);
        self.stream_docs(&stream, file, remap)
    }

    fn stream_docs(
        &mut self,
        stream: &crate::lang::yaml::Stream,
        file: u32,
        remap: &dyn Fn(Span) -> Span,
    ) -> Vec<KNode> {
        for e in &stream.errors {
            let at = Src {
                file,
                span: remap(e.span),
            };
            self.problem("PARSE003", false, at, format!("not valid YAML: {}", e.message), None);
        }
        stream
            .documents
            .iter()
            .filter(|d| !d.root.is_null())
            .map(|d| KNode::from_node(&d.root, file, remap))
            .collect()
    }

    /// Build the kustomization of `dir` into `acc` (a component works on `acc` itself).
    /// Returns the namespace it sets.
    fn run(
        &mut self,
        dir: &Path,
        depth: usize,
        acc: &mut Vec<Res>,
        via: Option<Src>,
        component: bool,
    ) -> Option<String> {
        let dir = normalize(dir);
        let here = via.unwrap_or_default();
        if depth > budget::KUSTOMIZE_DEPTH.get() {
            let msg = format!("kustomizations nest deeper than {}", budget::KUSTOMIZE_DEPTH.amount());
            self.problem("PARSE004", false, here, msg, None);
            return None;
        }
        if self.stack.contains(&dir) {
            let msg = format!("`{}` includes itself", dir.display());
            self.problem(
                "PARSE003",
                false,
                here,
                msg,
                Some("remove the entry that closes the cycle"),
            );
            return None;
        }
        let Some(path) = kustomization_file(self.fs, &dir) else {
            let msg = format!("no kustomization in `{}`", dir.display());
            self.problem("PARSE003", false, here, msg, None);
            return None;
        };
        let file = match self.load(&path) {
            Ok(f) => f,
            Err(e) => {
                self.problem(
                    "PARSE003",
                    false,
                    here,
                    format!("cannot read the kustomization: {e}"),
                    None,
                );
                return None;
            }
        };
        let k = self.file_docs(file).into_iter().next()?;
        self.stack.push(dir.clone());
        self.kustomizations.insert(dir.clone());
        let mut local = if component { std::mem::take(acc) } else { Vec::new() };
        for key in ["resources", "bases"] {
            for item in k.get(key).map(KNode::items).unwrap_or_default() {
                self.resource(&dir, item, depth, &mut local);
            }
        }
        for item in k.get("components").map(KNode::items).unwrap_or_default() {
            let Some(s) = item.as_str() else { continue };
            if is_remote(s) {
                self.remote(item.at, s);
                continue;
            }
            self.run(&dir.join(s), depth + 1, &mut local, Some(item.at), true);
        }
        self.generators(&k, &dir, &mut local);
        self.transform(&k, &dir, &mut local);
        // objects a `$patch: delete` removed
        local.retain(|r| !r.n.entries().is_empty());
        for key in UNSUPPORTED {
            if let Some(e) = k.entry(key) {
                let msg = format!("linea does not apply `{key}`; the objects are linted without it");
                self.problem("PARSE003", true, e.key_at, msg, None);
            }
        }
        self.stack.pop();
        if component {
            *acc = local;
        } else {
            acc.extend(local);
        }
        k.get("namespace").and_then(KNode::text)
    }

    fn remote(&mut self, at: Src, s: &str) {
        self.partial = true;
        let msg = format!("remote base `{}` is not fetched", budget::truncate(s, 60));
        self.problem(
            "PARSE003",
            true,
            at,
            msg,
            Some("linea never downloads; vendor the base into the repository to lint it with the overlay"),
        );
    }

    fn resource(&mut self, dir: &Path, item: &KNode, depth: usize, local: &mut Vec<Res>) {
        let Some(s) = item.as_str() else { return };
        if is_remote(s) {
            self.remote(item.at, s);
            return;
        }
        let path = normalize(&dir.join(s));
        if self.fs.is_file(&path) {
            let file = match self.load(&path) {
                Ok(f) => f,
                Err(e) => {
                    self.problem("PARSE003", false, item.at, format!("cannot read `{s}`: {e}"), None);
                    return;
                }
            };
            let len = self.text(file).len() as u64;
            if let Err(over) = self.bytes.charge(len) {
                self.problem("PARSE004", false, item.at, over.to_string(), None);
                return;
            }
            self.resources.insert(path);
            for d in self.file_docs(file) {
                let is_list = d.str_at(&["kind"]).is_some_and(|k| k.ends_with("List")) && d.get("items").is_some();
                let objs = if is_list { d.items_of("items") } else { vec![d] };
                for o in objs.into_iter().filter(|o| o.str_at(&["kind"]).is_some()) {
                    let org_name = o.str_at(&["metadata", "name"]).unwrap_or("").to_string();
                    local.push(Res { n: o, org_name });
                }
            }
        } else if kustomization_file(self.fs, &path).is_some() {
            self.run(&path, depth + 1, local, Some(item.at), false);
        } else {
            let msg = if self.fs.list(&path).is_empty() {
                format!("resource `{s}` does not exist")
            } else {
                format!("`{s}` holds no kustomization")
            };
            self.problem("PARSE003", false, item.at, msg, None);
        }
    }

    /// The text of a patch (its `path:` file, or the inline string) as documents.
    fn patch_docs(&mut self, dir: &Path, item: &KNode) -> Vec<KNode> {
        if let Some(p) = item.get("path").and_then(KNode::as_str) {
            return self.patch_file(dir, p, item.at);
        }
        match item.get("patch") {
            Some(p) => self.inline(p),
            None => Vec::new(),
        }
    }

    fn patch_file(&mut self, dir: &Path, p: &str, at: Src) -> Vec<KNode> {
        if is_remote(p) {
            self.remote(at, p);
            return Vec::new();
        }
        match self.load(&dir.join(p)) {
            Ok(f) => self.file_docs(f),
            Err(e) => {
                self.problem("PARSE003", false, at, format!("cannot read patch `{p}`: {e}"), None);
                Vec::new()
            }
        }
    }

    /// An inline patch string, parsed, its spans moved to the kustomization lines.
    fn inline(&mut self, p: &KNode) -> Vec<KNode> {
        let Some(content) = p.as_str() else { return Vec::new() };
        let src = self.text(p.at.file).to_string();
        let lines = block_lines(&src, p.at.span, content);
        let span = p.at.span;
        let remap = move |s: Span| match &lines {
            Some(lines) => Span::new(map_offset(lines, s.start), map_offset(lines, s.end)),
            None => span,
        };
        let content = content.to_string();
        self.docs(p.at.file, &content, &remap)
    }

    fn generators(&mut self, k: &KNode, dir: &Path, local: &mut Vec<Res>) {
        let options = k.get("generatorOptions");
        for (key, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
            for item in k.get(key).map(KNode::items).unwrap_or_default() {
                self.generate(item, kind, dir, options, local);
            }
        }
    }

    fn generate(&mut self, item: &KNode, kind: &str, dir: &Path, options: Option<&KNode>, local: &mut Vec<Res>) {
        let at = item.at;
        let Some(name) = item.get("name").filter(|n| n.as_str().is_some()) else {
            self.problem("PARSE003", false, at, format!("{kind} generator has no `name`"), None);
            return;
        };
        let secret = kind == "Secret";
        let mut data = KNode::map(at);
        let put = |data: &mut KNode, key: &str, value: &str, key_at: Src, value_at: Src| {
            let v = if secret {
                crate::render::template::funcs::codec::b64encode(value.as_bytes())
            } else {
                value.to_string()
            };
            data.insert(key, KNode::str(v, value_at), key_at);
        };
        for l in item.get("literals").map(KNode::items).unwrap_or_default() {
            let Some(s) = l.text() else { continue };
            let Some((key, value)) = s.split_once('=') else {
                continue;
            };
            put(&mut data, key.trim(), unquote(value), l.at, l.at);
        }
        for f in item.get("files").map(KNode::items).unwrap_or_default() {
            let Some(s) = f.as_str() else { continue };
            let (key, path) = match s.split_once('=') {
                Some((k, p)) => (k.to_string(), p),
                None => (
                    Path::new(s)
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default(),
                    s,
                ),
            };
            match self.load(&dir.join(path)) {
                Ok(file) => {
                    let text = self.text(file).to_string();
                    let whole = Src {
                        file,
                        span: Span::new(0, text.len()),
                    };
                    put(&mut data, &key, &text, f.at, whole);
                }
                Err(e) => self.generator_input_missing(f.at, path, &e),
            }
        }
        let envs: Vec<&KNode> = item
            .get("envs")
            .map(KNode::items)
            .unwrap_or_default()
            .iter()
            .chain(item.get("env"))
            .collect();
        for env in envs {
            let Some(path) = env.as_str() else { continue };
            match self.load(&dir.join(path)) {
                Ok(file) => {
                    let text = self.text(file).to_string();
                    let mut offset = 0;
                    for line in text.split_inclusive('\n') {
                        let start = offset;
                        offset += line.len();
                        let l = line.trim_end_matches(['\n', '\r']);
                        let t = l.trim_start();
                        if t.is_empty() || t.starts_with('#') {
                            continue;
                        }
                        let Some((key, value)) = t.split_once('=') else {
                            continue;
                        };
                        let line_at = Src {
                            file,
                            span: Span::new(start, start + l.len()),
                        };
                        put(&mut data, key.trim(), unquote(value), line_at, line_at);
                    }
                }
                Err(e) => self.generator_input_missing(env.at, path, &e),
            }
        }
        let name_s = name.as_str().unwrap_or("").to_string();
        let behavior = item.get("behavior").and_then(KNode::as_str).unwrap_or("create");
        if behavior == "merge" || behavior == "replace" {
            let found = local.iter_mut().find(|r| r.kind() == kind && r.named(&name_s));
            let Some(r) = found else {
                if self.partial {
                    return;
                }
                let msg = format!("{kind} `{name_s}` to {behavior} is not in the bases");
                self.problem("PARSE003", false, at, msg, None);
                return;
            };
            if behavior == "replace" {
                r.n.insert("data", data, at);
            } else if let Some(d) = r.n.map_at(&["data"], at) {
                merge::merge(d, &data);
            }
            return;
        }
        let mut obj = KNode::map(at);
        obj.insert("apiVersion", KNode::str("v1", at), at);
        obj.insert("kind", KNode::str(kind, at), at);
        let mut meta = KNode::map(at);
        let name_entry = item.entry("name");
        meta.insert("name", name.clone(), name_entry.map(|e| e.key_at).unwrap_or(at));
        if let Some(ns) = item.get("namespace") {
            meta.insert("namespace", ns.clone(), ns.at);
        }
        for field in ["labels", "annotations"] {
            let mut m = KNode::map(at);
            for src in [options, item.get("options")].into_iter().flatten() {
                for e in src.get(field).map(KNode::entries).unwrap_or_default() {
                    m.insert(&e.key, e.value.clone(), e.key_at);
                }
            }
            if !m.entries().is_empty() {
                meta.insert(field, m, at);
            }
        }
        obj.insert("metadata", meta, at);
        if secret {
            let t = item.get("type").cloned().unwrap_or_else(|| KNode::str("Opaque", at));
            obj.insert("type", t, at);
        }
        obj.insert("data", data, at);
        local.push(Res {
            n: obj,
            org_name: name_s,
        });
    }

    fn transform(&mut self, k: &KNode, dir: &Path, local: &mut [Res]) {
        // patchesStrategicMerge, then patches
        for item in k.get("patchesStrategicMerge").map(KNode::items).unwrap_or_default() {
            let Some(s) = item.as_str() else { continue };
            let docs = if s.contains('\n') || s.contains(": ") {
                self.inline(item)
            } else {
                self.patch_file(dir, s, item.at)
            };
            for d in docs {
                self.strategic(&d, None, local);
            }
        }
        for item in k.get("patches").map(KNode::items).unwrap_or_default() {
            let docs = self.patch_docs(dir, item);
            let target = item.get("target");
            for d in docs {
                if matches!(d.v, KVal::Seq(_)) {
                    self.json(&d, target, item.at, local);
                } else {
                    self.strategic(&d, target, local);
                }
            }
        }
        if let Some(ns) = k.get("namespace").filter(|n| n.text().is_some()) {
            let value = ns.text().unwrap_or_default();
            let service_accounts: HashSet<String> = local
                .iter()
                .filter(|r| r.kind() == "ServiceAccount")
                .map(|r| r.name().to_string())
                .collect();
            for r in local.iter_mut() {
                let kind = r.kind().to_string();
                if kind.is_empty() || CLUSTER_KINDS.contains(&kind.as_str()) {
                    if kind == "ClusterRoleBinding" {
                        subjects_namespace(&mut r.n, &service_accounts, &value, ns.at);
                    }
                    continue;
                }
                if let Some(m) = r.n.map_at(&["metadata"], ns.at) {
                    m.set_scalar("namespace", KVal::Str(value.clone()), ns.at);
                }
                if kind == "RoleBinding" {
                    subjects_namespace(&mut r.n, &service_accounts, &value, ns.at);
                }
            }
        }
        let mut renames: HashMap<(String, String), (String, Src)> = HashMap::new();
        let prefix = k.get("namePrefix").filter(|n| n.text().is_some());
        let suffix = k.get("nameSuffix").filter(|n| n.text().is_some());
        if prefix.is_some() || suffix.is_some() {
            let p = prefix.and_then(KNode::text).unwrap_or_default();
            let s = suffix.and_then(KNode::text).unwrap_or_default();
            let by = prefix.or(suffix).map(|n| n.at).unwrap_or_default();
            for r in local.iter_mut() {
                let kind = r.kind().to_string();
                if matches!(kind.as_str(), "Namespace" | "CustomResourceDefinition" | "") {
                    continue;
                }
                let old = r.name().to_string();
                let new = format!("{p}{old}{s}");
                if let Some(m) = r.n.map_at(&["metadata"], by) {
                    m.set_scalar("name", KVal::Str(new.clone()), by);
                }
                renames.insert((kind, old), (new, by));
            }
        }
        if let Some(labels) = k.get("commonLabels") {
            for r in local.iter_mut() {
                add_labels(r, labels, true, true);
            }
        }
        for l in k.get("labels").map(KNode::items).unwrap_or_default() {
            let Some(pairs) = l.get("pairs") else { continue };
            let flag = |key: &str| l.get(key).is_some_and(|v| matches!(v.v, KVal::Bool(true)));
            let selectors = flag("includeSelectors");
            let templates = selectors || flag("includeTemplates");
            for r in local.iter_mut() {
                add_labels(r, pairs, selectors, templates);
            }
        }
        if let Some(annotations) = k.get("commonAnnotations") {
            for r in local.iter_mut() {
                let kind = r.kind().to_string();
                let mut paths: Vec<&[&str]> = vec![&["metadata", "annotations"]];
                paths.extend(
                    template_paths(&kind)
                        .iter()
                        .map(|p| &p[..])
                        .filter(|p| p.ends_with(&["labels"])),
                );
                for path in paths {
                    let path: Vec<&str> = match path.split_last() {
                        Some((&"labels", rest)) => rest.iter().copied().chain(["annotations"]).collect(),
                        _ => path.to_vec(),
                    };
                    put_pairs(&mut r.n, &path, annotations, true);
                }
            }
        }
        for item in k.get("patchesJson6902").map(KNode::items).unwrap_or_default() {
            let docs = self.patch_docs(dir, item);
            for d in docs {
                self.json(&d, item.get("target"), item.at, local);
            }
        }
        for item in k.get("replicas").map(KNode::items).unwrap_or_default() {
            let (Some(name), Some(count)) = (item.get("name").and_then(KNode::as_str), item.get("count")) else {
                continue;
            };
            let mut found = false;
            for r in local.iter_mut().filter(|r| r.named(name)) {
                if !matches!(
                    r.kind(),
                    "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
                ) {
                    continue;
                }
                found = true;
                if let Some(spec) = r.n.map_at(&["spec"], count.at) {
                    spec.set_scalar("replicas", count.v.clone(), count.at);
                }
            }
            if !found && !self.partial {
                let msg = format!("`replicas:` names `{name}`, which no workload of the build has");
                self.problem("PARSE003", false, item.at, msg, None);
            }
        }
        for img in k.get("images").map(KNode::items).unwrap_or_default() {
            for r in local.iter_mut() {
                set_images(&mut r.n, img);
            }
        }
        if !renames.is_empty() {
            for r in local.iter_mut() {
                rename_refs(&mut r.n, "", &renames);
            }
        }
    }

    /// A strategic merge patch: on its target selection, or on the object it names.
    fn strategic(&mut self, patch: &KNode, target: Option<&KNode>, local: &mut [Res]) {
        let matched: Vec<usize> = match target {
            Some(t) => local
                .iter()
                .enumerate()
                .filter(|(_, r)| selects(t, r))
                .map(|(i, _)| i)
                .collect(),
            None => {
                let kind = patch.str_at(&["kind"]).unwrap_or("");
                let name = patch.str_at(&["metadata", "name"]).unwrap_or("");
                let ns = patch.str_at(&["metadata", "namespace"]);
                local
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.kind() == kind && r.named(name) && ns.is_none_or(|n| r.namespace() == Some(n)))
                    .map(|(i, _)| i)
                    .collect()
            }
        };
        if matched.is_empty() {
            if self.partial {
                return;
            }
            let at = patch.path(&["metadata", "name"]).map(|n| n.at).unwrap_or(patch.at);
            let what = match target {
                Some(_) => "the patch's target selects no object of the build".to_string(),
                None => format!(
                    "patch for {} `{}` matches no object of the build",
                    patch.str_at(&["kind"]).unwrap_or("?"),
                    patch.str_at(&["metadata", "name"]).unwrap_or("?")
                ),
            };
            self.problem("PARSE003", false, at, what, None);
            return;
        }
        for i in matched {
            let Some(r) = local.get_mut(i) else { continue };
            if merge::deletes(patch) {
                r.n = KNode::map(patch.at);
                continue;
            }
            // a targeted patch's own name and kind do not rename its targets
            let mut p = patch.clone();
            if target.is_some() {
                if let Some(m) = p.get_mut("metadata") {
                    m.remove("name");
                    m.remove("namespace");
                }
                p.remove("kind");
                p.remove("apiVersion");
            }
            merge::merge(&mut r.n, &p);
        }
        // deleted objects are left as empty maps by the loop: dropped at the end of the build
    }

    fn json(&mut self, doc: &KNode, target: Option<&KNode>, at: Src, local: &mut [Res]) {
        let ops = match json6902::ops(doc) {
            Ok(o) => o,
            Err((at, msg)) => {
                self.problem("PARSE003", false, at, msg, None);
                return;
            }
        };
        let Some(target) = target else {
            self.problem("PARSE003", false, at, "a JSON patch needs a `target`".into(), None);
            return;
        };
        let mut any = false;
        for r in local.iter_mut().filter(|r| selects(target, r)) {
            any = true;
            for op in &ops {
                if let Err(e) = json6902::apply(&mut r.n, op) {
                    let msg = format!("JSON patch `{}` on `{}` does not apply: {e}", op.op, op.path);
                    self.problem("PARSE003", false, op.at, msg, None);
                }
            }
        }
        if !any && !self.partial {
            let msg = "the JSON patch's target selects no object of the build".to_string();
            self.problem("PARSE003", false, target.at, msg, None);
        }
    }
}

impl KNode {
    /// The items of a list field, cloned.
    fn items_of(&self, key: &str) -> Vec<KNode> {
        self.get(key).map(|n| n.items().to_vec()).unwrap_or_default()
    }
}

/// `"value"` or `'value'` → `value`.
fn unquote(s: &str) -> &str {
    let t = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// For a block scalar (`|`, `|-`, `>`) at `span` of `src` holding `content`: each content
/// line's start and the source offset it was read from. `None` for other scalars (their spans
/// map to the whole scalar).
fn block_lines(src: &str, span: Span, content: &str) -> Option<Vec<(usize, usize)>> {
    let raw = src.get(span.start..span.end.max(span.start))?;
    let block = |s: &str| s.starts_with('|') || s.starts_with('>');
    // the source lines after the indicator line (the span starts at the indicator, or at the
    // content's first line)
    let body_start = if block(raw) {
        span.start + raw.find('\n')? + 1
    } else {
        let line_start = src.get(..span.start)?.rfind('\n')? + 1;
        let before = src.get(..line_start.saturating_sub(1))?;
        let indicator = before.rsplit('\n').next()?.trim_end().rsplit(' ').next()?;
        if !block(indicator) {
            return None;
        }
        line_start
    };
    let body = src.get(body_start..)?;
    let indent = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())?;
    let mut out = Vec::new();
    let mut src_off = body_start;
    let mut content_off = 0;
    for (line, content_line) in body.split_inclusive('\n').zip(content.split_inclusive('\n')) {
        let skip = if line.trim().is_empty() {
            0
        } else {
            indent.min(line.len())
        };
        out.push((content_off, src_off + skip));
        src_off += line.len();
        content_off += content_line.len();
    }
    Some(out)
}

fn map_offset(lines: &[(usize, usize)], off: usize) -> usize {
    let i = lines.partition_point(|(c, _)| *c <= off).saturating_sub(1);
    match lines.get(i) {
        Some((c, s)) => s + (off - c.min(&off)),
        None => off,
    }
}

/// Whether a `target:` (group, version, kind, name, namespace, labelSelector,
/// annotationSelector) selects an object. Names and namespaces are anchored regexes.
fn selects(t: &KNode, r: &Res) -> bool {
    let field = |k: &str| t.get(k).and_then(KNode::text);
    let api = r.n.str_at(&["apiVersion"]).unwrap_or("");
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    if field("group").is_some_and(|g| g != group) || field("version").is_some_and(|v| v != version) {
        return false;
    }
    if field("kind").is_some_and(|k| k != r.kind()) {
        return false;
    }
    if let Some(n) = field("name") {
        if !full_match(&n, r.name()) && !full_match(&n, &r.org_name) {
            return false;
        }
    }
    if let Some(ns) = field("namespace") {
        if !full_match(&ns, r.namespace().unwrap_or("default")) {
            return false;
        }
    }
    let pairs = |k: &str| -> Vec<(String, String)> {
        r.n.path(&["metadata", k])
            .map(|m| {
                m.entries()
                    .iter()
                    .map(|e| (e.key.clone(), e.value.text().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default()
    };
    if field("labelSelector").is_some_and(|s| !selector_matches(&s, &pairs("labels"))) {
        return false;
    }
    if field("annotationSelector").is_some_and(|s| !selector_matches(&s, &pairs("annotations"))) {
        return false;
    }
    true
}

fn full_match(pattern: &str, s: &str) -> bool {
    if pattern == s {
        return true;
    }
    if pattern.len() > 1024 {
        return false;
    }
    regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(s))
}

/// A label selector (`app=api,tier!=db,env in (prod,qa),!canary`) against key/value pairs.
pub fn selector_matches(selector: &str, pairs: &[(String, String)]) -> bool {
    let get = |k: &str| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.as_str());
    // split at commas outside parentheses
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&selector[start..]);
    terms.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).all(|t| {
        if let Some((k, v)) = t.split_once("!=") {
            return get(k.trim()) != Some(v.trim());
        }
        if let Some((k, v)) = t.split_once("==").or_else(|| t.split_once('=')) {
            return get(k.trim()) == Some(v.trim());
        }
        for (word, want) in [(" notin ", false), (" in ", true)] {
            if let Some((k, set)) = t.split_once(word) {
                let set = set.trim().trim_start_matches('(').trim_end_matches(')');
                let inside = get(k.trim()).is_some_and(|v| set.split(',').any(|s| s.trim() == v));
                return inside == want;
            }
        }
        match t.strip_prefix('!') {
            Some(k) => get(k.trim()).is_none(),
            None => get(t).is_some(),
        }
    })
}

/// Where a kind carries its pod template's labels.
fn template_paths(kind: &str) -> &'static [&'static [&'static str]] {
    match kind {
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" | "ReplicationController" => {
            &[&["spec", "template", "metadata", "labels"]]
        }
        "CronJob" => &[
            &["spec", "jobTemplate", "metadata", "labels"],
            &["spec", "jobTemplate", "spec", "template", "metadata", "labels"],
        ],
        _ => &[],
    }
}

/// Where a kind selects by labels, and whether kustomize creates the selector when missing.
fn selector_paths(kind: &str) -> &'static [(&'static [&'static str], bool)] {
    match kind {
        "Service" | "ReplicationController" => &[(&["spec", "selector"], true)],
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" => &[(&["spec", "selector", "matchLabels"], true)],
        "Job" => &[(&["spec", "selector", "matchLabels"], false)],
        "CronJob" => &[(&["spec", "jobTemplate", "spec", "selector", "matchLabels"], false)],
        "PodDisruptionBudget" => &[(&["spec", "selector", "matchLabels"], false)],
        "NetworkPolicy" => &[(&["spec", "podSelector", "matchLabels"], false)],
        _ => &[],
    }
}

fn add_labels(r: &mut Res, labels: &KNode, selectors: bool, templates: bool) {
    let kind = r.kind().to_string();
    put_pairs(&mut r.n, &["metadata", "labels"], labels, true);
    if templates {
        for p in template_paths(&kind) {
            put_pairs(&mut r.n, p, labels, true);
        }
    }
    if selectors {
        for (p, create) in selector_paths(&kind) {
            put_pairs(&mut r.n, p, labels, *create);
        }
    }
}

/// Put the entries of `pairs` in the map at `path` (made when `create`).
fn put_pairs(n: &mut KNode, path: &[&str], pairs: &KNode, create: bool) {
    if pairs.entries().is_empty() || (!create && n.path(path).is_none()) {
        return;
    }
    let Some(m) = n.map_at(path, pairs.at) else { return };
    for e in pairs.entries() {
        let v = KVal::Str(e.value.text().unwrap_or_default());
        match m.get(&e.key) {
            Some(_) => m.set_scalar(&e.key, v, e.value.at),
            None => m.insert(&e.key, KNode::new(v, e.value.at), e.key_at),
        }
    }
}

/// `name`, `tag` and `digest` of an image reference (`registry:5000/app:1.2@sha256:…`).
fn split_image(s: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..]), digest),
        None => (rest, None, digest),
    }
}

/// Apply one `images:` entry to every container and init container image of an object.
fn set_images(n: &mut KNode, img: &KNode) {
    let Some(name) = img.get("name").and_then(KNode::text) else {
        return;
    };
    let new_name = img.get("newName").and_then(KNode::text);
    let new_tag = img.get("newTag").and_then(KNode::text);
    let digest = img.get("digest").and_then(KNode::text);
    let by = img
        .get("digest")
        .or(img.get("newTag"))
        .or(img.get("newName"))
        .map(|n| n.at)
        .unwrap_or(img.at);
    n.walk_mut(&mut |m| {
        if !m.is_map() {
            return;
        }
        for list in ["containers", "initContainers"] {
            let Some(KNode {
                v: KVal::Seq(items), ..
            }) = m.get_mut(list)
            else {
                continue;
            };
            for c in items.iter_mut() {
                let Some(image) = c.get_mut("image") else { continue };
                let Some(current) = image.as_str() else { continue };
                let (iname, tag, idigest) = split_image(current);
                if iname != name {
                    continue;
                }
                let base = new_name.clone().unwrap_or_else(|| iname.to_string());
                let value = match (&digest, &new_tag) {
                    (Some(d), _) => format!("{base}@{d}"),
                    (None, Some(t)) => format!("{base}:{t}"),
                    (None, None) => match (tag, idigest) {
                        (_, Some(d)) => format!("{base}@{d}"),
                        (Some(t), None) => format!("{base}:{t}"),
                        (None, None) => base,
                    },
                };
                if value != current {
                    image.v = KVal::Str(value);
                    image.set = Some(by);
                }
            }
        }
    });
}

/// RoleBinding subjects naming a service account of the build move to the overlay's namespace.
fn subjects_namespace(n: &mut KNode, accounts: &HashSet<String>, ns: &str, by: Src) {
    let Some(KNode {
        v: KVal::Seq(items), ..
    }) = n.get_mut("subjects")
    else {
        return;
    };
    for s in items.iter_mut() {
        let is_sa = s.str_at(&["kind"]) == Some("ServiceAccount");
        if is_sa && s.str_at(&["name"]).is_some_and(|name| accounts.contains(name)) {
            s.set_scalar("namespace", KVal::Str(ns.to_string()), by);
        }
    }
}

/// After names changed: the references to the renamed objects, by the fields that hold them.
fn rename_refs(n: &mut KNode, parent: &str, renames: &HashMap<(String, String), (String, Src)>) {
    let rename = |v: &mut KNode, kind: &str| {
        let Some(s) = v.as_str() else { return };
        if let Some((new, by)) = renames.get(&(kind.to_string(), s.to_string())) {
            v.v = KVal::Str(new.clone());
            v.set = Some(*by);
        }
    };
    let KVal::Map(es) = &mut n.v else {
        if let KVal::Seq(items) = &mut n.v {
            for i in items {
                rename_refs(i, parent, renames);
            }
        }
        return;
    };
    for e in es.iter_mut() {
        let field = |v: &mut KNode, f: &str, kind: &str| {
            if let Some(x) = v.get_mut(f) {
                rename(x, kind);
            }
        };
        match e.key.as_str() {
            "configMap" | "configMapRef" | "configMapKeyRef" => field(&mut e.value, "name", "ConfigMap"),
            "secretRef" | "secretKeyRef" => field(&mut e.value, "name", "Secret"),
            "secret" => {
                field(&mut e.value, "secretName", "Secret");
                field(&mut e.value, "name", "Secret");
            }
            "persistentVolumeClaim" => field(&mut e.value, "claimName", "PersistentVolumeClaim"),
            "serviceAccountName" | "serviceAccount" => rename(&mut e.value, "ServiceAccount"),
            "serviceName" => rename(&mut e.value, "Service"),
            "service" if matches!(parent, "backend" | "defaultBackend") => field(&mut e.value, "name", "Service"),
            "roleRef" | "scaleTargetRef" => {
                let kind = e.value.str_at(&["kind"]).unwrap_or("").to_string();
                field(&mut e.value, "name", &kind);
            }
            "imagePullSecrets" => {
                if let KVal::Seq(items) = &mut e.value.v {
                    for i in items {
                        field(i, "name", "Secret");
                    }
                }
            }
            "subjects" => {
                if let KVal::Seq(items) = &mut e.value.v {
                    for i in items
                        .iter_mut()
                        .filter(|i| i.str_at(&["kind"]) == Some("ServiceAccount"))
                    {
                        field(i, "name", "ServiceAccount");
                    }
                }
            }
            _ => {}
        }
        let key = e.key.clone();
        rename_refs(&mut e.value, &key, renames);
    }
}
