//! The engine: read and parse every file once (in parallel), build the project index, walk
//! each model once dispatching to the enabled rules per node kind, then apply config and
//! suppressions and sort.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{Configs, Settings};
use crate::discover::{FileKind, Input};
use crate::panics;
use crate::project::{self, Model, ParsedFile, Project};
use crate::rules::meta::{Exemption, Requirement, RuleMeta};
use crate::rules::registry::Registry;
use crate::rules::suppress::{self, Coverage};
use crate::rules::{
    parse_error_diagnostic, Diagnostic, FileContext, Imp, NodeKind, ProjectContext, Scope, Severity, Subject,
    Suppressed,
};
use crate::source::{Environment, FileId, Span};

/// Whether the repository shows everything a rule `requires:`.
fn requirements_met(project: &Project, meta: &RuleMeta) -> bool {
    meta.requires.iter().all(|r| match r {
        Requirement::IstioMesh => project.mesh().in_use(),
    })
}

/// Whether a rule's `exempt:` leaves this subject alone.
fn exempt(settings: &Settings, meta: &RuleMeta, subject: &Subject<'_>) -> bool {
    let object = match *subject {
        Subject::K8sObject(o) | Subject::K8sPod(o, _) | Subject::K8sContainer(o, _) => o,
        _ => return false,
    };
    meta.exempt.iter().any(|e| match e {
        Exemption::SystemNamespaces => object
            .effective_namespace
            .as_deref()
            .is_some_and(|ns| settings.config.kubernetes.system_namespaces.iter().any(|s| s == ns)),
    })
}

/// A file handed to the engine: from disk, or text already in memory (stdin, an editor buffer).
#[derive(Debug, Clone)]
pub enum SourceInput {
    Disk(Input),
    /// A file of the repository that was not asked about: read so that project rules know the
    /// repository whole, but neither checked by file rules nor reported on.
    Context(Input),
    Memory {
        path: PathBuf,
        kind: FileKind,
        text: String,
    },
    /// What discovery could not read or apply (an ignore file, a directory, a FIFO named like
    /// a Dockerfile): reported where it is, when it is below a path asked about.
    Problem {
        problem: crate::discover::Problem,
        reported: bool,
    },
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Outcome {
    pub project: Project,
    /// Sorted by path, line, column, rule id. Suppressed findings are kept, marked.
    pub diagnostics: Vec<Diagnostic>,
    /// Rules that panicked: "rule X on file Y: message". Makes the run exit 2.
    pub internal_errors: Vec<String>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn files_scanned(&self) -> usize {
        self.project.files.iter().filter(|f| f.rendered.is_none()).count()
    }
}

enum Read {
    Text(String),
    /// Not checked: why, the text to locate the finding in (empty when nothing could be read)
    /// and where.
    Unreadable {
        message: String,
        text: String,
        at: Span,
        budget: bool,
    },
}

impl Read {
    fn unreadable(message: String) -> Read {
        Read::Unreadable {
            message,
            text: String::new(),
            at: Span::empty(0),
            budget: false,
        }
    }
}

fn read(input: &SourceInput, max: u64) -> (PathBuf, FileKind, Read) {
    match input {
        SourceInput::Memory { path, kind, text } => {
            if text.len() as u64 > max {
                return (path.clone(), *kind, Read::unreadable(too_large(text.len() as u64, max)));
            }
            (path.clone(), *kind, Read::Text(text.clone()))
        }
        SourceInput::Problem { problem, .. } => (
            problem.path.clone(),
            FileKind::Unchecked,
            Read::Unreadable {
                message: problem.message.clone(),
                text: problem.text.clone(),
                at: problem.span,
                budget: problem.budget,
            },
        ),
        SourceInput::Disk(Input { path, kind }) | SourceInput::Context(Input { path, kind }) => {
            use crate::discover::read::{self, Refusal};
            let r = match read::read_bytes(path, max, None) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    // a byte order mark is blanked by `SourceFile::new`, offsets kept the file's
                    Ok(s) => Read::Text(s),
                    // a certificate bundle or key store is binary: its name is what LAY014 needs
                    Err(_) if *kind == FileKind::Sensitive => Read::Text(String::new()),
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        // the text up to the bad byte is the file's: the finding is on its line
                        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                        Read::Unreadable {
                            message: format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                            text,
                            // the bad byte is U+FFFD (three bytes) in the lossy text
                            at: Span::new(at, at + '\u{fffd}'.len_utf8()),
                            budget: false,
                        }
                    }
                },
                Err(Refusal::TooLarge { len, max }) => Read::unreadable(too_large(len, max)),
                Err(r) => Read::unreadable(format!("file {r}")),
            };
            (path.clone(), *kind, r)
        }
    }
}

fn too_large(len: u64, max: u64) -> String {
    format!("file is {len} bytes, over the `max-file-size` of {max} bytes; skipped")
}

