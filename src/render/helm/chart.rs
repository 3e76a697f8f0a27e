//! Loading a chart from its directory: `Chart.yaml` (v1 or v2; v1 dependencies from
//! `requirements.yaml`), `values.yaml`, `templates/**`, the chart's other files (`.Files`),
//! `.helmignore`, and the unpacked subcharts under `charts/`.

use std::path::{Path, PathBuf};

use super::{Fs, Problem};
use crate::render::template::{Loc, Val};
use crate::source::node::{Node, NodeValue};
use crate::source::Span;

const MAX_SUBCHART_DEPTH: usize = crate::budget::SUBCHART_DEPTH.get();
const MAX_CHART_FILES: usize = crate::budget::CHART_FILES.get();

/// A dependency listed in `Chart.yaml` (or `requirements.yaml`).
#[derive(Debug, Clone, Default)]
pub struct Dependency {
    pub name: String,
    pub alias: Option<String>,
    /// Comma-separated value paths; the first that is a boolean decides.
    pub condition: Option<String>,
    pub tags: Vec<String>,
    pub repository: String,
    /// The version constraint (`2.x.x`, `~1.4`), empty when there is none.
    pub version: String,
    /// Where the entry is written (for findings about it).
    pub span: Span,
}

impl Dependency {
    /// The name its values and templates go by.
    pub fn key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// A template file of a chart.
#[derive(Debug, Clone)]
pub struct Template {
    /// Path inside the chart, `templates/deployment.yaml`.
    pub rel: String,
    /// Index in the render's file table.
    pub file: u32,
}

#[derive(Debug)]
pub struct Chart {
    pub dir: PathBuf,
    /// The name from `Chart.yaml` (a dependency alias replaces it for subcharts).
    pub name: String,
    pub api_version: String,
    pub library: bool,
    /// `Chart.yaml` (file index and parsed root).
    pub chart_file: u32,
    pub meta: Node,
    /// `values.yaml`, when the chart has one (file index).
    pub values_file: Option<u32>,
    pub templates: Vec<Template>,
    /// Files `.Files` sees, relative to the chart directory.
    pub files: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub subcharts: Vec<Chart>,
    /// `charts/*.tgz` archives (not unpacked, not rendered).
    pub packaged: Vec<String>,
    /// Dependencies found next to the chart whose version does not satisfy the constraint:
    /// name, constraint, the version found, its directory.
    pub mismatched: Vec<(String, String, String, PathBuf)>,
}

/// The real files a render reads, each with its text: what origins index.
#[derive(Debug, Default)]
pub struct FileTable {
    pub paths: Vec<PathBuf>,
    pub texts: Vec<std::rc::Rc<str>>,
    index: std::collections::HashMap<PathBuf, u32>,
}

impl FileTable {
    pub fn add(&mut self, path: &Path, text: impl Into<std::rc::Rc<str>>) -> u32 {
        if let Some(&i) = self.index.get(path) {
            return i;
        }
        let i = self.paths.len() as u32;
        self.paths.push(path.to_path_buf());
        self.texts.push(text.into());
        self.index.insert(path.to_path_buf(), i);
        i
    }

    pub fn get(&self, path: &Path) -> Option<u32> {
        self.index.get(path).copied()
    }

    pub fn text(&self, file: u32) -> &str {
        self.texts.get(file as usize).map(|t| &**t).unwrap_or("")
    }
}

fn str_of(n: Option<&Node>) -> String {
    n.and_then(Node::scalar_text).unwrap_or_default()
}

fn dependencies(list: Option<&Node>) -> Vec<Dependency> {
    list.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|d| {
            let name = d.get("name").and_then(Node::scalar_text)?;
            Some(Dependency {
                name,
                alias: d.get("alias").and_then(Node::scalar_text).filter(|a| !a.is_empty()),
                condition: d.get("condition").and_then(Node::scalar_text).filter(|c| !c.is_empty()),
                tags: d
                    .get("tags")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect(),
                repository: str_of(d.get("repository")),
                version: str_of(d.get("version")),
                span: d.span,
            })
        })
        .collect()
}

