//! Terraform modules in the project index: every `*.tf` of one directory is one module.
//!
//! Each module is evaluated in the contexts it is applied in:
//!
//! - a **root** (a module nothing calls that configures a backend or a provider, or has var
//!   files or a lock file) once per environment: `terraform.tfvars` and `*.auto.tfvars`, plus one
//!   environment's var file (`prod.tfvars` beside it or under it, one named in `linea.toml`, one a
//!   pipeline passes with `-var-file`);
//! - a **called** module once per instance of each caller, with the caller's arguments as its
//!   variables (and its own defaults for the rest);
//! - a module nothing calls and that is no root (a reusable module of a library) once, with its
//!   defaults.
//!
//! Every module also keeps its *own* evaluation ([`TfFile::blocks`]): its instances merged,
//! values that differ between them unknown; for a called module, with unknown inputs. Project
//! rules read it; file rules read the instances, and a finding that holds only in some of them
//! names them ("prod, via infra/envs/prod/main.tf:12").

use crate::semantic::path::normalize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use rayon::prelude::*;

use super::{Model, ParsedFile};
use crate::config::Settings;
use crate::discover::FileKind;
use crate::lang::terraform::eval::{self, limits, Local, RunBudget};
use crate::lang::terraform::provider_defaults;
use crate::lang::terraform::refs::{references, Reference};
use crate::lang::terraform::types::{self, Type};
use crate::lang::terraform::{header_span, span_of, Instance, Origin, Scope, TfBlock};
use crate::rules::{Diagnostic, Label};
use crate::semantic::environment::{self, Evidence};
use crate::source::node::Entry;
use crate::source::{Environment, FileId, Node, NodeValue, Span};

/// Most instances one module is evaluated in (callers times their instances).
const MAX_INSTANCES: usize = crate::budget::TERRAFORM_MODULE_INSTANCES.get();
/// Longest chain of module calls followed.
const MAX_CALL_DEPTH: usize = crate::budget::TERRAFORM_MODULE_DEPTH.get();

/// A `module` block of the project that calls a module of the project.
#[derive(Debug, Clone)]
pub struct Call {
    /// Index of the calling module in [`crate::project::Project::terraform`].
    pub caller: usize,
    pub file: FileId,
    /// The block header.
    pub span: Span,
    pub name: String,
}