/// Call `visit` for every node of a file's model, in document order.
/// A language adds its walk here when it adds its [`NodeKind`]s.
fn walk<'a>(project: &'a Project, file: &'a ParsedFile, visit: &mut dyn FnMut(Subject<'a>)) {
    visit(Subject::File(file));
    match &file.model {
        Model::Text | Model::Yaml(_) | Model::TfVars(_) | Model::TfTest(_) | Model::TfLock(_) => {}
        // the evaluated blocks live in the Terraform index: once per instance of the module
        // when it has several contexts (findings are merged after)
        Model::Terraform(_) => {
            if let Some(m) = project.terraform_module(file.source.id) {
                for b in m.checked_blocks(file.source.id).filter(|b| b.enabled) {
                    visit(Subject::TfBlock(b));
                }
            }
        }
        // a plan's resources with their planned values, checked like evaluated blocks
        Model::TfPlan(_) => {
            if let Some(p) = project.terraform_plan(file.source.id) {
                for b in &p.blocks {
                    visit(Subject::TfBlock(b));
                }
            }
        }
        // a kustomize patch holds partial objects: linting them alone would report what the
        // base already has
        Model::Kubernetes(m) if m.patch => {}
        Model::Kubernetes(m) => {
            for o in &m.objects {
                visit(Subject::K8sObject(o));
                if let Some(spec) = o.pod_spec() {
                    visit(Subject::K8sPod(o, spec));
                    for c in o.containers() {
                        visit(Subject::K8sContainer(o, c));
                    }
                }
            }
        }
        Model::OpenApi(d) => {
            visit(Subject::OpenApiDocument(d));
            for op in &d.operations {
                visit(Subject::OpenApiOperation(d, op));
            }
        }
        Model::Pipeline(pf) => {
            let pipeline = &pf.pipeline;
            visit(Subject::Pipeline(pipeline));
            // a template's jobs are checked through the pipelines that include it
            if project.pipelines.role(pipeline.file) != Some(crate::lang::pipeline::Role::Template) {
                for view in project.pipelines.views(pipeline) {
                    visit(Subject::PipelineJob(view));
                }
            }
            for job in &pipeline.jobs {
                for step in &job.steps {
                    visit(Subject::PipelineStep { pipeline, job, step });
                }
            }
        }
        Model::Docker(d) => {
            visit(Subject::Dockerfile(d));
            for i in &d.instructions {
                visit(Subject::DockerInstruction(d, i));
            }
        }
        Model::Python(m) => visit(Subject::PythonModule(m)),
        Model::Compose(c) => {
            for svc in &c.services {
                visit(Subject::ComposeService(c, svc));
            }
        }
        Model::Requirements(_) | Model::PyProject(_) | Model::Ini(_) | Model::Makefile(_) => {}
    }
}

/// Run every enabled rule over `inputs`, with one set of settings for every file.
pub fn run(registry: &Registry, settings: &Settings, inputs: Vec<SourceInput>) -> Outcome {
    run_configs(registry, &Configs::single(settings.clone()), inputs)
}

/// What the outcome of a run keeps of the project besides its files' texts and the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Models {
    /// The parsed models and the indexes over them: for callers that look at them (tests).
    Kept,
    /// Let go once the findings are known, before the texts that findings are in are read
    /// back: a report reads only texts, and the two are then never held together.
    LetGo,
}

/// The rules enabled under one set of settings, by node kind.
struct Enabled {
    by_kind: HashMap<NodeKind, Vec<usize>>,
}

impl Enabled {
    fn new(registry: &Registry, settings: &Settings) -> Enabled {
        let mut by_kind: HashMap<NodeKind, Vec<usize>> = HashMap::new();
        for (i, r) in registry.rules.iter().enumerate() {
            if !settings.rule_enabled(&r.meta) {
                continue;
            }
            if let Some(imp) = &r.imp {
                for k in imp.kinds() {
                    by_kind.entry(*k).or_default().push(i);
                }
            }
        }
        Enabled { by_kind }
    }
}

/// The kinds of file the rules enabled in the run read (their `reads:`), or `None` when one of
/// them reads every file (it declares nothing: engine rules, custom rules, most families).
fn kinds_read(
    registry: &Registry,
    configs: &Configs,
    inputs: &[SourceInput],
) -> Option<std::collections::HashSet<FileKind>> {
    use crate::rules::meta::Reads;
    let mut kinds: std::collections::HashSet<FileKind> = std::collections::HashSet::new();
    // a Helm chart means the images run on Kubernetes, whatever else the repository holds
    let has_chart = || {
        inputs
            .iter()
            .any(|i| input_path(i).file_name().is_some_and(|n| n == "Chart.yaml"))
    };
    for r in &registry.rules {
        if !configs.all().any(|s| s.rule_enabled(&r.meta)) {
            continue;
        }
        for reads in r.meta.reads.as_ref()? {
            let read: &[Reads] = match reads {
                Reads::Deployments if has_chart() => &[],
                Reads::Deployments => Reads::EVIDENCE_OF_DEPLOYMENTS,
                r => std::slice::from_ref(r),
            };
            kinds.extend(read.iter().flat_map(|r| r.kinds()));
        }
    }
    // what problems discovery met is reported where it is, whatever the rules
    kinds.insert(FileKind::Unchecked);
    Some(kinds)
}

