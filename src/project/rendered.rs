//! Files linea generates, and the way back to the files that wrote them.
//!
//! A renderer turns what a repository generates into text linted like any other file: each
//! Helm template rendered for one environment becomes a [`ParsedFile`] at its template's path,
//! with [`Rendered`] saying what produced it and an [`OriginMap`] from its bytes to the real
//! files (template text, helper, values entry, `.Files` data). Every rule sees its objects as
//! it sees plain manifests. [`to_origins`] then moves each diagnostic and label in a rendered
//! file to where its bytes came from, so a finding points at the template line, with a label at
//! the values line that set the offending value.
//!
//! For another renderer (Kustomize): build the text and the [`OriginMap`] (one
//! [`crate::source::origin::Piece`] per byte range, `at` the base or patch line, `value` the
//! overlay line that set it), push a [`ParsedFile`] with `rendered` set (see
//! [`rendered_file`]), and the engine does the rest.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Configs;
use crate::diagnostic::{Diagnostic, Label, Severity, Suppressed};
use crate::discover::FileKind;
use crate::project::{absolute, Keep, Model, ParsedFile, Project};
use crate::render::{helm, kustomize};
use crate::semantic::environment::{self, Evidence};
use crate::source::origin::{OriginMap, Piece, Place};
use crate::source::{Environment, FileId, NodeValue, SourceFile, Span};

/// What produced a generated file.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// For labels and notes: ``Helm chart `shop` (environment `prod`)``.
    pub by: String,
    /// The environment the rendering is for, when it names one (`prod`): evidence for the
    /// environment resolver.
    pub environment: Option<String>,
    /// Objects that name no namespace are put in one at deploy time (`helm install -n`), so
    /// their missing namespace is not a finding.
    pub namespace_at_deploy: bool,
    /// Files rendered together (one chart for one environment) share this number.
    pub set: u32,
    /// Renderings that share sources (Kustomize overlays of one base): a finding they all
    /// make at the same source place is reported once, whatever each message says.
    pub once_per_place: bool,
    pub origins: OriginMap,
}

/// A generated file of the project at `path` (a real file's path: the one that wrote most of
/// it), read as Kubernetes manifests: its `stream` when the renderer built it (what parsing
/// `text` gives), else its text parsed. Its YAML errors are returned, not kept as PARSE001:
/// the caller reports them as its renderer's.
pub fn rendered_file(
    id: FileId,
    path: PathBuf,
    text: String,
    stream: Option<crate::lang::yaml::Stream>,
    env: Environment,
    rendered: Rendered,
    keep: Keep,
) -> (ParsedFile, Vec<crate::lang::ParseError>) {
    let source = SourceFile::new(id, path, text);
    let stream = stream.unwrap_or_else(|| crate::lang::yaml::parse(&source.text));
    let parsed = crate::project::k8s::manifests_of(stream, &source.text);
    let mut model = match parsed.model {
        m @ Model::Kubernetes(_) => m,
        _ => Model::Text,
    };
    keep.trim(&mut model);
    (
        ParsedFile {
            source,
            kind: FileKind::Yaml,
            env,
            model,
            errors: Vec::new(),
            scoped_suppressions: parsed.suppressions,
            reported: true,
            rendered: Some(Box::new(rendered)),
            parse_deferred: false,
            text_on_disk: false,
        },
        parsed.errors,
    )
}

/// The chart directories among the files: every `Chart.yaml` that is not a subchart's.
fn chart_dirs(files: &[ParsedFile], configs: &Configs) -> Vec<PathBuf> {
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for f in files {
        if f.rendered.is_some() || f.source.path.file_name().is_none_or(|n| n != "Chart.yaml") {
            continue;
        }
        let Some(dir) = f.source.path.parent() else { continue };
        let is_subchart = dir.parent().and_then(Path::file_name).is_some_and(|n| n == "charts")
            && dir.parent().and_then(Path::parent).is_some_and(|g| {
                files.iter().any(|o| o.source.path == g.join("Chart.yaml")) || g.join("Chart.yaml").is_file()
            });
        if is_subchart {
            continue;
        }
        let settings = configs.for_path(&f.source.path);
        if settings.config.helm.render == Some(false) {
            continue;
        }
        dirs.insert(dir.to_path_buf());
    }
    dirs.into_iter().collect()
}

