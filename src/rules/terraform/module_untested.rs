use std::collections::HashSet;
use std::path::{Component, Path};

use super::{module_anchor, run_module, test_files, RunModule};
use crate::diagnostic::Label;
use crate::project::{absolute, Project};
use crate::rules::{ProjectContext, ProjectRule};
use crate::semantic::test_code::is_test_code;

/// Directories whose modules demonstrate a module rather than being one.
const EXAMPLE_DIRS: &[&str] = &["examples", "example", "samples", "sample"];
/// Callers named in labels, at most.
const MAX_LABELS: usize = 5;

/// TF016: a module other modules of the repository call (`source = "./..."`) that takes
/// variables and checks none of them: no `validation` block, precondition, postcondition or
/// `check`, no `.tftest.hcl` that tests it, no caller in test code, no Go test suite
/// (Terratest) beside it. Modules inside `examples/` or test directories are not reusable
/// modules; one finding per module, at its first variable.
pub struct ModuleUntested;

/// A Go test suite (Terratest) at the module or above it in the repository: `test/go.mod`,
/// `tests/go.mod`, or a `go.mod` beside a `test/` or `tests/` directory.
fn has_go_tests(project: &Project, dir: &Path) -> bool {
    let mut d = Some(absolute(dir));
    while let Some(p) = d {
        if !p.starts_with(&project.root) {
            break;
        }
        let go_mod = project.is_file(&p.join("go.mod"));
        for t in ["test", "tests"] {
            let td = p.join(t);
            if project.exists(&td.join("go.mod")) || (go_mod && project.exists(&td)) {
                return true;
            }
        }
        d = p.parent().map(Path::to_path_buf);
    }
    false
}

impl ProjectRule for ModuleUntested {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        // modules a test file runs: its own, and those its runs' `module` blocks name
        let mut tested: HashSet<&Path> = HashSet::new();
        for (m, _, body) in test_files(project) {
            tested.insert(&m.dir);
            for run in body.blocks().filter(|b| b.ident.as_str() == "run") {
                if let RunModule::Known(t) = run_module(project, m, run) {
                    tested.insert(&t.dir);
                }
            }
        }
        for m in project.terraform.iter() {
            if !m.called || m.broken || tested.contains(m.dir.as_path()) {
                continue;
            }
            let Some(first) = m.files.first() else { continue };
            let settings = project.settings_of(*first);
            let rel = settings.relative(&m.dir);
            let demo = rel
                .components()
                .any(|c| matches!(c, Component::Normal(n) if EXAMPLE_DIRS.contains(&&*n.to_string_lossy())));
            if demo || is_test_code(settings, &m.dir.join("main.tf")) {
                continue;
            }
            // a caller in test code (`tests/complete/main.tf`) exercises the module
            let from_tests = m.callers.iter().any(|c| {
                project
                    .file(c.file)
                    .is_some_and(|f| is_test_code(project.settings_of(c.file), &f.source.path))
            });
            if from_tests {
                continue;
            }
            let vars: Vec<_> = m.blocks().filter(|b| b.kind == "variable").collect();
            let Some(anchor) = vars.first().copied().or_else(|| module_anchor(m, &project.files)) else {
                continue;
            };
            if vars.is_empty() || m.facts.conditions || has_go_tests(project, &m.dir) {
                continue;
            }
            let calls = m.callers.len();
            let callers: HashSet<usize> = m.callers.iter().map(|c| c.caller).collect();
            let shown = if rel.as_os_str().is_empty() {
                ".".to_string()
            } else {
                rel.display().to_string()
            };
            let called = match (calls, callers.len()) {
                (1, _) => "called once".to_string(),
                (n, 1) => format!("called {n} times from one module"),
                (n, c) => format!("called {n} times from {c} modules"),
            };
            let takes = match vars.len() {
                1 => "1 variable".to_string(),
                n => format!("{n} variables"),
            };
            let d = cx.report_in(
                anchor.file,
                anchor.header,
                format!(
                    "module `{shown}` is {called} and takes {takes}, but nothing checks them: no `validation` block and no `.tftest.hcl` test"
                ),
            );
            for c in m.callers.iter().take(MAX_LABELS) {
                d.labels.push(Label {
                    file: c.file,
                    span: c.span,
                    message: format!("called here as `module.{}`", c.name),
                });
            }
        }
    }
}