/// What the models of the run keep: the validation schemas of CRDs only when an enabled rule
/// may read them.
fn keep(registry: &Registry, configs: &Configs) -> project::Keep {
    let crd_schemas = registry.rules.iter().any(|r| {
        matches!(&r.imp, Some(Imp::File(imp)) if imp.reads_crd_schemas())
            && configs.all().any(|s| s.rule_enabled(&r.meta))
    });
    project::Keep { crd_schemas }
}

/// Run every enabled rule over `inputs`; each file is governed by the settings of the nearest
/// config above it.
pub fn run_configs(registry: &Registry, configs: &Configs, inputs: Vec<SourceInput>) -> Outcome {
    run_configs_keeping(registry, configs, inputs, Models::Kept)
}

/// [`run_configs`], keeping the `models` or not.
pub fn run_configs_keeping(
    registry: &Registry,
    configs: &Configs,
    inputs: Vec<SourceInput>,
    models: Models,
) -> Outcome {
    let started = Instant::now();
    let settings: &Settings = &configs.base;

    // read + parse, in parallel; ids follow the sorted input order, so output is deterministic
    let mut inputs = inputs;
    inputs.sort_by(|a, b| input_path(a).cmp(input_path(b)));
    let mut unreadable: Vec<(FileId, String, Span)> = Vec::new();
    // per-run budgets (crate::budget) are shared by every file's parse and evaluation
    let budget = crate::budget::Run::new();
    // a repository file no enabled rule reads is neither read nor parsed: it stays in the
    // project by its path (existence checks, the count of files scanned)
    let wanted = kinds_read(registry, configs, &inputs);
    // what no enabled rule reads of a model is let go as each file is parsed
    let keep = keep(registry, configs);
    let unread = |input: &SourceInput| match (&wanted, input) {
        (Some(kinds), SourceInput::Disk(d) | SourceInput::Context(d)) => !kinds.contains(&d.kind),
        _ => false,
    };
    // one input per piece of work: inputs are sorted by path, so the costly files of a kind
    // sit together (a repository's Dockerfiles), and a range of them handed to one thread
    // whole would leave the other idle
    type Parsed = (ParsedFile, Option<(String, Span)>, Option<Reread>);
    let parsed: Vec<Parsed> = inputs
        .par_iter()
        .with_max_len(1)
        .enumerate()
        .map(|(i, input)| {
            crate::budget::within(Some(&budget), || {
                let id = FileId(i as u32);
                if let (true, SourceInput::Disk(d) | SourceInput::Context(d)) = (unread(input), input) {
                    let mut f = project::unread(id, d.path.clone(), d.kind);
                    f.reported = matches!(input, SourceInput::Disk(_));
                    return (f, None, None);
                }
                let file_settings = configs.for_path(input_path(input));
                let (path, kind, r) = read(input, file_settings.max_file_size());
                let mut f = match r {
                    // a Python module is parsed by the worker that checks it (its model dropped after)
                    // its text, when on disk, is read again there (most of a large Python tree)
                    Read::Text(t) => {
                        let on_disk = matches!(input, SourceInput::Disk(_) | SourceInput::Context(_));
                        let mut f = project::parse_later(id, path, kind, t, file_settings, on_disk);
                        keep.trim(&mut f.model);
                        (f, None)
                    }
                    Read::Unreadable {
                        message,
                        text,
                        at,
                        budget,
                    } => {
                        let mut f = project::parse(id, path, FileKind::Unchecked, text, file_settings);
                        f.kind = kind;
                        f.model = Model::Text;
                        f.errors.clear();
                        if budget {
                            f.errors.push(crate::lang::ParseError::budget(message, at));
                            (f, None)
                        } else {
                            (f, Some((message, at)))
                        }
                    }
                };
                f.0.reported = match input {
                    SourceInput::Context(_) => false,
                    SourceInput::Problem { reported, .. } => *reported,
                    _ => true,
                };
                // a manifest's text goes as soon as it is parsed: rules read its objects, and
                // the report reads back the texts a finding or a suppression is in
                let on_disk = matches!(input, SourceInput::Disk(_) | SourceInput::Context(_));
                let reread = on_disk.then(|| let_manifest_text_go(&mut f.0)).flatten();
                (f.0, f.1, reread)
            })
        })
        .collect();
    let mut files = Vec::with_capacity(parsed.len());
    let mut rereads = Vec::new();
    for (f, msg, reread) in parsed {
        rereads.extend(reread);
        if let Some((m, at)) = msg {
            if f.reported {
                unreadable.push((f.source.id, m, at));
            }
        }
        files.push(f);
    }
    // Helm charts rendered once per environment: their output joins the project as files
    let overlay: HashMap<PathBuf, String> = inputs
        .iter()
        .filter_map(|i| match i {
            SourceInput::Memory { path, text, .. } => Some((project::absolute(path), text.clone())),
            _ => None,
        })
        .collect();
    let renders = wanted.as_ref().is_none_or(|k| k.contains(&FileKind::Yaml));
    let render_findings = crate::budget::within(Some(&budget), || {
        if !renders {
            return Vec::new();
        }
        let mut found = project::rendered::render_charts(&mut files, configs, &overlay, keep);
        // Kustomize overlays built with their bases: their output joins the project too
        found.extend(project::rendered::render_kustomizations(
            &mut files, configs, &overlay, keep,
        ));
        found
    });
    // the renders' temporaries are freed: their pages go back before the build
    crate::memory::give_back();
    // no Terraform index when no rule reads Terraform (its files were not read)
    let terraform = wanted.as_ref().is_none_or(|kinds| {
        crate::rules::meta::Reads::Terraform
            .kinds()
            .iter()
            .any(|k| kinds.contains(k))
    });
    let mut project = crate::budget::within(Some(&budget), || Project::build_reading(files, configs, terraform));
    // and so are the build's (the Terraform evaluation's scopes)
    crate::memory::give_back();

    // the enabled rules, by node kind, for each distinct settings of the run
    let enabled: Vec<(&Arc<Settings>, Enabled)> = configs.all().map(|s| (s, Enabled::new(registry, s))).collect();
    let enabled_for = |s: &Arc<Settings>| -> &Enabled {
        enabled
            .iter()
            .find(|(e, _)| Arc::ptr_eq(e, s))
            .map(|(_, e)| e)
            .unwrap_or(&enabled[0].1)
    };
    let is_enabled = |id: &str| {
        registry
            .find(id)
            .is_some_and(|r| configs.all().any(|s| s.rule_enabled(&r.meta)))
    };

    // file rules, in parallel over files; a file whose parse was deferred is parsed here, its
    // model dropped when its rules are done (a file of the repository not asked about is parsed
    // only for what project rules read of it); a text let go after reading is read again here,
    // and let go again after
    type Listeners = Option<(FileId, Vec<crate::semantic::port::Listener>)>;
    type Checked = (Vec<Diagnostic>, Vec<String>, Listeners, Option<Reread>);
    let per_file: Vec<Checked> = project
        .files
        .par_iter()
        .with_max_len(1)
        .filter(|file| file.reported || file.parse_deferred)
        .map(|file| {
            let mut out = Vec::new();
            let mut errors = Vec::new();
            let settings = project.settings_of(file.source.id);
            // a text let go is read again for a parse deferred to here; the rules of a file
            // parsed already read its model
            let source = match file.parse_deferred.then(|| read_again(file, settings)) {
                None => std::borrow::Cow::Borrowed(&file.source),
                Some(Ok(source)) => source,
                Some(Err(d)) => {
                    out.extend(Some(*d).filter(|d| file.reported && registry_enables(registry, settings, &d.rule)));
                    return (out, errors, None, None);
                }
            };
            let reread_len = (file.text_on_disk && file.parse_deferred).then(|| source.text.len());
            let parsed_now = project::parse_deferred(file, &source).map(|(model, syntax)| ParsedFile {
                source: source.into_owned(),
                kind: file.kind,
                env: file.env,
                model,
                errors: syntax,
                scoped_suppressions: Vec::new(),
                reported: file.reported,
                rendered: None,
                parse_deferred: false,
                text_on_disk: false,
            });
            let listeners = parsed_now.as_ref().map(|f| (f.source.id, project.python_listeners(f)));
            let file = parsed_now.as_ref().unwrap_or(file);
            if !file.reported {
                return (out, errors, listeners, None);
            }
            // a text let go is read again at the end where a suppression is written in it
            let reread = reread_len.map(|len| Reread {
                id: file.source.id,
                len,
                directives: !suppress::directives(file).is_empty(),
            });
            if parsed_now.is_some() {
                out.extend(parse_findings(registry, settings, file));
            }
            let by_kind = &enabled_for(settings).by_kind;
            let settings: &Settings = settings;
            // findings on the instances of a Terraform module, to merge per file
            let mut tagged = Vec::new();
            walk(&project, file, &mut |subject| {
                let Some(rules) = by_kind.get(&subject.kind()) else {
                    return;
                };
                let instance = match subject {
                    Subject::TfBlock(b) => b.instance.clone(),
                    _ => None,
                };
                let env = subject_env(settings, file, &subject);
                let home = subject_home(file, &subject);
                for &i in rules {
                    let rule = &registry.rules[i];
                    // production-scoped rules look at production targets only
                    if rule.meta.scope == Scope::Prod && !settings.is_prod(env) {
                        continue;
                    }
                    if !requirements_met(&project, &rule.meta) || exempt(settings, &rule.meta, &subject) {
                        continue;
                    }
                    let before = out.len();
                    let Some(Imp::File(imp)) = &rule.imp else { continue };
                    let mut cx = FileContext {
                        meta: &rule.meta,
                        settings,
                        project: &project,
                        file,
                        home,
                        env,
                        out: &mut out,
                    };
                    if let Err(e) = panics::catch(|| imp.check_subject(&subject, &mut cx)) {
                        errors.push(format!(
                            "rule {} panicked on {}: {e}",
                            rule.meta.id,
                            file.source.display_path()
                        ));
                    }
                    if let Some(inst) = &instance {
                        tagged.extend((before..out.len()).map(|k| (k, inst.clone())));
                    }
                }
            });
            project::terraform::merge_instance_findings(&mut out, tagged);
            (out, errors, listeners, reread)
        })
        .collect();

    let mut diagnostics = Vec::new();
    let mut internal_errors = Vec::new();
    let mut listeners = HashMap::new();
    for (d, e, l, r) in per_file {
        diagnostics.extend(d);
        internal_errors.extend(e);
        listeners.extend(l);
        rereads.extend(r);
    }
    project.keep_python_listeners(listeners);

    // project rules, in parallel over rules: each that some settings of the run enable
    let mut project_rules: Vec<usize> = enabled
        .iter()
        .flat_map(|(_, e)| e.by_kind.get(&NodeKind::Project).into_iter().flatten().copied())
        .collect();
    project_rules.sort_unstable();
    project_rules.dedup();
    let project_results: Vec<(Vec<Diagnostic>, Option<String>)> = project_rules
        .par_iter()
        .with_max_len(1)
        .map(|&i| {
            let rule = &registry.rules[i];
            let mut out = Vec::new();
            let err = match &rule.imp {
                Some(Imp::Project(imp)) if requirements_met(&project, &rule.meta) => {
                    let mut cx = ProjectContext {
                        meta: &rule.meta,
                        settings,
                        project: &project,
                        out: &mut out,
                    };
                    panics::catch(|| imp.check(&project, &mut cx))
                        .err()
                        .map(|e| format!("rule {} panicked on the project: {e}", rule.meta.id))
                }
                _ => None,
            };
            // a finding is kept where its file's settings enable the rule and, for
            // production-scoped rules, when it is about a production thing
            out.retain(|d| {
                let s = project.settings_of(d.file);
                s.rule_enabled(&rule.meta) && (rule.meta.scope != Scope::Prod || d.env.is_none_or(|e| s.is_prod(e)))
            });
            (out, err)
        })
        .collect();
    for (d, e) in project_results {
        diagnostics.extend(d);
        internal_errors.extend(e);
    }

    // engine rules
    for f in project.files.iter().filter(|f| f.reported) {
        diagnostics.extend(parse_findings(registry, project.settings_of(f.source.id), f));
    }
    // a Terraform construct whose evaluation went over a budget: its value is unknown (no
    // value rule fires on it), and the user is told where
    let parse004 = registry.meta("PARSE004");
    for m in &project.terraform {
        for &(file, at, limit) in &m.exceeded {
            let on = project.file(file).is_some_and(|f| f.reported)
                && parse004.is_some_and(|meta| project.settings_of(file).rule_enabled(meta));
            if on {
                let over = crate::budget::Exceeded { limit };
                diagnostics.push(
                    Diagnostic::new(
                        "PARSE004",
                        Severity::Warning,
                        file,
                        at,
                        format!("{over}; this value is treated as unknown"),
                    )
                    .with_help(format!(
                        "values built from it are not checked; `{}` is set in linea's budgets (docs/security.md)",
                        limit.name
                    )),
                );
            }
        }
    }
    if is_enabled("PARSE002") {
        let on = |id: FileId| registry_enables(registry, project.settings_of(id), "PARSE002");
        for (id, msg, at) in unreadable.into_iter().filter(|(id, _, _)| on(*id)) {
            diagnostics.push(Diagnostic::new("PARSE002", Severity::Warning, id, at, msg));
        }
    }

    // only the files asked about are reported on
    diagnostics.retain(|d| project.file(d.file).is_some_and(|f| f.reported));
    // what charts did not render, and every finding in a rendered file moved to the template
    // and values lines that wrote it
    diagnostics.extend(render_findings.into_iter().filter(|d| {
        registry
            .meta(&d.rule)
            .is_some_and(|m| project.settings_of(d.file).rule_enabled(m))
    }));
    let names_rule =
        |name: &str, id: &str| registry.meta(name).is_some_and(|m| m.id == id) || name.eq_ignore_ascii_case(id);
    let diagnostics = project::rendered::to_origins(&project, diagnostics, &names_rule);
    // findings on a plan's resources move to their `.tf` declarations
    let mut diagnostics = project::terraform::plan::to_declarations(&project, diagnostics);
    // config: per-path ignores and severity overrides, by the settings of each finding's file
    diagnostics.retain(|d| {
        let (Some(file), Some(meta)) = (project.file(d.file), registry.meta(&d.rule)) else {
            return true;
        };
        !project.settings_of(d.file).path_ignores(&file.source.path, meta)
    });
    for d in &mut diagnostics {
        if let Some(meta) = registry.meta(&d.rule) {
            let settings = project.settings_of(d.file);
            // what a renderer leaves out on purpose (a remote Kustomize base) is a PARSE003
            // note, not an error, unless the configuration says otherwise
            let note = d.rule == "PARSE003" && d.severity == Severity::Info;
            d.severity = match settings.configured_severity(meta) {
                Some(s) => s,
                None if note => Severity::Info,
                None => settings.severity(meta),
            };
        }
    }

    let _ = settings;
    if models == Models::LetGo {
        project.let_models_go();
        crate::memory::give_back();
    }
    // the texts let go that a finding or a suppression is in come back for the report
    internal_errors.extend(restore_texts(&mut project, &diagnostics, &rereads));
    let mut diagnostics = apply_suppressions(registry, &project, diagnostics, &is_enabled);
    sort(&project, &mut diagnostics);
    // a template included by several pipelines is checked once per pipeline: the same finding
    // at the same place is reported once
    diagnostics.dedup_by(|b, a| a.rule == b.rule && a.file == b.file && a.span == b.span && a.message == b.message);
    internal_errors.sort();
    Outcome {
        project,
        diagnostics,
        internal_errors,
        elapsed: started.elapsed(),
    }
}