/// Parse a YAML file of the chart; a syntax error is a problem at its location.
pub fn parse_yaml(files: &FileTable, file: u32, problems: &mut Vec<Problem>, what: &str) -> Option<Node> {
    let stream = crate::lang::yaml::parse(files.text(file));
    if let Some(e) = stream.errors.iter().find(|e| !e.message.starts_with("duplicate key")) {
        problems.push(Problem::new(
            file,
            e.span,
            format!("{what} does not parse: {}", e.message),
        ));
        return None;
    }
    Some(
        stream
            .documents
            .into_iter()
            .next()
            .map(|d| d.root)
            .unwrap_or_else(|| Node::new(Span::default(), NodeValue::Map(Vec::new()))),
    )
}

/// The `.helmignore` rules of a chart directory.
fn helmignore(fs: &dyn Fs, dir: &Path) -> Option<ignore::gitignore::Gitignore> {
    let text = fs.read(&dir.join(".helmignore"))?.ok()?;
    let mut b = ignore::gitignore::GitignoreBuilder::new(dir);
    for line in text.lines() {
        let _ = b.add_line(None, line);
    }
    b.build().ok()
}

/// Every file below `dir` (relative paths, `/`-separated, sorted), at most `MAX_CHART_FILES`.
fn walk(fs: &dyn Fs, dir: &Path, ignore: Option<&ignore::gitignore::Gitignore>) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, prefix)) = stack.pop() {
        for (name, is_dir) in fs.list(&d) {
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let path = d.join(&name);
            if ignore.is_some_and(|g| g.matched(&path, is_dir).is_ignore()) {
                continue;
            }
            if is_dir {
                if name != ".git" && prefix.matches('/').count() < 32 {
                    stack.push((path, rel));
                }
            } else if out.len() < MAX_CHART_FILES {
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// Where a dependency that is not unpacked in `charts/` is on disk: the directory a `file://`
/// repository names (relative to the chart), or else a chart directory of the dependency's name
/// next to the chart — a repository of charts that depend on each other (`bitnami/nginx` on
/// `bitnami/common`, published from there to the registry `repository` names). The caller
/// checks the name and the version constraint.
fn local_dependency(fs: &dyn Fs, dir: &Path, dep: &Dependency) -> Option<PathBuf> {
    let candidate = match dep.repository.strip_prefix("file://") {
        Some(rel) => dir.join(rel),
        None => dir.parent()?.join(&dep.name),
    };
    let candidate = normalise(&candidate);
    (candidate != normalise(dir) && fs.is_file(&candidate.join("Chart.yaml"))).then_some(candidate)
}

/// `a/b/../c` as `a/c`, without touching the disk (the chart may be in memory).
fn normalise(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Load the chart in `dir`; `None` when it has no readable `Chart.yaml` (a problem says why
/// when it has one that does not parse).
pub fn load(
    fs: &dyn Fs,
    dir: &Path,
    files: &mut FileTable,
    problems: &mut Vec<Problem>,
    depth: usize,
) -> Option<Chart> {
    let chart_path = dir.join("Chart.yaml");
    let text = fs.read(&chart_path)?.ok()?;
    let chart_file = files.add(&chart_path, text);
    let meta = parse_yaml(files, chart_file, problems, "`Chart.yaml`")?;
    let dir_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let name = meta.get("name").and_then(Node::scalar_text).unwrap_or(dir_name);
    let api_version = str_of(meta.get("apiVersion"));
    let library = meta.get("type").and_then(Node::as_str) == Some("library");
    let mut deps = dependencies(meta.get("dependencies"));
    if deps.is_empty() {
        // apiVersion v1 charts list them in requirements.yaml
        let req = dir.join("requirements.yaml");
        if let Some(Ok(text)) = fs.read(&req) {
            let f = files.add(&req, text);
            if let Some(root) = parse_yaml(files, f, problems, "`requirements.yaml`") {
                deps = dependencies(root.get("dependencies"));
            }
        }
    }
    let ignore = helmignore(fs, dir);
    let all = walk(fs, dir, ignore.as_ref());
    let mut templates = Vec::new();
    let mut chart_files = Vec::new();
    let mut sub_dirs: Vec<String> = Vec::new();
    let mut packaged = Vec::new();
    let mut values_file = None;
    for rel in &all {
        if let Some(t) = rel.strip_prefix("templates/") {
            if t.is_empty() {
                continue;
            }
            let path = dir.join(rel);
            match fs.read(&path) {
                Some(Ok(text)) => {
                    let file = files.add(&path, text);
                    templates.push(Template { rel: rel.clone(), file });
                }
                Some(Err(e)) => problems.push(Problem::new(
                    files.add(&path, ""),
                    Span::empty(0),
                    format!("template cannot be read: {e}"),
                )),
                None => {}
            }
            continue;
        }
        if let Some(sub) = rel.strip_prefix("charts/") {
            match sub.split_once('/') {
                Some((d, "Chart.yaml")) => sub_dirs.push(d.to_string()),
                None if sub.ends_with(".tgz") => packaged.push(sub.to_string()),
                _ => {}
            }
            continue;
        }
        match rel.as_str() {
            "Chart.yaml" | "requirements.yaml" | "requirements.lock" | "Chart.lock" | "values.schema.json" => {}
            "values.yaml" => {
                let path = dir.join(rel);
                if let Some(Ok(text)) = fs.read(&path) {
                    values_file = Some(files.add(&path, text));
                }
            }
            _ => chart_files.push(rel.clone()),
        }
    }
    let mut subcharts: Vec<Chart> = Vec::new();
    let mut mismatched = Vec::new();
    if depth < MAX_SUBCHART_DEPTH {
        for d in sub_dirs {
            if let Some(c) = load(fs, &dir.join("charts").join(&d), files, problems, depth + 1) {
                subcharts.push(c);
            }
        }
        for dep in &deps {
            let unpacked = subcharts.iter().any(|s| s.name == dep.name)
                || packaged
                    .iter()
                    .any(|p| p.strip_prefix(dep.name.as_str()).is_some_and(|r| r.starts_with('-')));
            if unpacked {
                continue;
            }
            let Some(sub_dir) = local_dependency(fs, dir, dep) else {
                continue;
            };
            let mut sub_problems = Vec::new();
            if let Some(c) = load(fs, &sub_dir, files, &mut sub_problems, depth + 1) {
                let version = c.meta.get("version").and_then(Node::scalar_text).unwrap_or_default();
                let fits = dep.version.is_empty()
                    || crate::render::template::funcs::semver_compare(&dep.version, &version).unwrap_or(true);
                if c.name == dep.name && fits {
                    problems.extend(sub_problems);
                    subcharts.push(c);
                } else if c.name == dep.name {
                    mismatched.push((dep.name.clone(), dep.version.clone(), version, sub_dir));
                }
            }
        }
    }
    Some(Chart {
        dir: dir.to_path_buf(),
        name,
        api_version,
        library,
        chart_file,
        meta,
        values_file,
        templates,
        files: chart_files,
        dependencies: deps,
        subcharts,
        packaged,
        mismatched,
    })
}

/// Chart.yaml keys and the Go field names `.Chart` shows them as.
const META_FIELDS: &[(&str, &str)] = &[
    ("apiVersion", "APIVersion"),
    ("name", "Name"),
    ("version", "Version"),
    ("kubeVersion", "KubeVersion"),
    ("description", "Description"),
    ("type", "Type"),
    ("keywords", "Keywords"),
    ("home", "Home"),
    ("sources", "Sources"),
    ("dependencies", "Dependencies"),
    ("maintainers", "Maintainers"),
    ("icon", "Icon"),
    ("appVersion", "AppVersion"),
    ("deprecated", "Deprecated"),
    ("annotations", "Annotations"),
];

/// `.Chart`: the chart's metadata under Go's field names, values keeping their origins.
pub fn chart_value(chart: &Chart, files: &FileTable) -> Val {
    use crate::render::template::{Map, V};
    let text = files.text(chart.chart_file);
    let mut m = Map::new();
    for (key, field) in META_FIELDS {
        let v = match chart.meta.get(key) {
            Some(n) => {
                let mut v = crate::render::template::yaml::from_node(n, text, chart.chart_file, 0);
                // metadata strings stay strings (`version: 1.0` is "1.0")
                if let (V::Float(_) | V::Bool(_), Some(s)) = (&v.v, n.scalar_text()) {
                    v.v = V::Str(crate::render::template::Str::plain(s));
                }
                v
            }
            None => match *field {
                "Keywords" | "Sources" | "Maintainers" | "Dependencies" => Val::list(Vec::new()),
                "Annotations" => Val::nil(),
                "Deprecated" => Val::bool(false),
                _ => Val::str(""),
            },
        };
        m.insert(field.to_string(), v);
    }
    // an alias renames the chart
    m.insert(
        "Name".into(),
        Val::str(chart.name.as_str()).with_origin(
            chart
                .meta
                .get("name")
                .map(|n| Loc::new(chart.chart_file, n.span.start, n.span.end)),
        ),
    );
    Val::map(m)
}
