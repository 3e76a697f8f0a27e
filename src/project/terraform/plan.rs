//! Plans in the Terraform index: each resource of a JSON plan (`terraform show -json`) is a
//! [`TfBlock`] whose body is its planned values, checked by the same rules as the blocks
//! evaluated from `.tf` files. A finding on a planned block moves to the `.tf` declaration of
//! its resource (found by module path, type, name and index), with a label at the plan; when
//! the declaration is not in the repository (a registry module, a plan of another checkout) it
//! stays in the plan, at the resource.
//!
//! The root module of a plan is the repository module nothing calls whose resources and
//! module calls the plan's root module names most (ties: the module nearest the plan file);
//! its module calls with local sources lead to the other modules.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::{backend_names, normalize, TfModule, ENV_VARIABLES};
use crate::config::Settings;
use crate::lang::terraform::plan::{Plan, PlannedResource};
use crate::lang::terraform::TfBlock;
use crate::project::{Model, ParsedFile, Project};
use crate::rules::{Diagnostic, Label};
use crate::semantic::environment::{self, Evidence};
use crate::source::node::{Entry, PathStep};
use crate::source::{Environment, FileId, Node, NodeValue, Span};

/// Where a planned resource is declared: a block of a module's own evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    /// Index in [`Project::terraform`].
    pub module: usize,
    /// Index in that module's `blocks`.
    pub block: usize,
}

/// One plan file in the Terraform index.
#[derive(Debug, Clone)]
pub struct PlanIndex {
    pub file: FileId,
    /// The repository module the plan was made from, when found.
    pub root: Option<usize>,
    /// The environment the plan applies to, and the word that named it.
    pub env: Environment,
    pub env_name: String,
    /// One block per planned resource, in plan order.
    pub blocks: Vec<TfBlock>,
    /// The declaration of each block, when found.
    pub declarations: Vec<Option<Declaration>>,
    /// The plan address of each block (`module.app.azurerm_key_vault.main["eu"]`).
    pub addresses: Vec<String>,
    /// The repository module of each module call path of the plan (`app`, `app.db`; `` is the root).
    pub modules: HashMap<String, usize>,
}

impl PlanIndex {
    /// The declaration of a resource of the plan, by module path, type, name and index.
    pub fn declaration(
        &self,
        modules: &[TfModule],
        module_path: &[String],
        data: bool,
        type_name: &str,
        name: &str,
        index: Option<&str>,
    ) -> Option<Declaration> {
        let m = *self.modules.get(&module_path.join("."))?;
        declared(modules, m, data, type_name, name, index)
    }
}

fn declared(
    modules: &[TfModule],
    m: usize,
    data: bool,
    type_name: &str,
    name: &str,
    index: Option<&str>,
) -> Option<Declaration> {
    let module = modules.get(m)?;
    let kind = if data { "data" } else { "resource" };
    let matching: Vec<usize> = module
        .by_type
        .get(type_name)
        .into_iter()
        .flatten()
        .copied()
        .filter(|&k| {
            module
                .blocks
                .get(k)
                .is_some_and(|b| b.kind == kind && b.labels.get(1).map(String::as_str) == Some(name))
        })
        .collect();
    // a `for_each` block evaluated per key: the key's; else the declaration itself
    let by_key = matching
        .iter()
        .copied()
        .find(|&k| index.is_some() && module.blocks.get(k).and_then(|b| b.key.as_deref()) == index);
    by_key
        .or_else(|| matching.first().copied())
        .map(|block| Declaration { module: m, block })
}

/// How many of a plan module's resources and calls a repository module declares.
fn score(module: &TfModule, plan: &Plan, path: &[String]) -> usize {
    let mut names: HashSet<(bool, &str, &str)> = HashSet::new();
    for r in plan.resources.iter().filter(|r| r.module_path == path) {
        names.insert((r.mode == "data", &r.type_name, &r.name));
    }
    let found = names
        .iter()
        .filter(|(data, t, n)| {
            module
                .resources(t)
                .any(|b| b.labels.get(1).map(String::as_str) == Some(*n) && (b.kind == "data") == *data)
        })
        .count();
    let calls: HashSet<&str> = plan
        .module_sources
        .keys()
        .filter(|k| !k.contains('.'))
        .map(String::as_str)
        .collect();
    let called = module
        .blocks
        .iter()
        .filter(|b| b.kind == "module" && b.labels.first().is_some_and(|l| calls.contains(l.as_str())))
        .count();
    found + called
}

/// How far a module's directory is from the plan's (fewer components apart is nearer).
fn distance(dir: &Path, plan_dir: &Path) -> usize {
    let common = dir
        .components()
        .zip(plan_dir.components())
        .take_while(|(a, b)| a == b)
        .count();
    dir.components().count() + plan_dir.components().count() - 2 * common
}