/// Let go of the text of a Kubernetes manifest read from disk (most of a repository's YAML),
/// once it is parsed: the rules and the project build read its objects, never its text. A
/// kustomization keeps its text, which the overlay builds read. What is known of the text for
/// the report is returned ([`restore_texts`] reads back those it needs).
fn let_manifest_text_go(f: &mut ParsedFile) -> Option<Reread> {
    let name = f.source.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let manifests = matches!(f.model, Model::Kubernetes(_))
        && f.kind == FileKind::Yaml
        && !crate::render::kustomize::FILE_NAMES.contains(&name);
    if !manifests || f.rendered.is_some() || f.text_on_disk {
        return None;
    }
    let reread = Reread {
        id: f.source.id,
        len: f.source.text.len(),
        directives: !suppress::directives(f).is_empty(),
    };
    f.source.text = Arc::from("");
    f.text_on_disk = true;
    Some(reread)
}

/// What the worker that checked a file whose text was let go ([`ParsedFile::text_on_disk`])
/// knows of it: the length read, and whether a suppression is written in it.
struct Reread {
    id: FileId,
    len: usize,
    directives: bool,
}

/// A file's text for its file rules: its own, or read again from disk when it was let go (a
/// file that can no longer be read is a PARSE002 finding, and is not checked).
fn read_again<'a>(
    file: &'a ParsedFile,
    settings: &Settings,
) -> Result<std::borrow::Cow<'a, crate::source::SourceFile>, Box<Diagnostic>> {
    use std::borrow::Cow;
    if !file.text_on_disk {
        return Ok(Cow::Borrowed(&file.source));
    }
    let input = SourceInput::Disk(Input {
        path: file.source.path.clone(),
        kind: file.kind,
    });
    match read(&input, settings.max_file_size()) {
        (path, _, Read::Text(text)) => Ok(Cow::Owned(crate::source::SourceFile::new(file.source.id, path, text))),
        (_, _, Read::Unreadable { message, at, .. }) => Err(Box::new(Diagnostic::new(
            "PARSE002",
            Severity::Warning,
            file.source.id,
            at,
            format!("{message} (the file changed while linea read it)"),
        ))),
    }
}