/// One Terraform module (a directory of `*.tf`).
#[derive(Debug, Clone)]
pub struct TfModule {
    pub dir: PathBuf,
    /// The module's `.tf` files, in path order.
    pub files: Vec<FileId>,
    /// Var files: `terraform.tfvars`, `*.auto.tfvars` and environment var files beside it, and
    /// (for a root) those in directories below it that hold no module.
    pub tfvars: Vec<FileId>,
    /// `*.tftest.hcl` files beside it or in its `tests/` directory (or a directory below it).
    pub tests: Vec<FileId>,
    /// `.terraform.lock.hcl` beside it.
    pub lock: Option<FileId>,
    /// Some `.tf` file did not parse: what it declared is unknown.
    pub broken: bool,
    pub env: Environment,
    /// Called by another module of the project through a local `source`.
    pub called: bool,
    /// The calls of this module.
    pub callers: Vec<Call>,
    /// A root module: applied on its own (see the module docs).
    pub root: bool,
    /// The module's own evaluation: every block of its files, grouped by file in file order.
    /// Project rules read these.
    pub blocks: Vec<TfBlock>,
    /// The contexts the module's file rules run in (empty: its own evaluation only).
    pub instances: Vec<Arc<Instance>>,
    /// The blocks evaluated in each instance, laid out like `blocks`.
    pub instance_blocks: Vec<Vec<TfBlock>>,
    /// Positions in `blocks` by resource type: for rules that join resources, without scanning
    /// the module once per resource.
    pub by_type: HashMap<String, Vec<usize>>,
    /// The storage accounts that the module's separate `azurerm_storage_account_network_rules`
    /// resources name, built once so TF127 does not scan them per storage account.
    pub storage_network_rules: StorageNetworkRules,
    /// Constructs whose evaluation went over a budget (in any instance), with the budget:
    /// reported as PARSE004 where they are, their values unknown.
    pub exceeded: Vec<(FileId, Span, &'static crate::budget::Limit)>,
    /// What rules read of the module's syntax, taken from its hcl-edit bodies during the build
    /// (the bodies of `.tf` files are let go as the modules are evaluated, see [`Bodies`]).
    pub facts: ModuleFacts,
}

/// What project rules read of a module's files as written, beside its evaluated blocks.
#[derive(Debug, Clone, Default)]
pub struct ModuleFacts {
    /// Every reference in the module's files that parsed, with its file: by file in file
    /// order, each file's as [`references`] yields them.
    pub references: Vec<(FileId, Reference)>,
    /// A `terraform` block configures Terraform Cloud or a `backend` other than `local`.
    pub remote_backend: bool,
    /// The values of the state storage attributes of the module's backends
    /// ([`BACKEND_STORAGE`]), in file order.
    pub backend_storage: Vec<String>,
    /// The module checks something itself: a variable's `validation`, a resource's, data
    /// source's or output's `precondition`/`postcondition`, a `check` block.
    pub conditions: bool,
}

/// Backend attributes that name the storage holding the state.
pub const BACKEND_STORAGE: &[&str] = &["storage_account_name", "container_name", "bucket", "dynamodb_table"];

impl ModuleFacts {
    /// The facts of the module's files' bodies.
    fn of<'a>(bodies: impl Iterator<Item = (FileId, &'a Body)>) -> ModuleFacts {
        let mut facts = ModuleFacts::default();
        for (file, body) in bodies {
            facts.references.extend(references(body).into_iter().map(|r| (file, r)));
            for b in body.blocks() {
                match b.ident.as_str() {
                    "terraform" => {
                        for inner in b.body.blocks() {
                            match inner.ident.as_str() {
                                "cloud" => facts.remote_backend = true,
                                "backend" => {
                                    if inner.labels.first().is_some_and(|l| l.as_str() != "local") {
                                        facts.remote_backend = true;
                                    }
                                    for k in BACKEND_STORAGE {
                                        if let Some(v) = inner.body.get_attribute(k).and_then(|a| a.value.as_str()) {
                                            facts.backend_storage.push(v.to_string());
                                        }
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    "variable" => facts.conditions |= b.body.has_blocks("validation"),
                    "check" => facts.conditions = true,
                    "resource" | "data" | "output" => facts.conditions |= has_conditions(b),
                    _ => {}
                }
            }
        }
        facts
    }
}

/// Whether a block has a `precondition` or `postcondition`, of its own or in its `lifecycle`.
fn has_conditions(b: &Block) -> bool {
    let condition = |x: &Block| matches!(x.ident.as_str(), "precondition" | "postcondition");
    b.body.blocks().any(condition) || b.body.get_blocks("lifecycle").any(|l| l.body.blocks().any(condition))
}

/// The `.tf` files' hcl-edit bodies while the modules are evaluated, by file. They are taken
/// out of the parsed files when the evaluations start, and each module's are let go as soon as
/// its last evaluation is done (what rules read of their syntax is in [`TfModule::facts`], and
/// their blocks are evaluated in the index), so the trees of modules already evaluated do not
/// stay beside the evaluations of the rest. Var files, test files and lock files keep theirs
/// (rules read them).
struct Bodies(Vec<Mutex<Option<Arc<Body>>>>);

impl Bodies {
    fn take(files: &mut [ParsedFile]) -> Bodies {
        Bodies(
            files
                .iter_mut()
                .map(|f| match &mut f.model {
                    Model::Terraform(t) => Mutex::new(t.body.take().map(Arc::new)),
                    _ => Mutex::new(None),
                })
                .collect(),
        )
    }

    fn slot(&self, id: FileId) -> Option<std::sync::MutexGuard<'_, Option<Arc<Body>>>> {
        // a panic elsewhere does not leave a body in a state it cannot be read in
        self.0
            .get(id.0 as usize)
            .map(|m| m.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The bodies of a module's files that parsed, with their file, held for one evaluation.
    fn of<'a>(&self, files: &'a [ParsedFile], m: &TfModule) -> Vec<(&'a ParsedFile, Arc<Body>)> {
        m.files
            .iter()
            .filter_map(|id| {
                let body = self.slot(*id)?.clone()?;
                Some((files.get(id.0 as usize)?, body))
            })
            .collect()
    }

    /// Let go of a module's bodies: it is evaluated no more.
    fn release(&self, m: &TfModule) {
        for id in &m.files {
            // taken under the lock, freed after it
            drop(self.slot(*id).and_then(|mut s| s.take()));
        }
    }
}

/// The accounts separate storage network rules apply to: by resource name
/// (`azurerm_storage_account.NAME…` in `storage_account_id`), and whether one names an account
/// linea cannot tell (a variable, a data source), which may be any of them.
#[derive(Debug, Clone, Default)]
pub struct StorageNetworkRules {
    pub names: std::collections::HashSet<String>,
    pub any: bool,
}

impl TfModule {
    /// Every evaluated top-level block of the module (its own evaluation), with its file.
    pub fn blocks(&self) -> impl Iterator<Item = &TfBlock> + '_ {
        self.blocks.iter()
    }

    /// The module's resources (and data sources) of one type, in its own evaluation.
    pub fn resources<'a>(&'a self, type_name: &str) -> impl Iterator<Item = &'a TfBlock> + 'a {
        self.by_type
            .get(type_name)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter_map(move |i| self.blocks.get(*i))
    }

    /// The blocks of one file as file rules see them: once per instance when the module has
    /// instances, else its own evaluation.
    pub fn checked_blocks(&self, file: FileId) -> Box<dyn Iterator<Item = &TfBlock> + '_> {
        if self.instance_blocks.is_empty() {
            Box::new(of_file(&self.blocks, file).iter())
        } else {
            Box::new(self.instance_blocks.iter().flat_map(move |b| of_file(b, file).iter()))
        }
    }

    /// The raw hcl-edit bodies of the module's files that parsed, with their file and text:
    /// during the build only, until the evaluations take them ([`Bodies`]).
    fn bodies<'a>(&'a self, files: &'a [ParsedFile]) -> impl Iterator<Item = (&'a ParsedFile, &'a Body)> + 'a {
        self.files
            .iter()
            .filter_map(move |id| files.get(id.0 as usize))
            .filter_map(|f| match &f.model {
                Model::Terraform(t) => t.body.as_ref().map(|b| (f, b)),
                _ => None,
            })
    }
}

fn body_of(f: &ParsedFile) -> Option<&Body> {
    match &f.model {
        Model::Terraform(t) | Model::TfVars(t) => t.body.as_ref(),
        _ => None,
    }
}

fn file_name(f: &ParsedFile) -> String {
    f.source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// Loaded by Terraform on every run, whatever the environment.
fn is_always_loaded(name: &str) -> bool {
    name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
}

/// What a root says about the environment it deploys to, strongest first.
#[derive(Debug, Default, Clone)]
pub struct EnvironmentHints {
    /// The var files of this instance (`envs/prod.tfvars`).
    pub var_files: Vec<PathBuf>,
    /// The value of an `environment`-like variable in this instance.
    pub variable: Option<String>,
    /// Backend keys and workspace names of the root.
    pub backend: Vec<String>,
    /// A pipeline stage or deployment environment that applies this instance.
    pub pipeline: Option<String>,
}

/// Variables whose value names the environment.
const ENV_VARIABLES: &[&str] = &[
    "environment",
    "env",
    "environment_name",
    "env_name",
    "stage",
    "environment_type",
];

/// The environment of a root instance — the one place this is decided for Terraform, through
/// the project's environment resolver. What the root says (its var file, an `environment`
/// variable, the pipeline that applies it, its backend key or workspace) beats the directory's
/// name; config globs beat both. Returns the environment and the word that named it.
pub fn environment_of(settings: &Settings, dir: &Path, hints: &EnvironmentHints) -> (Environment, String) {
    let mut words: Vec<(&'static str, String)> = Vec::new();
    for v in &hints.var_files {
        // the file's name, else the directories holding it below the root
        if let Some(stem) = v
            .file_name()
            .map(|n| n.to_string_lossy().trim_end_matches(".tfvars").to_string())
        {
            if !is_always_loaded(&format!("{stem}.tfvars")) {
                words.push(("var-file", stem));
            }
        }
        if let Some(rel) = v.parent().and_then(|p| p.strip_prefix(dir).ok()) {
            for c in rel.components().rev() {
                words.push(("var-file", c.as_os_str().to_string_lossy().to_string()));
            }
        }
    }
    if let Some(v) = &hints.variable {
        words.push(("environment", v.clone()));
    }
    if let Some(p) = &hints.pipeline {
        words.push(("pipeline", p.clone()));
    }
    for b in &hints.backend {
        words.push(("backend", b.clone()));
    }
    let evidence: Vec<Evidence<'_>> = words.iter().map(|(s, v)| Evidence::new(s, v)).collect();
    let d = environment::decide(settings, Some(&dir.join("main.tf")), &evidence);
    let name = match d.source {
        "" | "config" | "backend" => env_word(d.env).to_string(),
        _ => d.value,
    };
    (d.env, name)
}

fn env_word(e: Environment) -> &'static str {
    match e {
        Environment::Prod => "prod",
        Environment::Nonprod => "nonprod",
        Environment::Unknown => "unknown environment",
    }
}

/// Backend keys and workspace names a module's configuration names.
fn backend_names(files: &[ParsedFile], ids: &[FileId]) -> Vec<String> {
    let mut names = Vec::new();
    for id in ids {
        let Some(body) = files.get(id.0 as usize).and_then(body_of) else {
            continue;
        };
        for t in body.blocks().filter(|b| b.ident.as_str() == "terraform") {
            for inner in t.body.blocks() {
                match inner.ident.as_str() {
                    "backend" => {
                        for k in ["key", "workspace_key_prefix", "prefix", "container_name"] {
                            if let Some(s) = inner.body.get_attribute(k).and_then(|a| a.value.as_str()) {
                                names.push(s.to_string());
                            }
                        }
                    }
                    "cloud" => {
                        for w in inner.body.blocks().filter(|b| b.ident.as_str() == "workspaces") {
                            for k in ["name", "prefix"] {
                                if let Some(s) = w.body.get_attribute(k).and_then(|a| a.value.as_str()) {
                                    names.push(s.to_string());
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    names
}

/// Whether a module configures a backend or Terraform Cloud.
fn has_backend(files: &[ParsedFile], ids: &[FileId]) -> bool {
    ids.iter()
        .filter_map(|id| files.get(id.0 as usize).and_then(body_of))
        .any(|body| {
            body.blocks()
                .filter(|b| b.ident.as_str() == "terraform")
                .any(|t| t.body.blocks().any(|i| matches!(i.ident.as_str(), "backend" | "cloud")))
        })
}

/// The version constraint of each provider in a module's `required_providers`.
fn provider_constraints(bodies: &[(&ParsedFile, Arc<Body>)]) -> HashMap<String, String> {
    let scope = Scope::default();
    let mut out = HashMap::new();
    for (f, body) in bodies {
        for t in body.blocks().filter(|b| b.ident.as_str() == "terraform") {
            for rp in t.body.blocks().filter(|b| b.ident.as_str() == "required_providers") {
                for a in rp.body.attributes() {
                    let v = scope.eval(&a.value, &f.source.text, 0);
                    // `azurerm = { version = "~> 3.0" }`, or the legacy `azurerm = "~> 3.0"`
                    let c = v.get("version").unwrap_or(&v).as_str().map(str::to_string);
                    if let Some(c) = c {
                        out.insert(a.key.as_str().to_string(), c);
                    }
                }
            }
        }
    }
    out
}

/// The major version of each provider a lock file pins, by the last part of its address.
fn lock_majors(files: &[ParsedFile], lock: Option<FileId>) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    let Some(f) = lock.and_then(|id| files.get(id.0 as usize)) else {
        return out;
    };
    let Model::TfLock(t) = &f.model else { return out };
    let Some(body) = t.body.as_ref() else { return out };
    for b in body.blocks().filter(|b| b.ident.as_str() == "provider") {
        let Some(name) = b.labels.first().and_then(|l| l.as_str().rsplit('/').next()) else {
            continue;
        };
        let major = b
            .body
            .get_attribute("version")
            .and_then(|a| a.value.as_str())
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        if let Some(m) = major {
            out.insert(name.to_string(), m);
        }
    }
    out
}

fn has_provider_block(files: &[ParsedFile], ids: &[FileId]) -> bool {
    ids.iter()
        .filter_map(|id| files.get(id.0 as usize).and_then(body_of))
        .any(|body| body.blocks().any(|b| b.ident.as_str() == "provider"))
}

/// The local module directory a `module` block calls.
fn local_source(dir: &Path, b: &Block) -> Option<PathBuf> {
    let src = b.body.get_attribute("source").and_then(|a| a.value.as_str())?;
    (src.starts_with("./") || src.starts_with("../")).then(|| normalize(&dir.join(src)))
}

/// Arguments of a `module` block that are not inputs.
pub const MODULE_META: &[&str] = &["source", "version", "count", "for_each", "providers", "depends_on"];

/// A variable as declared.
struct VarDecl<'a> {
    name: String,
    ty: Type,
    default: Option<(&'a Expression, &'a str)>,
}

fn declarations<'a>(bodies: &'a [(&'a ParsedFile, Arc<Body>)]) -> (Vec<VarDecl<'a>>, Vec<(String, Local<'a>)>) {
    let mut vars = Vec::new();
    let mut locals = Vec::new();
    for (f, body) in bodies {
        let text = &f.source.text[..];
        for b in body.blocks() {
            match b.ident.as_str() {
                "variable" => {
                    let Some(name) = b.labels.first().map(|l| l.as_str().to_string()) else {
                        continue;
                    };
                    let ty = b
                        .body
                        .get_attribute("type")
                        .map(|t| types::parse(&t.value, text))
                        .unwrap_or(Type::Any);
                    vars.push(VarDecl {
                        name,
                        ty,
                        default: b.body.get_attribute("default").map(|d| (&d.value, text)),
                    });
                }
                "locals" => {
                    for a in b.body.attributes() {
                        locals.push((
                            a.key.as_str().to_string(),
                            Local {
                                expr: &a.value,
                                text,
                                file: f.source.id,
                            },
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    (vars, locals)
}

/// One context a module is evaluated in.
#[derive(Clone, Default)]
struct Context {
    /// Variable values given (tfvars, a caller's arguments); `None` in a value means unknown.
    inputs: HashMap<String, Node>,
    origins: HashMap<String, Origin>,
    /// The module's own defaults apply to variables not given.
    defaults: bool,
    env: Environment,
    env_name: String,
    /// "via infra/envs/prod/main.tf:12", "with prod.tfvars".
    via: String,
    named: bool,
    anchor: Option<(FileId, Span, String)>,
    /// Modules on the call chain, this one last.
    chain: Vec<usize>,
    /// Whether calls from this context give the called modules instances.
    calls_count: bool,
    /// The provider major versions of the caller (or the root's lock file), by local name.
    providers: HashMap<String, u32>,
}

impl Context {
    fn label(&self) -> String {
        match self.via.is_empty() {
            true => self.env_name.clone(),
            false => format!("{}, {}", self.env_name, self.via),
        }
    }
}

/// The blocks one evaluation of a module produced, and the contexts of the modules it calls.
struct Evaluated {
    blocks: Vec<(FileId, Vec<TfBlock>)>,
    calls: Vec<(usize, Context)>,
    origins: HashMap<(FileId, Span), Origin>,
    exceeded: Vec<(FileId, Span, &'static crate::budget::Limit)>,
}

/// Evaluate every block of a module in one context.
fn evaluate(
    files: &[ParsedFile],
    bodies: &Bodies,
    modules: &[TfModule],
    by_dir: &HashMap<PathBuf, usize>,
    index: usize,
    cx: &Context,
    run: &Arc<RunBudget>,
) -> Evaluated {
    let m = &modules[index];
    let held = bodies.of(files, m);
    let (decls, locals) = declarations(&held);
    let mut scope = Scope::new(run.clone());
    for d in &decls {
        let value = match cx.inputs.get(&d.name) {
            Some(v) => v.clone(),
            None => match d.default {
                Some((expr, text)) if cx.defaults => Scope::default().eval(expr, text, 0),
                _ => Node::new(Span::default(), NodeValue::Unknown(format!("var.{}", d.name))),
            },
        };
        scope.vars.insert(d.name.clone(), types::convert(value, &d.ty));
        if let Some(o) = cx.origins.get(&d.name) {
            scope.var_origins.insert(d.name.clone(), o.clone());
        }
    }
    for (name, l) in locals {
        scope.locals.insert(name, l);
    }
    let inherited = match cx.providers.is_empty() {
        true => lock_majors(files, m.lock),
        false => cx.providers.clone(),
    };
    let majors = provider_defaults::resolve(&inherited, &provider_constraints(&held));
    let mut out = Evaluated {
        blocks: Vec::new(),
        calls: Vec::new(),
        origins: HashMap::new(),
        exceeded: Vec::new(),
    };
    for (f, body) in &held {
        scope.set_file(f.source.id);
        let text = &f.source.text[..];
        let mut blocks = Vec::new();
        for b in body.blocks() {
            let target = match b.ident.as_str() {
                "module" if cx.calls_count => local_source(&m.dir, b).and_then(|d| by_dir.get(&d).copied()),
                _ => None,
            };
            for (block, each) in expand(&scope, b, f.source.id, text, &majors) {
                if let Some(t) = target.filter(|_| block.enabled) {
                    let child = call_context(&scope, b, f, text, each, t, cx);
                    if let Some(mut c) = child {
                        c.providers = majors.clone();
                        out.calls.push((t, c));
                    }
                }
                blocks.push(block);
            }
        }
        out.blocks.push((f.source.id, blocks));
    }
    out.origins = scope.take_origins();
    out.exceeded = scope.exceeded();
    out
}

/// A block evaluated once, or once per key when its `for_each` is known; with the `each`
/// binding used, so a module call's arguments can be evaluated the same way.
fn expand(
    scope: &Scope<'_>,
    b: &Block,
    file: FileId,
    text: &str,
    majors: &HashMap<String, u32>,
) -> Vec<(TfBlock, Option<Node>)> {
    let header = header_span(b);
    let make = |mut body: Node, key: Option<String>| {
        let enabled = !eval::has_zero_instances(&body);
        let defaults = match (b.ident.as_str(), b.labels.first()) {
            ("resource", Some(t)) => provider_defaults::apply(t.as_str(), &mut body, header, majors),
            _ => Vec::new(),
        };
        let checked_as = match (b.ident.as_str(), b.labels.first()) {
            ("resource", Some(t)) if t.as_str() == "azapi_resource" => read_azapi(scope, b, text, &mut body),
            _ => None,
        };
        TfBlock {
            file,
            kind: b.ident.as_str().to_string(),
            labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
            label_spans: b.labels.iter().map(span_of).collect(),
            header,
            span: span_of(b),
            enabled,
            body,
            key,
            instance: None,
            env: Environment::Unknown,
            defaults,
            checked_as,
            planned: false,
        }
    };
    let expandable = matches!(b.ident.as_str(), "resource" | "data" | "module");
    if let Some(fe) = b.body.get_attribute("for_each").filter(|_| expandable) {
        let coll = scope.eval(&fe.value, text, 0);
        let pairs: Option<Vec<(String, Node)>> = match &coll.value {
            NodeValue::Map(entries) if eval::is_known(&coll) => Some(
                entries
                    .iter()
                    .map(|e| {
                        let key = Node::new(e.key_span, NodeValue::String(e.key.clone()));
                        (e.key.clone(), each_node(key, e.value.clone(), header))
                    })
                    .collect(),
            ),
            // a set of strings: key and value are the element
            NodeValue::Seq(items) if eval::is_known(&coll) && items.iter().all(|i| i.as_str().is_some()) => Some(
                items
                    .iter()
                    .map(|i| {
                        (
                            i.as_str().unwrap_or("").to_string(),
                            each_node(i.clone(), i.clone(), header),
                        )
                    })
                    .collect(),
            ),
            _ => None,
        };
        if let Some(pairs) = pairs.filter(|p| !p.is_empty() && p.len() <= limits::MAX_EXPANSION) {
            return pairs
                .into_iter()
                .map(|(k, each)| {
                    let body = scope.with_binding("each", each.clone(), || scope.body(&b.body, header, text, 0));
                    (make(body, Some(k)), Some(each))
                })
                .collect();
        }
    }
    vec![(make(scope.body(&b.body, header, text, 0), None), None)]
}

/// An `azapi_resource` of a type the azurerm rules cover: add the azurerm arguments its ARM
/// body sets to its evaluated body, and say which type it is checked as. A `jsonencode(...)`
/// body with unknown parts is read from the object it encodes.
fn read_azapi(scope: &Scope<'_>, b: &Block, text: &str, body: &mut Node) -> Option<&'static str> {
    let arm_type = body.get("type").and_then(|t| t.as_str())?.to_string();
    let arm = match body.get("body") {
        Some(n) if !n.is_unknown() => n.clone(),
        _ => match b.body.get_attribute("body").map(|a| &a.value) {
            Some(Expression::FuncCall(f)) if f.name.name.as_str() == "jsonencode" && !f.name.is_namespaced() => {
                let arg = f.args.iter().next()?;
                scope.eval(arg, text, 0)
            }
            _ => return None,
        },
    };
    let (az, entries) = crate::lang::terraform::azapi::translate(&arm_type, &arm)?;
    if let NodeValue::Map(own) = &mut body.value {
        for e in entries {
            if !own.iter().any(|o| o.key == e.key) {
                own.push(e);
            }
        }
    }
    Some(az)
}

fn each_node(key: Node, value: Node, at: Span) -> Node {
    Node::new(
        at,
        NodeValue::Map(vec![
            Entry {
                key: "key".into(),
                key_span: at,
                value: key,
            },
            Entry {
                key: "value".into(),
                key_span: at,
                value,
            },
        ]),
    )
}

/// The context a `module` block gives the module it calls.
fn call_context(
    scope: &Scope<'_>,
    b: &Block,
    f: &ParsedFile,
    text: &str,
    each: Option<Node>,
    target: usize,
    cx: &Context,
) -> Option<Context> {
    if cx.chain.contains(&target) || cx.chain.len() >= MAX_CALL_DEPTH {
        return None;
    }
    let mut inputs = HashMap::new();
    let mut origins = HashMap::new();
    let mut eval_args = || {
        for a in b.body.attributes() {
            let key = a.key.as_str();
            if MODULE_META.contains(&key) {
                continue;
            }
            inputs.insert(key.to_string(), scope.eval(&a.value, text, 0));
            origins.insert(
                key.to_string(),
                Origin {
                    file: f.source.id,
                    span: span_of(&a.value),
                    what: format!("`{key}` is set here"),
                },
            );
        }
    };
    match each {
        Some(e) => scope.with_binding("each", e, eval_args),
        None => eval_args(),
    }
    let line = f.source.position(header_span(b).start).line;
    let site = format!("{}:{line}", f.source.display_path());
    // the first call from the top keeps naming the instance: "via envs/prod/main.tf:12"
    let via = if cx.chain.len() <= 1 {
        match cx.via.is_empty() {
            true => format!("via {site}"),
            false => format!("via {site} {}", cx.via),
        }
    } else {
        cx.via.clone()
    };
    let mut chain = cx.chain.clone();
    chain.push(target);
    Some(Context {
        inputs,
        origins,
        defaults: true,
        env: cx.env,
        env_name: cx.env_name.clone(),
        via,
        named: true,
        anchor: Some((
            f.source.id,
            header_span(b),
            format!("module called here ({})", cx.env_name),
        )),
        chain,
        calls_count: true,
        // the caller's provider majors are set by the caller
        providers: HashMap::new(),
    })
}

/// Variable values of var files, applied in order (later files win), with their origins.
fn var_file_values(files: &[ParsedFile], ids: &[FileId]) -> (HashMap<String, Node>, HashMap<String, Origin>) {
    let scope = Scope::default();
    let mut vals = HashMap::new();
    let mut origins = HashMap::new();
    for id in ids {
        let Some(f) = files.get(id.0 as usize) else { continue };
        let Some(body) = body_of(f) else { continue };
        let name = f.source.display_path();
        for a in body.attributes() {
            let key = a.key.as_str().to_string();
            vals.insert(key.clone(), scope.eval(&a.value, &f.source.text, 0));
            origins.insert(
                key.clone(),
                Origin {
                    file: f.source.id,
                    span: span_of(&a.value),
                    what: format!("`{key}` is set in `{name}`"),
                },
            );
        }
    }
    (vals, origins)
}

/// The contexts of a root: one per environment var file (with the always-loaded files first),
/// or one with the always-loaded files alone.
fn root_contexts(
    files: &[ParsedFile],
    m: &TfModule,
    index: usize,
    settings: &Settings,
    extra: &[Vec<PathBuf>],
) -> Vec<Context> {
    let mut always: Vec<&ParsedFile> = Vec::new();
    let mut alternatives: Vec<Vec<FileId>> = Vec::new();
    for id in &m.tfvars {
        let Some(f) = files.get(id.0 as usize) else { continue };
        if is_always_loaded(&file_name(f)) && f.source.path.parent().map(normalize).as_deref() == Some(&m.dir) {
            always.push(f);
        } else {
            alternatives.push(vec![*id]);
        }
    }
    // var files named by config or passed by pipelines: each list is one environment
    for list in extra {
        let ids: Vec<FileId> = list
            .iter()
            .filter_map(|p| {
                files
                    .iter()
                    .find(|f| f.kind == FileKind::TfVars && normalize(&f.source.path) == *p)
            })
            .map(|f| f.source.id)
            .collect();
        if !ids.is_empty() && !alternatives.contains(&ids) {
            alternatives.retain(|a| !(a.len() == 1 && ids.len() > 1 && ids.contains(&a[0])));
            alternatives.push(ids);
        }
    }
    // terraform.tfvars and *.auto.tfvars load in name order, before -var-file files
    always.sort_by_key(|f| file_name(f));
    let always_ids: Vec<FileId> = always.iter().map(|f| f.source.id).collect();
    let backend = backend_names(files, &m.files);
    let make = |alt: &[FileId]| {
        let ids: Vec<FileId> = always_ids.iter().chain(alt).copied().collect();
        let (inputs, origins) = var_file_values(files, &ids);
        let var_files: Vec<PathBuf> = alt
            .iter()
            .filter_map(|id| files.get(id.0 as usize))
            .map(|f| normalize(&f.source.path))
            .collect();
        let variable = ENV_VARIABLES
            .iter()
            .find_map(|k| inputs.get(*k).and_then(|v| v.as_str()).map(str::to_string));
        let hints = EnvironmentHints {
            var_files: var_files.clone(),
            variable,
            backend: backend.clone(),
            pipeline: None,
        };
        let (env, env_name) = environment_of(settings, &m.dir, &hints);
        let via = match alt.first().and_then(|id| files.get(id.0 as usize)) {
            Some(f) => format!("with {}", f.source.display_path()),
            None => String::new(),
        };
        let anchor = alt
            .first()
            .and_then(|id| files.get(id.0 as usize))
            .map(|f| (f.source.id, Span::empty(0), format!("var file of {env_name}")));
        Context {
            inputs,
            origins,
            defaults: true,
            env,
            env_name,
            via,
            named: false,
            anchor,
            chain: vec![index],
            calls_count: true,
            providers: HashMap::new(),
        }
    };
    if alternatives.is_empty() {
        return vec![make(&[])];
    }
    let n = alternatives.len();
    alternatives
        .iter()
        .map(|a| {
            let mut c = make(a);
            c.named = n > 1;
            c
        })
        .collect()
}

/// The own evaluation of a root with several environments: the values they agree on; the
/// others unknown (not the default: every environment sets them).
fn agreed(contexts: &[Context]) -> Context {
    let Some(first) = contexts.first() else {
        return Context::default();
    };
    let mut out = first.clone();
    let keys: HashSet<&String> = contexts.iter().flat_map(|c| c.inputs.keys()).collect();
    out.inputs = keys
        .into_iter()
        .map(|k| {
            let v = &first.inputs.get(k);
            let agree = v.is_some_and(|v| {
                contexts[1..]
                    .iter()
                    .all(|c| c.inputs.get(k).is_some_and(|w| eval::known_eq(v, w) == Some(true)))
            });
            let value = match (agree, v) {
                (true, Some(v)) => (*v).clone(),
                _ => Node::new(Span::default(), NodeValue::Unknown(format!("var.{k}"))),
            };
            (k.clone(), value)
        })
        .collect();
    out.origins
        .retain(|k, _| out.inputs.get(k).is_some_and(|v| !v.is_unknown()));
    if contexts.iter().any(|c| c.env != first.env) {
        out.env = Environment::Unknown;
    }
    out.named = false;
    out.via.clear();
    out.anchor = None;
    out.calls_count = false;
    out
}

/// Group files into modules and evaluate each in its contexts.
///
/// The `.tf` files' bodies are taken out of `files` and let go during the build: after it,
/// their models hold no body.
pub fn build(files: &mut [ParsedFile], settings: &Settings) -> Vec<TfModule> {
    build_with(files, settings, &[])
}

/// [`build`], with var files that pipelines or config assign to root directories.
pub fn build_with(
    files: &mut [ParsedFile],
    settings: &Settings,
    assigned: &[(PathBuf, Vec<PathBuf>)],
) -> Vec<TfModule> {
    let (modules, by_dir, queue) = modules_and_roots(files, settings, assigned);
    let bodies = Bodies::take(files);
    evaluate_all(files, &bodies, modules, &by_dir, queue, settings)
}

/// The modules of the project, with their files, calls, facts and roots, and the contexts the
/// modules nothing calls are evaluated in first.
#[allow(clippy::type_complexity)]
fn modules_and_roots(
    files: &[ParsedFile],
    settings: &Settings,
    assigned: &[(PathBuf, Vec<PathBuf>)],
) -> (Vec<TfModule>, HashMap<PathBuf, usize>, Vec<(usize, Context)>) {
    // the `.tf` files by directory: hashed, then sorted once (not a path comparison per file)
    let mut dirs: Vec<(PathBuf, Vec<FileId>)> = Vec::new();
    let mut dir_of: HashMap<PathBuf, usize> = HashMap::new();
    let mut orphan_vars: Vec<(PathBuf, FileId)> = Vec::new();
    let mut tests: Vec<(PathBuf, FileId)> = Vec::new();
    let mut locks: Vec<(PathBuf, FileId)> = Vec::new();
    for f in files.iter() {
        let dir = || normalize(f.source.path.parent().unwrap_or(Path::new("")));
        match f.kind {
            FileKind::Terraform => {
                let dir = dir();
                match dir_of.get(&dir).and_then(|&i| dirs.get_mut(i)) {
                    Some((_, tf)) => tf.push(f.source.id),
                    None => {
                        dir_of.insert(dir.clone(), dirs.len());
                        dirs.push((dir, vec![f.source.id]));
                    }
                }
            }
            FileKind::TfVars => orphan_vars.push((dir(), f.source.id)),
            FileKind::TerraformTest => tests.push((dir(), f.source.id)),
            FileKind::TerraformLock => locks.push((dir(), f.source.id)),
            _ => {}
        }
    }
    dirs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut modules: Vec<TfModule> = dirs
        .into_iter()
        .map(|(dir, tf)| TfModule {
            broken: tf
                .iter()
                .any(|id| files.get(id.0 as usize).is_some_and(|f| !f.errors.is_empty())),
            dir,
            files: tf,
            tfvars: Vec::new(),
            tests: Vec::new(),
            lock: None,
            env: Environment::Unknown,
            called: false,
            callers: Vec::new(),
            root: false,
            blocks: Vec::new(),
            instances: Vec::new(),
            instance_blocks: Vec::new(),
            by_type: HashMap::new(),
            storage_network_rules: StorageNetworkRules::default(),
            exceeded: Vec::new(),
            facts: ModuleFacts::default(),
        })
        .collect();
    modules
        .par_iter_mut()
        .with_max_len(1)
        .for_each(|m| m.facts = ModuleFacts::of(m.bodies(files).map(|(f, b)| (f.source.id, b))));
    let by_dir: HashMap<PathBuf, usize> = modules.iter().enumerate().map(|(i, m)| (m.dir.clone(), i)).collect();
    for (dir, id) in locks {
        if let Some(&i) = by_dir.get(&dir) {
            modules[i].lock = Some(id);
        }
    }
    // `terraform test` runs in the module and reads its `tests/` directory (or, with
    // `-test-directory=tests/local`, one below it): a test there tests the module above
    // `tests/`, even when its directory holds helper `.tf` files of its own
    for (dir, id) in tests {
        let above_tests = dir
            .ancestors()
            .find(|p| p.file_name().is_some_and(|n| n == "tests"))
            .and_then(|t| t.parent())
            .and_then(|p| by_dir.get(p).copied());
        let owner = above_tests.or_else(|| by_dir.get(&dir).copied());
        if let Some(i) = owner {
            modules[i].tests.push(id);
        }
    }

    // calls between modules of the project
    for i in 0..modules.len() {
        let mut calls = Vec::new();
        for (f, body) in modules[i].bodies(files) {
            for b in body.blocks().filter(|b| b.ident.as_str() == "module") {
                if let Some(&t) = local_source(&modules[i].dir, b).and_then(|d| by_dir.get(&d)) {
                    if t != i {
                        calls.push((
                            t,
                            Call {
                                caller: i,
                                file: f.source.id,
                                span: header_span(b),
                                name: b.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default(),
                            },
                        ));
                    }
                }
            }
        }
        for (t, c) in calls {
            modules[t].called = true;
            modules[t].callers.push(c);
        }
    }

    // var files: beside a module, or below a top-level module in a directory holding none
    let under_modules = |d: &Path| d.components().any(|c| c.as_os_str() == "modules");
    for (dir, id) in &orphan_vars {
        if let Some(&i) = by_dir.get(dir) {
            modules[i].tfvars.push(*id);
            continue;
        }
        let mut d = dir.parent();
        while let Some(p) = d {
            if let Some(&i) = by_dir.get(p) {
                if !modules[i].called && !under_modules(p) {
                    modules[i].tfvars.push(*id);
                }
                break;
            }
            d = p.parent();
        }
    }
    // under `modules/`, only a backend makes a root: a reusable module keeps example var
    // files, a lock file or a legacy `provider` block
    for m in modules.iter_mut() {
        m.root = !m.called
            && (has_backend(files, &m.files)
                || (!under_modules(&m.dir)
                    && (m.lock.is_some() || !m.tfvars.is_empty() || has_provider_block(files, &m.files))));
    }

    // evaluate: top-level modules first, then the modules they call, breadth first
    let mut queue: Vec<(usize, Context)> = Vec::new();
    for (i, m) in modules.iter().enumerate() {
        if m.called {
            continue;
        }
        let extra: Vec<Vec<PathBuf>> = assigned
            .iter()
            .filter(|(d, _)| normalize(d) == m.dir)
            .map(|(_, v)| v.iter().map(|p| normalize(p)).collect())
            .collect();
        if m.root {
            for c in root_contexts(files, m, i, settings, &extra) {
                queue.push((i, c));
            }
        } else {
            let (env, env_name) = environment_of(settings, &m.dir, &EnvironmentHints::default());
            queue.push((
                i,
                Context {
                    defaults: true,
                    env,
                    env_name,
                    chain: vec![i],
                    calls_count: true,
                    ..Context::default()
                },
            ));
        }
    }
    (modules, by_dir, queue)
}

/// Whether a module evaluated in `contexts` contexts is evaluated once more on its own: a module
/// nothing calls, evaluated in one context, is not (that context is its own evaluation), so its
/// bodies can go after that one.
fn own_evaluation(m: &TfModule, contexts: usize) -> bool {
    m.called || contexts != 1
}

/// Evaluate the modules breadth first from `queue`, then each module's own evaluation and
/// instances; each module's bodies are let go after its last evaluation.
fn evaluate_all(
    files: &[ParsedFile],
    bodies: &Bodies,
    mut modules: Vec<TfModule>,
    by_dir: &HashMap<PathBuf, usize>,
    queue: Vec<(usize, Context)>,
    settings: &Settings,
) -> Vec<TfModule> {
    let run = Arc::new(RunBudget::default());
    let mut contexts: Vec<Vec<Context>> = vec![Vec::new(); modules.len()];
    let mut evaluated: Vec<Vec<Evaluated>> = (0..modules.len()).map(|_| Vec::new()).collect();
    // a level of the breadth-first walk at a time: the evaluations of one level read only the
    // files and their own context, so they run in parallel, and their results are taken in the
    // order a queue would have given them
    let mut level = queue;
    while !level.is_empty() {
        let mut taken: HashMap<usize, usize> = HashMap::new();
        let accepted: Vec<(usize, Context)> = level
            .into_iter()
            .filter(|(i, _)| {
                let n = taken.entry(*i).or_insert_with(|| contexts.get(*i).map_or(0, Vec::len));
                *n += 1;
                *n <= MAX_INSTANCES
            })
            .collect();
        let results: Vec<Evaluated> = accepted
            .par_iter()
            .with_max_len(1)
            .map(|(i, cx)| {
                let e = evaluate(files, bodies, &modules, by_dir, *i, cx, &run);
                // a module nothing calls is evaluated in this level only: with one context,
                // this was its last evaluation and its bodies go now
                if let Some(m) = modules.get(*i) {
                    if !own_evaluation(m, taken.get(i).copied().unwrap_or(0)) {
                        bodies.release(m);
                    }
                }
                e
            })
            .collect();
        let mut next = Vec::new();
        for ((i, cx), e) in accepted.into_iter().zip(results) {
            next.extend(e.calls.iter().map(|(t, c)| (*t, c.clone())));
            contexts[i].push(cx);
            evaluated[i].push(e);
        }
        level = next;
    }

    // each module's own evaluation, and its instances
    for i in 0..modules.len() {
        let cxs = std::mem::take(&mut contexts[i]);
        let mut evs = std::mem::take(&mut evaluated[i]);
        for e in &evs {
            modules[i].exceeded.extend(e.exceeded.iter().copied());
        }
        let envs: HashSet<Environment> = cxs.iter().map(|c| c.env).collect();
        modules[i].env = match (envs.len(), cxs.first()) {
            (1, Some(c)) => c.env,
            (0, _) => environment_of(settings, &modules[i].dir, &EnvironmentHints::default()).0,
            _ => Environment::Unknown,
        };
        let env = modules[i].env;
        let flat = |e: Evaluated, env: Environment, inst: Option<&Arc<Instance>>| -> Vec<TfBlock> {
            let mut out: Vec<TfBlock> = e.blocks.into_iter().flat_map(|(_, b)| b).collect();
            for b in &mut out {
                b.instance = inst.cloned();
                b.env = env;
            }
            // grouped by file, in file order, for `file_blocks`
            out.sort_by_key(|b| b.file);
            out
        };
        if !own_evaluation(&modules[i], cxs.len()) {
            // one context: the own evaluation is that context; an instance only to carry the
            // origins of values set in var files
            let Some(e) = evs.pop() else { continue };
            let cx = &cxs[0];
            let origins = e.origins.clone();
            let own = flat(e, cx.env, None);
            if !origins.is_empty() {
                let inst = Arc::new(Instance {
                    env: cx.env,
                    label: cx.label(),
                    named: false,
                    anchor: cx.anchor.clone(),
                    origins,
                    index: 0,
                    of: 1,
                });
                let mut copy = own.clone();
                for b in &mut copy {
                    b.instance = Some(inst.clone());
                }
                modules[i].instances.push(inst);
                modules[i].instance_blocks.push(copy);
            }
            modules[i].blocks = own;
            continue;
        }
        let own_cx = if modules[i].called {
            Context {
                defaults: false,
                env,
                chain: vec![i],
                ..Context::default()
            }
        } else {
            agreed(&cxs)
        };
        let own = evaluate(files, bodies, &modules, by_dir, i, &own_cx, &run);
        bodies.release(&modules[i]);
        modules[i].exceeded.extend(own.exceeded.iter().copied());
        modules[i].blocks = flat(own, env, None);
        let n = cxs.len();
        for (k, (cx, ev)) in cxs.iter().zip(evs).enumerate() {
            let inst = Arc::new(Instance {
                env: cx.env,
                label: cx.label(),
                named: cx.named || modules[i].called,
                anchor: cx.anchor.clone(),
                origins: ev.origins.clone(),
                index: k,
                of: n,
            });
            let blocks = flat(ev, cx.env, Some(&inst));
            modules[i].instances.push(inst);
            modules[i].instance_blocks.push(blocks);
        }
    }
    for m in modules.iter_mut() {
        m.exceeded.sort_by_key(|(f, s, _)| (*f, s.start, s.end));
        m.exceeded.dedup_by_key(|(f, s, _)| (*f, *s));
        for (k, b) in m.blocks.iter().enumerate() {
            if b.kind == "resource" || b.kind == "data" {
                m.by_type.entry(b.type_name().to_string()).or_default().push(k);
            }
            if b.kind == "resource" && b.enabled && b.type_name() == "azurerm_storage_account_network_rules" {
                let Some(id) = b.body.get("storage_account_id") else {
                    continue;
                };
                let text = files
                    .get(b.file.0 as usize)
                    .map(|f| id.span.slice(&f.source.text))
                    .unwrap_or("");
                for (i, _) in text.match_indices("azurerm_storage_account.") {
                    let rest = text.get(i + "azurerm_storage_account.".len()..).unwrap_or("");
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect();
                    // `azurerm_storage_account.NAME.id` or `…NAME[0].id`
                    let after = rest.get(name.len()..).unwrap_or("");
                    if !name.is_empty() && (after.starts_with('.') || after.starts_with('[')) {
                        m.storage_network_rules.names.insert(name);
                    }
                }
                if !text.contains("azurerm_storage_account.") {
                    m.storage_network_rules.any = true;
                }
            }
        }
    }
    modules
}

/// The blocks of one file in a list of a module's blocks (grouped by file).
fn of_file(blocks: &[TfBlock], file: FileId) -> &[TfBlock] {
    let start = blocks.partition_point(|b| b.file < file);
    let end = blocks.partition_point(|b| b.file <= file);
    blocks.get(start..end).unwrap_or(&[])
}

/// The module a Terraform file belongs to.
pub fn module_index(modules: &[TfModule], file: FileId) -> Option<usize> {
    modules.iter().position(|m| m.files.contains(&file))
}

/// Findings of one file that were produced on instances of its module (`tagged`: the index of
/// each such finding and its instance): a finding that holds in every instance, on a value not
/// set from outside, is reported once as it is; any other names the instances it holds in, with
/// a label where the value was set (or where the module is called).
pub fn merge_instance_findings(out: &mut Vec<Diagnostic>, tagged: Vec<(usize, Arc<Instance>)>) {
    if tagged.is_empty() {
        return;
    }
    let mut instance_of: HashMap<usize, Arc<Instance>> = HashMap::new();
    for (i, inst) in tagged {
        instance_of.insert(i, inst);
    }
    // groups of identical findings, in first-seen order
    let mut groups: Vec<(usize, Vec<Arc<Instance>>)> = Vec::new();
    let mut index: HashMap<(String, FileId, Span, String), usize> = HashMap::new();
    let mut keep: Vec<bool> = vec![true; out.len()];
    for (i, d) in out.iter().enumerate() {
        let Some(inst) = instance_of.get(&i) else { continue };
        let key = (d.rule.clone(), d.file, d.span, d.message.clone());
        match index.get(&key) {
            Some(&g) => {
                keep[i] = false;
                if !groups[g].1.iter().any(|x| Arc::ptr_eq(x, inst)) {
                    groups[g].1.push(inst.clone());
                }
            }
            None => {
                index.insert(key, groups.len());
                groups.push((i, vec![inst.clone()]));
            }
        }
    }
    for (i, insts) in groups {
        let Some(d) = out.get_mut(i) else { continue };
        let of = insts.first().map(|x| x.of).unwrap_or(1);
        let set_outside: Vec<&Origin> = insts.iter().filter_map(|x| x.origins.get(&(d.file, d.span))).collect();
        let everywhere = insts.len() >= of;
        for o in &set_outside {
            if !d.labels.iter().any(|l| l.file == o.file && l.span == o.span) {
                d.labels.push(Label {
                    file: o.file,
                    span: o.span,
                    message: o.what.clone(),
                });
            }
        }
        let named: Vec<&Arc<Instance>> = insts.iter().filter(|x| x.named).collect();
        if everywhere && set_outside.is_empty() {
            continue;
        }
        if named.is_empty() {
            continue;
        }
        if set_outside.is_empty() {
            for x in &named {
                if let Some((file, span, msg)) = &x.anchor {
                    if !span.is_empty() {
                        d.labels.push(Label {
                            file: *file,
                            span: *span,
                            message: msg.clone(),
                        });
                    }
                }
            }
        }
        let mut names: Vec<&str> = named.iter().map(|x| x.label.as_str()).collect();
        names.dedup();
        let shown = if names.len() > 2 {
            format!("{}; and {} more", names[..2].join("; "), names.len() - 2)
        } else {
            names.join("; ")
        };
        d.message = format!("{} ({shown})", d.message);
    }
    let mut k = 0;
    out.retain(|_| {
        let r = keep[k];
        k += 1;
        r
    });
}

#[path = "terraform/plan.rs"]
pub mod plan;

#[cfg(test)]
#[path = "terraform/tests.rs"]
mod tests;