/// Render the Helm charts among `files` and add what they render, and the real files their
/// origins point at, to `files`. Returns the PARSE003/PARSE004 findings of what did not render
/// (only for charts the run reports on).
pub fn render_charts(
    files: &mut Vec<ParsedFile>,
    configs: &Configs,
    overlay: &HashMap<PathBuf, String>,
    keep: Keep,
) -> Vec<Diagnostic> {
    let dirs = chart_dirs(files, configs);
    if dirs.is_empty() {
        return Vec::new();
    }
    // each render counts against the run's budgets on the thread it runs on
    let run = crate::budget::current();
    let renders: Vec<helm::ChartRender> = dirs
        .par_iter()
        .with_max_len(1)
        .filter_map(|dir| {
            let settings = configs.for_path(&dir.join("Chart.yaml"));
            let fs = helm::DiskFs {
                overlay,
                max_size: settings.max_file_size(),
            };
            crate::budget::within(run.as_ref(), || helm::render(&fs, dir, settings))
        })
        .collect();
    let mut by_path: HashMap<PathBuf, FileId> = files.iter().map(|f| (absolute(&f.source.path), f.source.id)).collect();
    let mut out = Vec::new();
    let mut set = 0u32;
    for cr in renders {
        let settings = configs.for_path(&cr.dir.join("Chart.yaml")).clone();
        // the real files of the render, in the project
        let ids = read_files_in(files, &mut by_path, &cr.files, &cr.texts, &settings);
        let place = |l: crate::render::template::Loc| Place {
            file: ids.get(l.file as usize).copied().unwrap_or_default(),
            span: Span::new(l.start as usize, l.end as usize),
        };
        // the chart's templates are not manifests of their own: their renderings are
        let templates: BTreeSet<FileId> = cr.outputs.iter().map(|o| ids[o.template as usize]).collect();
        for f in files
            .iter_mut()
            .filter(|f| templates.contains(&f.source.id) && f.rendered.is_none())
        {
            f.model = Model::Text;
            f.errors.clear();
            f.scoped_suppressions.clear();
        }
        let reported = |id: FileId, files: &[ParsedFile]| files.get(id.0 as usize).is_some_and(|f| f.reported);
        let chart_reported = ids.iter().any(|id| reported(*id, files));
        let chart_name = cr
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let first_set = set;
        set += cr.renderings.len() as u32;
        for o in &cr.outputs {
            let r = &cr.renderings[o.rendering];
            let template = ids[o.template as usize];
            let template_path = files[template.0 as usize].source.path.clone();
            let values_reported = r
                .values
                .iter()
                .filter_map(|p| by_path.get(&absolute(p)))
                .any(|id| reported(*id, files));
            let env = match r.environment {
                Environment::Unknown => files[template.0 as usize].env,
                e => e,
            };
            let pieces: Vec<Piece> = o
                .segs
                .iter()
                .filter_map(|g| {
                    let at = g.origin.at?;
                    Some(Piece {
                        start: g.start as usize,
                        end: g.end as usize,
                        at: place(at),
                        linear: g.origin.linear,
                        value: g.origin.value.map(place),
                        via: g.origin.via.map(place),
                        computed: !g.origin.linear && g.origin.value.is_none() && !g.origin.literal,
                        generated: g.origin.generated,
                    })
                })
                .collect();
            let by = if r.name == "default" {
                format!("Helm chart `{chart_name}`")
            } else {
                format!("Helm chart `{chart_name}` (environment `{}`)", r.name)
            };
            let id = FileId(files.len() as u32);
            let (mut f, errors) = rendered_file(
                id,
                template_path,
                o.text.clone(),
                None,
                env,
                Rendered {
                    by,
                    environment: (r.name != "default").then(|| r.name.clone()),
                    namespace_at_deploy: r.namespace.is_none(),
                    set: first_set + o.rendering as u32,
                    once_per_place: false,
                    origins: OriginMap::new(pieces),
                },
                keep,
            );
            f.reported = reported(template, files) || values_reported;
            if let (Model::Kubernetes(m), Some(rendered)) = (&mut f.model, &f.rendered) {
                let (origins, text) = (&rendered.origins, &f.source.text[..]);
                for obj in m.objects.iter_mut() {
                    match &r.namespace {
                        Some(ns) if obj.effective_namespace.is_none() => obj.effective_namespace = Some(ns.clone()),
                        None if namespace_from_release(obj, origins, text) => obj.effective_namespace = None,
                        _ => {}
                    }
                    generated_secret_data(obj, origins, text);
                }
            }
            if f.reported {
                for e in errors {
                    let full = format!("rendered template is not valid YAML: {}", e.message);
                    let msg = crate::budget::truncate(&full, 80).into_owned();
                    out.push(
                        Diagnostic::new("PARSE003", Severity::Error, id, e.span, msg).with_help(
                            "fix the template so that it renders YAML: check the indentation `nindent` gives",
                        ),
                    );
                }
            }
            files.push(f);
        }
        if !chart_reported {
            continue;
        }
        for p in &cr.problems {
            let mut d = Diagnostic::new(p.rule, Severity::Error, ids[p.file as usize], p.span, p.message.clone());
            d.note = p.note.clone();
            d.help = p.help.clone();
            for (file, span, message) in &p.labels {
                d.labels.push(Label {
                    file: ids[*file as usize],
                    span: *span,
                    message: message.clone(),
                });
            }
            out.push(d);
        }
    }
    out
}

