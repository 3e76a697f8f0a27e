use std::collections::HashSet;

use super::label_span;
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};
use crate::semantic::path::normalize;

/// Arguments of a `module` block that are not inputs.
const META: &[&str] = &["source", "version", "count", "for_each", "providers", "depends_on"];

/// TF014: a call of a local module passes an argument the module does not declare, or misses
/// a variable without a default.
pub struct ModuleInputUnknown;

impl ProjectRule for ModuleInputUnknown {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for m in &project.terraform {
            for call in m.blocks().filter(|b| b.kind == "module") {
                let Some(source) = call.body.get("source").and_then(|n| n.as_str()) else {
                    continue;
                };
                if !(source.starts_with("./") || source.starts_with("../")) {
                    continue;
                }
                let dir = normalize(&m.dir.join(source));
                let Some(target) = project.terraform.iter().find(|t| t.dir == dir) else {
                    continue;
                };
                if target.broken {
                    continue;
                }
                let mut inputs = HashSet::new();
                let mut required = Vec::new();
                for v in target.blocks().filter(|b| b.kind == "variable") {
                    let Some(name) = v.labels.first() else { continue };
                    inputs.insert(name.as_str());
                    if v.body.get("default").is_none() {
                        required.push(name.as_str());
                    }
                }
                let passed: HashSet<&str> = call.body.entries().iter().map(|e| e.key.as_str()).collect();
                for e in call.body.entries() {
                    if META.contains(&e.key.as_str()) || inputs.contains(e.key.as_str()) {
                        continue;
                    }
                    // nested blocks in a module call are not arguments Terraform accepts either
                    let hint = crate::config::nearest(&e.key, &inputs.iter().copied().collect::<Vec<_>>())
                        .map(|k| format!("; did you mean `{k}`?"))
                        .unwrap_or_default();
                    cx.report_in(
                        call.file,
                        e.key_span,
                        format!("module `{source}` has no input `{}`{hint}", e.key),
                    );
                }
                for r in required {
                    if !passed.contains(r) {
                        cx.report_in(
                            call.file,
                            label_span(call),
                            format!("required input `{r}` of module `{source}` is not set"),
                        );
                    }
                }
            }
        }
    }
}