/// Whether the settings enable the rule `id`.
fn registry_enables(registry: &Registry, settings: &Settings, id: &str) -> bool {
    registry.meta(id).is_some_and(|m| settings.rule_enabled(m))
}

/// Read again the texts let go ([`ParsedFile::text_on_disk`]) of the files a finding or its
/// labels are in, or a suppression is written in: what the report and the suppressions need.
/// A file that changed since it was checked is an internal error (its findings may point at
/// the wrong place).
fn restore_texts(project: &mut Project, diagnostics: &[Diagnostic], rereads: &[Reread]) -> Vec<String> {
    let mut wanted: std::collections::HashSet<FileId> = diagnostics
        .iter()
        .flat_map(|d| std::iter::once(d.file).chain(d.labels.iter().map(|l| l.file)))
        .collect();
    wanted.extend(rereads.iter().filter(|r| r.directives).map(|r| r.id));
    let lens: HashMap<FileId, usize> = rereads.iter().map(|r| (r.id, r.len)).collect();
    let mut ids: Vec<FileId> = wanted
        .into_iter()
        .filter(|id| project.file(*id).is_some_and(|f| f.text_on_disk))
        .collect();
    ids.sort_unstable();
    let texts: Vec<(FileId, Option<crate::source::SourceFile>)> = ids
        .par_iter()
        .filter_map(|&id| {
            let f = project.file(id)?;
            let settings = project.settings_of(id);
            let text = read_again(f, settings).ok().map(std::borrow::Cow::into_owned);
            Some((
                id,
                text.filter(|s| lens.get(&id).is_none_or(|&len| s.text.len() == len)),
            ))
        })
        .collect();
    let mut errors = Vec::new();
    for (id, text) in texts {
        let Some(f) = project.files.get_mut(id.0 as usize) else {
            continue;
        };
        match text {
            Some(source) => {
                f.source = source;
                f.text_on_disk = false;
            }
            None => errors.push(format!(
                "{} changed on disk while linea checked it: its findings may point at the wrong place",
                f.source.display_path()
            )),
        }
    }
    errors
}