/// Whether the `default` namespace of a rendered object is `helm template`'s stand-in for the
/// release namespace (`namespace: {{ .Release.Namespace }}`, Bitnami's `common.names.namespace`)
/// rather than a choice of the chart or its values: it is decided at install time
/// ([`OriginMap::install_time`]). `helm install -n` puts such an object where it puts the
/// others.
fn namespace_from_release(obj: &crate::lang::k8s::Object, origins: &OriginMap, text: &str) -> bool {
    obj.effective_namespace.as_deref() == Some("default")
        && obj
            .root
            .at("metadata.namespace")
            .is_some_and(|n| origins.install_time(n.span, text))
}

/// A rendered Secret's `data` and `stringData` values decided at install time
/// ([`OriginMap::install_time`]: `randAlphaNum 32 | b64enc`, a `genCA` certificate, the
/// password a helper generates unless the values give one) exist only once `helm install`
/// runs: they become unknown, so that no rule reads the renderer's stand-in as a secret
/// someone committed. A value from a values file or written in the template stays as it is.
fn generated_secret_data(obj: &mut crate::lang::k8s::Object, origins: &OriginMap, text: &str) {
    if obj.kind != "Secret" {
        return;
    }
    let NodeValue::Map(entries) = &mut obj.root.value else {
        return;
    };
    for e in entries.iter_mut().filter(|e| e.key == "data" || e.key == "stringData") {
        let NodeValue::Map(items) = &mut e.value.value else {
            continue;
        };
        for item in items.iter_mut() {
            let v = &mut item.value;
            if matches!(v.value, NodeValue::String(_)) && origins.install_time(v.span, text) {
                v.value = NodeValue::Unknown(v.span.slice(text).to_string());
            }
        }
    }
}