/// The module a call of module `from` leads to, when its source is a local path.
fn called(
    modules: &[TfModule],
    by_dir: &HashMap<&Path, usize>,
    from: usize,
    name: &str,
    plan_source: Option<&str>,
) -> Option<usize> {
    let m = modules.get(from)?;
    let source = m
        .blocks
        .iter()
        .find(|b| b.kind == "module" && b.labels.first().map(String::as_str) == Some(name))
        .and_then(|b| b.body.get("source").and_then(|n| n.as_str()).map(str::to_string))
        .or_else(|| plan_source.map(str::to_string))?;
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    by_dir.get(normalize(&m.dir.join(source)).as_path()).copied()
}

fn block_of(file: FileId, r: &PlannedResource, env: Environment) -> TfBlock {
    TfBlock {
        file,
        kind: if r.mode == "data" { "data" } else { "resource" }.to_string(),
        labels: vec![r.type_name.clone(), r.name.clone()],
        label_spans: vec![r.type_span, r.name_span],
        header: r.address_span,
        span: r.span,
        body: r.values.clone(),
        enabled: true,
        key: r.index.clone(),
        instance: None,
        env,
        planned: true,
    }
}

/// Meta-arguments a plan does not record (`lifecycle`, `depends_on`, `provider`).
const META: &[&str] = &["lifecycle", "depends_on", "provider"];

/// Give planned blocks the meta-arguments of their declarations, so that a rule asking for
/// `lifecycle.prevent_destroy` reads what the `.tf` says; their spans are the resource's in
/// the plan (a finding on them moves to the declaration's header).
fn with_meta_arguments(blocks: &mut [TfBlock], declarations: &[Option<Declaration>], modules: &[TfModule]) {
    for (b, d) in blocks.iter_mut().zip(declarations) {
        let Some(decl) = d.and_then(|d| modules.get(d.module).and_then(|m| m.blocks.get(d.block))) else {
            continue;
        };
        let NodeValue::Map(entries) = &mut b.body.value else {
            continue;
        };
        for e in decl.body.entries().iter().filter(|e| META.contains(&e.key.as_str())) {
            if entries.iter().any(|x| x.key == e.key) {
                continue;
            }
            let mut value = e.value.clone();
            respan(&mut value, b.header);
            entries.push(Entry {
                key: e.key.clone(),
                key_span: b.header,
                value,
            });
        }
    }
}

