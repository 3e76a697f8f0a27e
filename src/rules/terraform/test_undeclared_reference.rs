use std::collections::HashSet;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::{declarations, expr_references, run_module, test_files, RefKind, Reference, RunModule};
use crate::lang::terraform::span_of;
use crate::project::{Model, Project};
use crate::rules::{ProjectContext, ProjectRule};
use crate::source::FileId;

/// TF017: a `.tftest.hcl` names a variable, output, resource, module or run that does not
/// exist: a run sets a variable its module does not declare, an assertion reads an output or
/// resource the module does not have, `run.r.x` names no earlier run or no output of it, or
/// `module { source = "./x" }` points at no directory. References into a module linea cannot
/// read (a registry module, a module that does not parse) are not checked.
pub struct TestUndeclaredReference;

/// One `run` block, with what its module declares (`None`: unknown).
struct Run<'a> {
    name: String,
    block: &'a Block,
    declared: Option<HashSet<(RefKind, String)>>,
    /// How messages name the run's module.
    module: String,
}

struct Check<'a, 'c> {
    file: FileId,
    runs: &'a [Run<'a>],
    /// Variables set by the test file or var files: `var.x` in a run may read them.
    globals: HashSet<String>,
    cx: &'a mut ProjectContext<'c>,
}

/// `name` (`t.n`, `x`) declared with the kind of `r`, for "did you mean".
fn hint(declared: &HashSet<(RefKind, String)>, r: &Reference, name: &str) -> String {
    let names: Vec<&str> = declared
        .iter()
        .filter(|(k, _)| *k == r.kind)
        .map(|(_, n)| n.as_str())
        .collect();
    crate::config::nearest(name, &names)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default()
}

impl Check<'_, '_> {
    /// `run.r` / `run.r.x` from run `at` (`None`: outside any run, e.g. a `provider` block);
    /// `strict`: the run's own outputs are not available either (its `variables`).
    fn run_ref(&mut self, r: &Reference, at: Option<usize>, strict: bool) {
        let (name, output) = match r.name.split_once('.') {
            Some((n, o)) => (n, Some(o)),
            None => (r.name.as_str(), None),
        };
        let Some(j) = self.runs.iter().position(|x| x.name == name) else {
            let names: Vec<&str> = self.runs.iter().map(|x| x.name.as_str()).collect();
            let hint = crate::config::nearest(name, &names)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            self.cx.report_in(
                self.file,
                r.span,
                format!("there is no run block `{name}` in this file{hint}"),
            );
            return;
        };
        if let Some(i) = at {
            if j > i || (strict && j == i) {
                self.cx.report_in(
                    self.file,
                    r.span,
                    format!(
                        "run `{name}` does not run before this one: a run reads only the outputs of the runs before it"
                    ),
                );
                return;
            }
        }
        let (Some(output), Some(declared)) = (output, &self.runs[j].declared) else {
            return;
        };
        if !declared.contains(&(RefKind::Output, output.to_string())) {
            let probe = Reference {
                kind: RefKind::Output,
                name: output.to_string(),
                span: r.span,
            };
            let hint = hint(declared, &probe, output);
            let module = &self.runs[j].module;
            self.cx.report_in(
                self.file,
                r.span,
                format!("run `{name}` has no output `{output}`: {module} declares none{hint}"),
            );
        }
    }

    /// Every reference of an expression of run `at`, read against the run's module.
    fn all(&mut self, e: &Expression, at: usize, run_vars: &HashSet<String>) {
        for r in expr_references(e) {
            if r.kind == RefKind::Run {
                self.run_ref(&r, Some(at), false);
                continue;
            }
            let Some(declared) = &self.runs[at].declared else {
                continue;
            };
            if declared.contains(&(r.kind, r.name.clone())) {
                continue;
            }
            if r.kind == RefKind::Var && (self.globals.contains(&r.name) || run_vars.contains(&r.name)) {
                continue;
            }
            let hint = hint(declared, &r, &r.name);
            let module = &self.runs[at].module;
            self.cx.report_in(
                self.file,
                r.span,
                format!("{} is not declared in {module}{hint}", r.what()),
            );
        }
    }

    /// Only the `run.` references of an expression.
    fn runs_only(&mut self, e: &Expression, at: Option<usize>, strict: bool) {
        for r in expr_references(e).into_iter().filter(|r| r.kind == RefKind::Run) {
            self.run_ref(&r, at, strict);
        }
    }
}

const OVERRIDES: &[&str] = &["override_resource", "override_data", "override_module"];

fn override_targets(body: &Body) -> impl Iterator<Item = &Expression> + '_ {
    body.blocks()
        .filter(|b| OVERRIDES.contains(&b.ident.as_str()))
        .filter_map(|b| b.body.get_attribute("target").map(|a| &a.value))
}