/// The ids of the real files a renderer read (`paths`, with the `texts` it read them with):
/// a file the project does not hold joins it, unreported, with that text, so that findings
/// can point into it.
fn read_files_in(
    files: &mut Vec<ParsedFile>,
    by_path: &mut HashMap<PathBuf, FileId>,
    paths: &[PathBuf],
    texts: impl IntoIterator<Item = impl AsRef<str>>,
    settings: &crate::config::Settings,
) -> Vec<FileId> {
    paths
        .iter()
        .zip(texts)
        .map(|(path, text)| {
            let abs = absolute(path);
            if let Some(id) = by_path.get(&abs) {
                return *id;
            }
            let id = FileId(files.len() as u32);
            let kind = crate::discover::classify(path).unwrap_or(FileKind::Yaml);
            let mut f = crate::project::parse(id, path.clone(), kind, String::new(), settings);
            f.source = SourceFile::new(id, path.clone(), text.as_ref().to_owned());
            f.model = Model::Text;
            f.reported = false;
            files.push(f);
            by_path.insert(abs, id);
            id
        })
        .collect()
}

/// The kustomization files among `files`, by directory (normalised), with the directories
/// their `resources`, `bases` and `components` name and whether they are components.
fn kustomizations(files: &[ParsedFile]) -> Vec<(PathBuf, FileId, bool, Vec<PathBuf>)> {
    let mut out = Vec::new();
    for f in files.iter().filter(|f| f.rendered.is_none()) {
        let name = f.source.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !kustomize::FILE_NAMES.contains(&name) {
            continue;
        }
        let dir = crate::semantic::path::normalize(f.source.path.parent().unwrap_or(Path::new("")));
        let stream = crate::lang::yaml::parse(&f.source.text);
        let Some(root) = stream.documents.first().map(|d| &d.root) else {
            continue;
        };
        if !root.is_map() {
            continue;
        }
        let component = root.get("kind").and_then(crate::source::node::Node::as_str) == Some("Component");
        let included = ["resources", "bases", "components"]
            .iter()
            .flat_map(|k| root.get(k).map(crate::source::node::Node::items).unwrap_or_default())
            .filter_map(crate::source::node::Node::as_str)
            .filter(|s| !kustomize::is_remote(s))
            .map(|s| crate::semantic::path::normalize(&dir.join(s)))
            .collect();
        out.push((dir, f.source.id, component, included));
    }
    out
}

/// The size of built output (bytes of YAML) from which an overlay build gives back the pages it
/// freed as soon as it is done: argo-cd's installs (2 MB each, mostly CRDs) held 15 MiB of
/// them at the end of the builds of the corpus.
const LARGE_BUILD: usize = 64 * 1024;