fn respan(n: &mut Node, at: Span) {
    let mut stack: Vec<&mut Node> = vec![n];
    while let Some(n) = stack.pop() {
        n.span = at;
        match &mut n.value {
            NodeValue::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_span = at;
                    stack.push(&mut e.value);
                }
            }
            NodeValue::Seq(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Index every plan of the project against its modules.
pub fn build(files: &[ParsedFile], modules: &[TfModule], settings: &Settings) -> Vec<PlanIndex> {
    let by_dir: HashMap<&Path, usize> = modules.iter().enumerate().map(|(i, m)| (m.dir.as_path(), i)).collect();
    let mut out = Vec::new();
    for f in files {
        let Model::TfPlan(plan) = &f.model else { continue };
        if !plan.supported {
            continue;
        }
        let plan_dir = normalize(f.source.path.parent().unwrap_or(Path::new("")));
        let root = modules
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.called)
            .map(|(i, m)| (score(m, plan, &[]), std::cmp::Reverse(distance(&m.dir, &plan_dir)), i))
            .filter(|(s, _, _)| *s > 0)
            .max()
            .map(|(_, _, i)| i);
        // module call paths → repository modules
        let mut mods: HashMap<String, usize> = HashMap::new();
        if let Some(r) = root {
            mods.insert(String::new(), r);
            let mut paths: Vec<&Vec<String>> = plan.resources.iter().map(|r| &r.module_path).collect();
            paths.sort();
            paths.dedup();
            for p in paths {
                let mut at = r;
                let mut key = String::new();
                for name in p {
                    if !key.is_empty() {
                        key.push('.');
                    }
                    key.push_str(name);
                    let next = match mods.get(&key) {
                        Some(&m) => Some(m),
                        None => called(
                            modules,
                            &by_dir,
                            at,
                            name,
                            plan.module_sources.get(&key).map(String::as_str),
                        ),
                    };
                    let Some(next) = next else { break };
                    mods.insert(key.clone(), next);
                    at = next;
                }
            }
        }
        let (env, env_name) = plan_environment(settings, files, modules, &f.source.path, plan, root);
        let mut blocks: Vec<TfBlock> = plan.resources.iter().map(|r| block_of(f.source.id, r, env)).collect();
        let index = PlanIndex {
            file: f.source.id,
            root,
            env,
            env_name,
            blocks: Vec::new(),
            declarations: Vec::new(),
            addresses: plan.resources.iter().map(|r| r.address.clone()).collect(),
            modules: mods,
        };
        let declarations: Vec<Option<Declaration>> = plan
            .resources
            .iter()
            .map(|r| {
                index.declaration(
                    modules,
                    &r.module_path,
                    r.mode == "data",
                    &r.type_name,
                    &r.name,
                    r.index.as_deref(),
                )
            })
            .collect();
        with_meta_arguments(&mut blocks, &declarations, modules);
        out.push(PlanIndex {
            blocks,
            declarations,
            ..index
        });
    }
    out
}

/// The environment of a plan, through the project's resolver: configuration globs on the plan's
/// path, then an `environment`-like variable of the plan, the root's backend key or workspace,
/// then the plan's path; else its root module's environment.
fn plan_environment(
    settings: &Settings,
    files: &[ParsedFile],
    modules: &[TfModule],
    path: &Path,
    plan: &Plan,
    root: Option<usize>,
) -> (Environment, String) {
    let mut words: Vec<(&'static str, String)> = Vec::new();
    for name in ENV_VARIABLES {
        if let Some(v) = plan
            .variables
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_str())
        {
            words.push(("environment", v.to_string()));
        }
    }
    if let Some(m) = root.and_then(|r| modules.get(r)) {
        for b in backend_names(files, &m.files) {
            words.push(("backend", b));
        }
    }
    let evidence: Vec<Evidence<'_>> = words.iter().map(|(s, v)| Evidence::new(s, v)).collect();
    let d = environment::decide(settings, Some(path), &evidence);
    if d.env != Environment::Unknown {
        return (d.env, d.value);
    }
    match root.and_then(|r| modules.get(r)) {
        Some(m) if m.env != Environment::Unknown => (m.env, crate::source::display_path(&m.dir)),
        _ => (Environment::Unknown, "unknown environment".to_string()),
    }
}

/// The steps from `n` down to the deepest node (or key) holding `span`.
fn path_to(n: &Node, span: Span) -> Vec<PathStep> {
    let inside = |s: Span| s.start <= span.start && span.end <= s.end && !s.is_empty();
    let mut steps = Vec::new();
    let mut at = n;
    loop {
        let next = match &at.value {
            NodeValue::Map(entries) => entries.iter().find_map(|e| {
                if inside(e.key_span) {
                    steps.push(PathStep::Key(e.key.clone()));
                    None
                } else if inside(e.value.span) {
                    Some((PathStep::Key(e.key.clone()), &e.value))
                } else {
                    None
                }
            }),
            NodeValue::Seq(items) => items
                .iter()
                .enumerate()
                .find(|(_, i)| inside(i.span))
                .map(|(k, i)| (PathStep::Index(k), i)),
            _ => None,
        };
        match next {
            Some((step, node)) if steps.len() < 64 => {
                steps.push(step);
                at = node;
            }
            _ => return steps,
        }
    }
}

/// Move findings on planned blocks to the declarations of their resources (the attribute as
/// written when the declaration sets it, else the block header), with a label at the plan. A
/// finding the declaration already has (the `.tf` evaluation found it too) is reported once.
pub fn to_declarations(project: &Project, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if project.terraform_plans.is_empty() {
        return diagnostics;
    }
    let already: HashSet<(String, FileId, Span)> = diagnostics
        .iter()
        .filter(|d| project.terraform_plan(d.file).is_none())
        .map(|d| (d.rule.clone(), d.file, d.span))
        .collect();
    let mut out = Vec::with_capacity(diagnostics.len());
    for mut d in diagnostics {
        let Some(p) = project.terraform_plan(d.file) else {
            out.push(d);
            continue;
        };
        let found = p
            .blocks
            .iter()
            .zip(&p.declarations)
            .zip(&p.addresses)
            .find(|((b, _), _)| b.span.start <= d.span.start && d.span.end <= b.span.end);
        let Some(((b, Some(decl)), address)) = found else {
            out.push(d);
            continue;
        };
        let Some(target) = project
            .terraform
            .get(decl.module)
            .and_then(|m| m.blocks.get(decl.block))
        else {
            out.push(d);
            continue;
        };
        // the attribute as written, else the nearest enclosing one the declaration sets
        let mut steps = if d.span == b.header {
            Vec::new()
        } else {
            path_to(&b.body, d.span)
        };
        let within = |s: Span| !s.is_empty() && target.span.start <= s.start && s.end <= target.span.end;
        let span = loop {
            if steps.is_empty() {
                break target.header;
            }
            if let Some(n) = target.body.select_steps(&steps).into_iter().find(|n| within(n.span)) {
                break n.span;
            }
            steps.pop();
        };
        d.labels.insert(
            0,
            Label {
                file: d.file,
                span: d.span,
                message: format!("planned value of `{address}`"),
            },
        );
        d.file = target.file;
        d.span = span;
        d.fix = None;
        if already.contains(&(d.rule.clone(), d.file, d.span)) {
            continue;
        }
        out.push(d);
    }
    out
}