/// A file's syntax and budget errors as findings of the engine rules its settings enable.
fn parse_findings<'a>(
    registry: &'a Registry,
    settings: &'a Settings,
    file: &'a ParsedFile,
) -> impl Iterator<Item = Diagnostic> + 'a {
    file.errors
        .iter()
        .filter(move |e| registry_enables(registry, settings, e.rule()))
        .map(move |e| parse_error_diagnostic(file.source.id, e))
}

/// The environment of what a subject is: a Kubernetes object's namespace decides over its
/// file's path, and what a pipeline job deploys to over its pipeline's; everything else is its
/// file's.
fn subject_env(settings: &Settings, file: &ParsedFile, subject: &Subject<'_>) -> Environment {
    match *subject {
        Subject::K8sObject(o) | Subject::K8sPod(o, _) | Subject::K8sContainer(o, _) => {
            project::k8s::object_env(settings, file, o)
        }
        Subject::PipelineJob(view) if !view.reading().actions.is_empty() => view.reading().decision.env,
        // a Terraform block evaluated for one caller or one environment's var file
        Subject::TfBlock(b) => b.env,
        _ => file.env,
    }
}

/// The file a subject is written in: a pipeline job or step of a followed template lives in
/// the template's file.
fn subject_home(file: &ParsedFile, subject: &Subject<'_>) -> FileId {
    match *subject {
        Subject::PipelineJob(view) => view.job().file,
        Subject::PipelineStep { step, .. } => step.file,
        _ => file.source.id,
    }
}