/// Build the Kustomize overlays among `files` (every kustomization no other one includes)
/// and add what they build, and the real files their origins point at, to `files`. The
/// manifests and bases an overlay includes are judged through it: they are not linted on
/// their own. Returns the PARSE003/PARSE004 findings of what did not build.
pub fn render_kustomizations(
    files: &mut Vec<ParsedFile>,
    configs: &Configs,
    overlay: &HashMap<PathBuf, String>,
    keep: Keep,
) -> Vec<Diagnostic> {
    let all = kustomizations(files);
    if all.is_empty() {
        return Vec::new();
    }
    let included: BTreeSet<&PathBuf> = all.iter().flat_map(|(_, _, _, inc)| inc).collect();
    let roots: Vec<(PathBuf, FileId)> = all
        .iter()
        .filter(|(dir, _, component, _)| !component && !included.contains(dir))
        .map(|(dir, id, _, _)| (dir.clone(), *id))
        .collect();
    let mut by_path: HashMap<PathBuf, FileId> = files.iter().map(|f| (absolute(&f.source.path), f.source.id)).collect();
    // the overlays of one base read the same files: each is parsed once; a build keeps the
    // text of a file it read only where the project does not hold it already
    let parsed = kustomize::Parsed::default();
    let run = crate::budget::current();
    let builds: Vec<(FileId, kustomize::Build)> = roots
        .par_iter()
        .with_max_len(1)
        .map(|(dir, id)| {
            let path = &files[id.0 as usize].source.path;
            let fs = helm::DiskFs {
                overlay,
                max_size: configs.for_path(path).max_file_size(),
            };
            let mut b = crate::budget::within(run.as_ref(), || kustomize::build_sharing(&fs, dir, &parsed));
            // the overlays are built before any joins the project: each lets go of what no
            // rule reads as soon as it is built
            if let Some(stream) = &mut b.stream {
                keep.trim_stream(stream);
            }
            for (path, text) in b.files.iter().zip(&mut b.texts) {
                if by_path.contains_key(&absolute(path)) {
                    *text = String::new();
                }
            }
            // a large build freed several times its output in temporaries (the trees of its
            // resources, patched and merged): their pages go back before this worker builds the
            // next overlay, not after the last (a small build's are left for the next to reuse)
            if b.text.len() >= LARGE_BUILD {
                crate::memory::give_back_here();
            }
            (*id, b)
        })
        .collect();
    drop(parsed);
    let mut out = Vec::new();
    let mut seen: BTreeSet<(FileId, Span, String)> = BTreeSet::new();
    let mut judged: BTreeSet<FileId> = BTreeSet::new();
    for (set, (kid, mut b)) in builds.into_iter().enumerate() {
        let kpath = files[kid.0 as usize].source.path.clone();
        let settings = configs.for_path(&kpath).clone();
        let ids = read_files_in(files, &mut by_path, &b.files, std::mem::take(&mut b.texts), &settings);
        let id_of = |i: u32| ids.get(i as usize).copied().unwrap_or(kid);
        let place = |s: kustomize::tree::Src| Place {
            file: id_of(s.file),
            span: s.span,
        };
        // the manifests the overlay includes are linted as built
        for r in &b.resources {
            if let Some(id) = by_path.get(&absolute(r)) {
                judged.insert(*id);
            }
        }
        let reported = ids
            .iter()
            .any(|id| files.get(id.0 as usize).is_some_and(|f| f.reported));
        let name = kpath.parent().map(|d| d.display().to_string()).unwrap_or_default();
        let evidence: Vec<Evidence<'_>> = b.namespace.iter().map(|ns| Evidence::new("namespace", ns)).collect();
        let decision = environment::decide(&settings, Some(&kpath), &evidence);
        let env_name = (decision.env != Environment::Unknown && decision.source != "config").then(|| {
            let dir_name = kpath
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().to_string())
                .filter(|n| environment::of_name(&settings, n).is_some());
            dir_name.unwrap_or_else(|| decision.value.clone())
        });
        let by = match &env_name {
            Some(e) => format!("Kustomize overlay `{name}` (environment `{e}`)"),
            None => format!("Kustomize overlay `{name}`"),
        };
        let mut origins = std::mem::take(&mut b.origins);
        origins.renumber_files(|f| id_of(f.0));
        let id = FileId(files.len() as u32);
        let (mut f, errors) = rendered_file(
            id,
            kpath.clone(),
            std::mem::take(&mut b.text),
            b.stream.take(),
            decision.env,
            Rendered {
                by,
                environment: env_name,
                namespace_at_deploy: false,
                set: (1 << 20) + set as u32,
                once_per_place: true,
                origins,
            },
            keep,
        );
        f.reported = reported;
        if reported {
            for e in errors {
                let msg = crate::budget::truncate(&format!("built overlay is not valid YAML: {}", e.message), 80)
                    .into_owned();
                out.push(Diagnostic::new("PARSE003", Severity::Error, id, e.span, msg));
            }
            for p in &b.problems {
                let at = place(p.at);
                if !seen.insert((at.file, at.span, p.message.clone())) {
                    continue;
                }
                let severity = if p.info { Severity::Info } else { Severity::Error };
                let mut d = Diagnostic::new(p.rule, severity, at.file, at.span, p.message.clone());
                d.help = p.help.clone();
                out.push(d);
            }
        }
        files.push(f);
    }
    for f in files
        .iter_mut()
        .filter(|f| judged.contains(&f.source.id) && f.rendered.is_none())
    {
        f.model = Model::Text;
        f.errors.clear();
        f.scoped_suppressions.clear();
    }
    out
}