/// Top-level attribute names of the var files `terraform test` loads for this test file.
fn var_file_names(project: &Project, dirs: &[&std::path::Path], extra: &[FileId]) -> HashSet<String> {
    let mut out = HashSet::new();
    for f in &project.files {
        let Model::TfVars(t) = &f.model else { continue };
        let dir = crate::semantic::path::normalize(f.source.path.parent().unwrap_or(std::path::Path::new("")));
        if !dirs.iter().any(|d| *d == dir) && !extra.contains(&f.source.id) {
            continue;
        }
        if let Some(body) = &t.body {
            out.extend(body.attributes().map(|a| a.key.as_str().to_string()));
        }
    }
    out
}

impl ProjectRule for TestUndeclaredReference {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for (m, f, body) in test_files(project) {
            let file = f.source.id;
            let mut runs = Vec::new();
            for b in body.blocks().filter(|b| b.ident.as_str() == "run") {
                let name = b.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default();
                let (declared, module) = match run_module(project, m, b) {
                    RunModule::Known(t) if !t.broken => {
                        let label = match b
                            .body
                            .get_blocks("module")
                            .next()
                            .and_then(|x| x.body.get_attribute("source"))
                        {
                            Some(s) => format!("module `{}`", s.value.as_str().unwrap_or_default()),
                            None => "the module under test".to_string(),
                        };
                        (Some(declarations(t)), label)
                    }
                    RunModule::Missing(span, source) => {
                        cx.report_in(
                            file,
                            span,
                            format!("run `{name}` tests module `{source}`, which does not exist"),
                        );
                        (None, String::new())
                    }
                    _ => (None, String::new()),
                };
                runs.push(Run {
                    name,
                    block: b,
                    declared,
                    module,
                });
            }
            let test_dir = crate::semantic::path::normalize(f.source.path.parent().unwrap_or(std::path::Path::new("")));
            let mut globals = var_file_names(project, &[m.dir.as_path(), test_dir.as_path()], &m.tfvars);
            for v in body.blocks().filter(|b| b.ident.as_str() == "variables") {
                globals.extend(v.body.attributes().map(|a| a.key.as_str().to_string()));
            }
            let mut c = Check {
                file,
                runs: &runs,
                globals,
                cx,
            };
            for (i, run) in runs.iter().enumerate() {
                let body = &run.block.body;
                let mut run_vars = HashSet::new();
                for v in body.get_blocks("variables") {
                    for a in v.body.attributes() {
                        let key = a.key.as_str();
                        run_vars.insert(key.to_string());
                        if let Some(declared) = &run.declared {
                            if !declared.contains(&(RefKind::Var, key.to_string())) {
                                let probe = Reference {
                                    kind: RefKind::Var,
                                    name: key.to_string(),
                                    span: span_of(&a.key),
                                };
                                let hint = hint(declared, &probe, key);
                                c.cx.report_in(
                                    file,
                                    probe.span,
                                    format!(
                                        "run `{}` sets variable `{key}`, which {} does not declare{hint}",
                                        run.name, run.module
                                    ),
                                );
                            }
                        }
                        // a run's variables read earlier runs, and variables of the file
                        c.runs_only(&a.value, Some(i), true);
                    }
                }
                for a in body.get_blocks("assert").flat_map(|b| b.body.attributes()) {
                    c.all(&a.value, i, &run_vars);
                }
                if let Some(a) = body.get_attribute("expect_failures") {
                    c.all(&a.value, i, &run_vars);
                }
                for p in body.get_blocks("plan_options") {
                    for key in ["target", "replace"] {
                        if let Some(a) = p.body.get_attribute(key) {
                            c.all(&a.value, i, &run_vars);
                        }
                    }
                }
                for t in override_targets(body) {
                    c.all(t, i, &run_vars);
                }
            }
            // outside runs: providers may read any run's outputs; overrides of the file apply
            // to every run, so a target must be declared in one of the modules the runs test
            for b in body.blocks() {
                match b.ident.as_str() {
                    "provider" => {
                        for a in b.body.attributes() {
                            c.runs_only(&a.value, None, false);
                        }
                    }
                    "mock_provider" => {
                        for t in override_targets(&b.body) {
                            file_override(&mut c, t);
                        }
                    }
                    k if OVERRIDES.contains(&k) => {
                        if let Some(a) = b.body.get_attribute("target") {
                            file_override(&mut c, &a.value);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// An override at the file level: its target must be declared by some run's module (when
/// every run's module is known).
fn file_override(c: &mut Check<'_, '_>, target: &Expression) {
    if c.runs.is_empty() || c.runs.iter().any(|r| r.declared.is_none()) {
        return;
    }
    for r in expr_references(target) {
        if r.kind == RefKind::Run {
            continue;
        }
        let known = c
            .runs
            .iter()
            .filter_map(|x| x.declared.as_ref())
            .any(|d| d.contains(&(r.kind, r.name.clone())));
        if !known {
            c.cx.report_in(
                c.file,
                r.span,
                format!(
                    "override target {} is not declared in any module this file tests",
                    r.what()
                ),
            );
        }
    }
}