fn input_path(i: &SourceInput) -> &PathBuf {
    match i {
        SourceInput::Disk(d) | SourceInput::Context(d) => &d.path,
        SourceInput::Memory { path, .. } => path,
        SourceInput::Problem { problem, .. } => &problem.path,
    }
}

/// Mark suppressed diagnostics and add LINEA001 (unused) and LINEA002 (no reason).
fn apply_suppressions(
    registry: &Registry,
    project: &Project,
    mut diagnostics: Vec<Diagnostic>,
    is_enabled: &dyn Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut by_file: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, d) in diagnostics.iter().enumerate() {
        by_file.entry(d.file).or_default().push(i);
    }
    let mut extra = Vec::new();
    // a rendered file's directives are its template's, read there; its annotations were
    // applied when its findings moved to the template
    for file in project.files.iter().filter(|f| f.reported && f.rendered.is_none()) {
        let settings = project.settings_of(file.source.id);
        let directives = suppress::directives(file);
        if directives.is_empty() {
            continue;
        }
        let idxs = by_file.get(&file.source.id).cloned().unwrap_or_default();
        let mut file_extra = Vec::new();
        for dir in &directives {
            if dir.coverage == Coverage::Misplaced {
                if is_enabled("LINEA001") {
                    file_extra.push(
                        Diagnostic::new(
                            "LINEA001",
                            Severity::Warning,
                            file.source.id,
                            dir.span,
                            "`linea: ignore` after a Dockerfile instruction is part of it, not a comment",
                        )
                        .with_help("put the suppression on its own line above the instruction"),
                    );
                }
                continue;
            }
            if dir.rules.is_empty() && is_enabled("LINEA001") {
                file_extra.push(
                    Diagnostic::new(
                        "LINEA001",
                        Severity::Warning,
                        file.source.id,
                        dir.span,
                        "suppression names no rule",
                    )
                    .with_help("name the rules in the brackets: `# linea: ignore[ID] reason`"),
                );
            }
            for (name, name_span) in &dir.rules {
                let meta = registry.meta(name);
                let mut used = false;
                for &i in &idxs {
                    let d = &diagnostics[i];
                    let names_rule = meta.is_some_and(|m| m.id == d.rule) || name.eq_ignore_ascii_case(&d.rule);
                    if !names_rule || d.rule.starts_with("LINEA") {
                        continue;
                    }
                    if covers(&dir.coverage, file, d.span) {
                        used = true;
                        diagnostics[i].suppressed = Some(Suppressed {
                            justification: dir.reason.clone().unwrap_or_default(),
                        });
                    }
                }
                // a suppression of a rule that did not run here (disabled by config, ignored for
                // this path, or prod-only on a non-prod file) is kept silently: teams share
                // suppressions across configs
                let ran_here = meta.is_some_and(|m| {
                    settings.rule_enabled(m)
                        && !settings.path_ignores(&file.source.path, m)
                        && (m.scope != Scope::Prod || settings.is_prod(file.env))
                        && requirements_met(project, m)
                });
                // suppressions of LINEA findings are applied below and never reported unused
                let report_unused = match meta {
                    None => true,
                    Some(m) => ran_here && !used && !m.id.starts_with("LINEA"),
                };
                if report_unused && is_enabled("LINEA001") {
                    let (message, help) = match meta {
                        None => (
                            format!(
                                "unknown rule `{name}`{}",
                                nearest_rule(registry, name)
                                    .map(|n| format!("; did you mean `{n}`?"))
                                    .unwrap_or_default()
                            ),
                            "name a rule by id or slug; `linea rules` lists them",
                        ),
                        Some(m) => (
                            format!("suppression of `{}` matches no finding", m.id),
                            "remove the suppression, or move it to the line of the finding",
                        ),
                    };
                    file_extra.push(
                        Diagnostic::new("LINEA001", Severity::Warning, file.source.id, *name_span, message)
                            .with_help(help),
                    );
                }
            }
            if dir.reason.is_none() && is_enabled("LINEA002") {
                file_extra.push(
                    Diagnostic::new(
                        "LINEA002",
                        Severity::Warning,
                        file.source.id,
                        dir.span,
                        "suppression without a reason",
                    )
                    .with_help("say why after the bracket: `# linea: ignore[ID] reason`"),
                );
            }
        }
        // LINEA findings themselves: `ignore[LINEA002]` on the line, `ignore-file[LINEA001]`
        for d in &mut file_extra {
            let by = directives.iter().find(|dir| {
                dir.rules
                    .iter()
                    .any(|(name, _)| registry.meta(name).is_some_and(|m| m.id == d.rule))
                    && covers(&dir.coverage, file, d.span)
            });
            if let Some(dir) = by {
                d.suppressed = Some(Suppressed {
                    justification: dir.reason.clone().unwrap_or_default(),
                });
            }
        }
        extra.extend(file_extra);
    }
    extra.retain(|d| {
        let (Some(file), Some(meta)) = (project.file(d.file), registry.meta(&d.rule)) else {
            return true;
        };
        let s = project.settings_of(d.file);
        s.rule_enabled(meta) && !s.path_ignores(&file.source.path, meta)
    });
    for d in &mut extra {
        if let Some(meta) = registry.meta(&d.rule) {
            d.severity = project.settings_of(d.file).severity(meta);
        }
    }
    diagnostics.extend(extra);
    diagnostics
}

