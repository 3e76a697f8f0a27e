//! TF015: a production plan that deletes or replaces a protected resource — a database, key
//! vault, registry, storage account or bucket, Kubernetes cluster (`[terraform]
//! protected-types`), or the storage that holds the Terraform state itself. Reads the plan's
//! `resource_changes`; the finding sits on the change's `actions`, with labels at the `.tf`
//! declaration and at the attribute that forces the replacement.

use std::collections::HashSet;

use crate::lang::terraform::plan::ResourceChange;
use crate::project::terraform::plan::PlanIndex;
use crate::project::{Model, Project};
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::source::node::parse_path;

pub struct PlanReplacesProtected;

/// Names of the state storage the repository's backends use
/// ([`crate::project::terraform::BACKEND_STORAGE`]).
fn state_storage(project: &Project) -> HashSet<String> {
    project
        .terraform
        .iter()
        .flat_map(|m| m.facts.backend_storage.iter().cloned())
        .collect()
}

/// What the change does, as a message reads it; `None` when it neither deletes nor replaces.
fn verb(actions: &[String]) -> Option<&'static str> {
    let a: Vec<&str> = actions.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["delete"] => Some("deletes"),
        ["delete", "create"] => Some("replaces (delete, then create)"),
        ["create", "delete"] => Some("replaces (create, then delete)"),
        _ => None,
    }
}

/// Why Terraform deletes or replaces it, from `replace_paths` and `action_reason`.
fn cause(c: &ResourceChange) -> Option<String> {
    if !c.replace_paths.is_empty() {
        let paths: Vec<String> = c.replace_paths.iter().map(|(p, _)| format!("`{p}`")).collect();
        let verb = if paths.len() == 1 { "forces" } else { "force" };
        return Some(format!("{} {verb} it", paths.join(", ")));
    }
    let reason = match c.action_reason.as_deref()? {
        "replace_by_request" => "requested with `-replace`",
        "replace_because_tainted" => "the resource is tainted",
        "replace_by_triggers" => "`replace_triggered_by` fired",
        "delete_because_no_resource_config" => "its block was removed",
        "delete_because_no_module" => "its module call was removed",
        "delete_because_wrong_repetition" => "`count`/`for_each` was added or removed",
        "delete_because_count_index" => "`count` went down",
        "delete_because_each_key" => "its `for_each` key is gone",
        "delete_because_no_move_target" => "its `moved` target does not exist",
        _ => return None,
    };
    Some(reason.to_string())
}

/// Whether the change is to the storage holding the state (by the name it has before or after).
fn holds_state(c: &ResourceChange, storage: &HashSet<String>) -> bool {
    c.names.iter().any(|n| storage.contains(n))
}

impl ProjectRule for PlanReplacesProtected {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        if project.terraform_plans.is_empty() {
            return;
        }
        let protected: HashSet<&str> = cx
            .settings
            .config
            .terraform
            .protected_types
            .iter()
            .map(String::as_str)
            .collect();
        let storage = state_storage(project);
        for p in &project.terraform_plans {
            let Some(f) = project.file(p.file) else { continue };
            let Model::TfPlan(plan) = &f.model else { continue };
            for c in plan.changes.iter().filter(|c| c.mode != "data") {
                let Some(verb) = verb(&c.actions) else { continue };
                let state = holds_state(c, &storage);
                if !state && !protected.contains(c.type_name.as_str()) {
                    continue;
                }
                let what = if state { "the Terraform state storage " } else { "" };
                let why = cause(c).map(|w| format!(": {w}")).unwrap_or_default();
                let message = format!("plan {verb} {what}`{}`{why}", c.address);
                let labels = declaration_labels(project, p, c);
                let env = p.env;
                let d = cx.report_in(p.file, c.actions_span, message);
                d.env = Some(env);
                d.labels.extend(labels);
            }
        }
    }
}

/// Labels at the declaration of the changed resource and at the attributes that force its
/// replacement, when the repository declares it.
fn declaration_labels(project: &Project, p: &PlanIndex, c: &ResourceChange) -> Vec<Label> {
    let Some(decl) = p.declaration(
        &project.terraform,
        &c.module_path,
        c.mode == "data",
        &c.type_name,
        &c.name,
        c.index.as_deref(),
    ) else {
        return Vec::new();
    };
    let Some(b) = project
        .terraform
        .get(decl.module)
        .and_then(|m| m.blocks.get(decl.block))
    else {
        return Vec::new();
    };
    let mut out = vec![Label {
        file: b.file,
        span: b.header,
        message: "declared here".to_string(),
    }];
    for (path, _) in &c.replace_paths {
        let Ok(steps) = parse_path(path) else { continue };
        let within = |s: crate::source::Span| !s.is_empty() && b.span.start <= s.start && s.end <= b.span.end;
        if let Some(n) = b.body.select_steps(&steps).into_iter().find(|n| within(n.span)) {
            out.push(Label {
                file: b.file,
                span: n.span,
                message: format!("`{path}` changes here"),
            });
        }
    }
    out
}