/// Whether rule `name` (an id or slug, as a suppression writes it) is `rule`.
pub type NamesRule<'a> = &'a dyn Fn(&str, &str) -> bool;

/// Move every diagnostic and label in a rendered file to where its bytes came from, with a
/// label at the value's line (and at the `include` that pulled a helper in). A finding that a
/// rendered object's `linea.dev/ignore` annotation suppresses is marked first. Fixes of
/// rendered text cannot be applied to the template and are dropped.
pub fn to_origins(project: &Project, diagnostics: Vec<Diagnostic>, names_rule: NamesRule<'_>) -> Vec<Diagnostic> {
    let rendered = |id: FileId| -> Option<(&ParsedFile, &Rendered)> {
        let f = project.file(id)?;
        Some((f, f.rendered.as_deref()?))
    };
    let mut out = Vec::with_capacity(diagnostics.len());
    let mut places: std::collections::HashSet<(String, FileId, Span)> = std::collections::HashSet::new();
    for mut d in diagnostics {
        let once = rendered(d.file).is_some_and(|(_, r)| r.once_per_place);
        if let Some((f, r)) = rendered(d.file) {
            if d.suppressed.is_none() {
                let by = f.scoped_suppressions.iter().find(|s| {
                    s.span.start <= d.span.start
                        && d.span.start <= s.span.end
                        && s.rules.iter().any(|name| names_rule(name, &d.rule))
                });
                if let Some(s) = by {
                    d.suppressed = Some(Suppressed {
                        justification: s.reason.clone().unwrap_or_default(),
                    });
                }
            }
            if let Some(m) = r.origins.map(d.span, &f.source.text) {
                d.file = m.at.file;
                d.span = m.at.span;
                if let Some(v) = m.value {
                    let message = match &r.environment {
                        Some(e) => format!("value set here (environment `{e}`)"),
                        None => "value set here".to_string(),
                    };
                    d.labels.push(Label {
                        file: v.file,
                        span: v.span,
                        message,
                    });
                }
                if let Some(via) = m.via {
                    d.labels.push(Label {
                        file: via.file,
                        span: via.span,
                        message: "included from here".to_string(),
                    });
                }
            }
            d.fix = None;
        }
        for l in &mut d.labels {
            if let Some((f, r)) = rendered(l.file) {
                if let Some(m) = r.origins.map(l.span, &f.source.text) {
                    l.file = m.at.file;
                    l.span = m.at.span;
                }
            }
        }
        if once && !places.insert((d.rule.clone(), d.file, d.span)) {
            continue;
        }
        out.push(d);
    }
    out
}

impl Project {
    /// Where a span of a file really is: itself, or for a rendered file the template (or
    /// helper) span that wrote it. For messages that name a location.
    pub fn origin(&self, file: FileId, span: Span) -> (FileId, Span) {
        let Some(f) = self.file(file) else { return (file, span) };
        match f.rendered.as_deref().and_then(|r| r.origins.map(span, &f.source.text)) {
            Some(m) => (m.at.file, m.at.span),
            None => (file, span),
        }
    }

    /// `path:line` of a span, through [`Project::origin`].
    pub fn location(&self, file: FileId, span: Span) -> (String, u32) {
        let (file, span) = self.origin(file, span);
        self.file(file)
            .map(|f| (f.source.display_path(), f.source.line(span.start)))
            .unwrap_or_default()
    }
}