/// Whether a directive's coverage includes a finding at `span`.
fn covers(coverage: &Coverage, file: &ParsedFile, span: Span) -> bool {
    match coverage {
        Coverage::File => true,
        Coverage::Lines(lines) => lines.contains(&file.source.position(span.start).line),
        Coverage::Range(r) => r.start <= span.start && span.start <= r.end,
        Coverage::Misplaced => false,
    }
}

/// The id or slug closest to a misspelt rule name.
fn nearest_rule<'a>(registry: &'a Registry, name: &str) -> Option<&'a str> {
    let names: Vec<&str> = registry
        .iter()
        .flat_map(|r| [r.meta.id.as_str(), r.meta.slug.as_str()])
        .collect();
    crate::config::nearest(name, &names).or_else(|| crate::config::nearest(&name.to_ascii_uppercase(), &names))
}

/// Sort by path, line, column, rule id, message: identical whatever the thread count.
pub fn sort(project: &Project, diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let pa = project.file(a.file).map(|f| f.source.path.as_path());
        let pb = project.file(b.file).map(|f| f.source.path.as_path());
        pa.cmp(&pb)
            .then(a.span.start.cmp(&b.span.start))
            .then(a.rule.cmp(&b.rule))
            .then(a.span.end.cmp(&b.span.end))
            .then(a.message.cmp(&b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_that_declare_what_they_read_look_only_at_the_models_of_it() {
        // a file that none of a run's rules reads is given no environment (`project::unread`):
        // sound while every rule that declares `reads:` is a file rule of a model's nodes, never
        // called for a file as a whole nor for the project
        let registry = Registry::builtin().expect("built-in rules");
        for r in registry.iter().filter(|r| r.meta.reads.is_some()) {
            let Some(Imp::File(imp)) = &r.imp else {
                panic!("{} declares what it reads but is not a file rule", r.meta.id);
            };
            let kinds = imp.kinds();
            assert!(
                !kinds.contains(&NodeKind::File) && !kinds.contains(&NodeKind::Project),
                "{} declares what it reads but looks at every file",
                r.meta.id
            );
        }
    }
}
