//! Terraform rules: most are declarative (`rules/terraform/*.yaml`); the native ones here need
//! the whole module (references, declarations, module calls) or several resources at once.

pub mod aws_s3_public;
pub mod duplicate_declaration;
pub mod frontdoor_no_waf;
pub mod kv_no_diagnostics;
pub mod lb_port;
pub mod local_backend;
pub mod module_input_unknown;
pub mod module_untested;
pub mod output_not_sensitive;
pub mod plan_replaces_protected;
pub mod provider_version;
pub mod required_version;
pub mod storage_network_open;
pub mod subnet_no_nsg;
pub mod terraform_hardcoded_secret;
pub mod test_undeclared_reference;
pub mod undeclared_reference;
pub mod unused_variable;
pub mod vm_public_ip;

use std::collections::HashSet;

use hcl_edit::structure::{Block, Body};

pub use crate::lang::terraform::refs::{expr_references, references, RefKind, Reference};
use crate::lang::terraform::{span_of, TfBlock};
use crate::project::terraform::TfModule;
use crate::project::{absolute, Model, ParsedFile, Project};
use crate::semantic::path::normalize;
use crate::source::{FileId, Span};

/// What a module declares, as the references that name it: `(Var, "x")`, `(Output, "x")`,
/// `(Resource, "t.n")`...
pub fn declarations(m: &TfModule) -> HashSet<(RefKind, String)> {
    let mut declared = HashSet::new();
    for b in m.blocks() {
        let label = |i: usize| b.labels.get(i).cloned().unwrap_or_default();
        match b.kind.as_str() {
            "variable" => {
                declared.insert((RefKind::Var, label(0)));
            }
            "output" => {
                declared.insert((RefKind::Output, label(0)));
            }
            "module" => {
                declared.insert((RefKind::Module, label(0)));
            }
            "resource" => {
                declared.insert((RefKind::Resource, format!("{}.{}", label(0), label(1))));
            }
            "data" => {
                declared.insert((RefKind::Data, format!("{}.{}", label(0), label(1))));
            }
            "locals" => {
                for e in b.body.entries() {
                    declared.insert((RefKind::Local, e.key.clone()));
                }
            }
            _ => {}
        }
    }
    declared
}

/// The module a `run` block of a test file executes.
pub enum RunModule<'a> {
    /// The module under test, or the module of the project its `module { source }` names.
    Known(&'a TfModule),
    /// `module { source = "./..." }` names a directory that does not exist: the span of the
    /// source, and the source.
    Missing(Span, String),
    /// A registry module, a computed source, a directory that holds no module linea read.
    Unknown,
}

/// The module a `run` block executes: its `module { source }` (a local path is relative to
/// the module under test, where `terraform test` runs), else the module under test.
pub fn run_module<'a>(project: &'a Project, under_test: &'a TfModule, run: &Block) -> RunModule<'a> {
    let Some(module) = run.body.get_blocks("module").next() else {
        return RunModule::Known(under_test);
    };
    let Some(attr) = module.body.get_attribute("source") else {
        return RunModule::Unknown;
    };
    let Some(source) = attr.value.as_str() else {
        return RunModule::Unknown;
    };
    if !(source.starts_with("./") || source.starts_with("../")) {
        return RunModule::Unknown;
    }
    let dir = normalize(&under_test.dir.join(source));
    if let Some(t) = project.terraform.iter().find(|t| t.dir == dir) {
        return RunModule::Known(t);
    }
    if project.is_dir(&absolute(&dir)) {
        RunModule::Unknown
    } else {
        RunModule::Missing(span_of(&attr.value), source.to_string())
    }
}

/// Every test file that parsed, with the module it tests (the directory `terraform test`
/// runs in: the test file's own, or the parent of its `tests/` directory).
pub fn test_files(project: &Project) -> impl Iterator<Item = (&TfModule, &ParsedFile, &Body)> + '_ {
    project.terraform.iter().flat_map(move |m| {
        m.tests
            .iter()
            .filter_map(|id| project.file(*id))
            .filter_map(move |f| match &f.model {
                Model::TfTest(t) => t.body.as_ref().map(|b| (m, f, b)),
                _ => None,
            })
    })
}

/// The module a file belongs to.
pub fn module_of(project: &Project, file: FileId) -> Option<&TfModule> {
    project.terraform_module(file)
}

/// The module a block belongs to: its file's; for a block of a plan, the module that declares
/// its resource (where the plan's sibling resources are declared too).
pub fn module_of_block<'a>(project: &'a Project, b: &TfBlock) -> Option<&'a TfModule> {
    if !b.planned {
        return module_of(project, b.file);
    }
    let p = project.terraform_plan(b.file)?;
    let i = p.blocks.iter().position(|x| std::ptr::eq(x, b))?;
    let d = (*p.declarations.get(i)?)?;
    project.terraform.get(d.module)
}

/// The span of a block's first label (or its header).
pub fn label_span(b: &TfBlock) -> Span {
    b.label_spans.first().copied().unwrap_or(b.header)
}

/// Where a module-level "missing" finding points: the `terraform` block when there is one,
/// else the first block of the first file (preferring `versions.tf`, `main.tf`).
pub fn module_anchor<'a>(m: &'a TfModule, files: &'a [ParsedFile]) -> Option<&'a TfBlock> {
    let blocks: Vec<&TfBlock> = m.blocks().collect();
    if let Some(t) = blocks.iter().find(|b| b.kind == "terraform") {
        return Some(t);
    }
    let file_name = |b: &TfBlock| {
        files
            .get(b.file.0 as usize)
            .and_then(|f| f.source.path.file_name())
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    for preferred in ["versions.tf", "terraform.tf", "providers.tf", "main.tf"] {
        if let Some(b) = blocks.iter().find(|b| file_name(b) == preferred) {
            return Some(b);
        }
    }
    blocks.first().copied()
}

/// A root module that deploys something: not called from another module of the project, and
/// configuring a backend or a provider, or applied with var files (see
/// [`crate::project::terraform`]). A reusable module nothing calls is no root.
pub fn is_root(m: &TfModule) -> bool {
    m.root
        && m.blocks()
            .any(|b| matches!(b.kind.as_str(), "resource" | "module" | "provider" | "data"))
}

/// Whether some resource of a module refers to another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Referred {
    Yes,
    No,
    /// A candidate refers to something we cannot resolve (`var.id`, `each.value`,
    /// `module.x.id`): it may be the resource.
    Maybe,
}

/// Whether a `referrer_type` resource of module `m` names resource `target` (`t.n`) in its
/// attribute `attr` (`target_resource_id`, `cdn_frontdoor_profile_id`). A referrer whose
/// attribute names no resource of the target's type, but whose block mentions the target (a
/// `for_each` over ids), counts as referring; one that mentions neither is `Maybe`.
pub fn referred_by(m: &TfModule, files: &[ParsedFile], referrer_type: &str, attr: &str, target: &TfBlock) -> Referred {
    let Some(name) = target.name() else {
        return Referred::Maybe;
    };
    let type_name = target.type_name();
    let names_target = |t: &str| {
        let mut rest = t;
        let own = format!("{type_name}.{name}");
        while let Some(i) = rest.find(&own) {
            let before = rest[..i].chars().next_back();
            let after = rest[i + own.len()..].chars().next();
            if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
                && matches!(after, Some('.' | '[') | None)
            {
                return true;
            }
            rest = &rest[i + own.len()..];
        }
        false
    };
    let mut verdict = Referred::No;
    for r in m
        .blocks()
        .filter(|r| r.kind == "resource" && r.enabled && r.type_name() == referrer_type)
    {
        let Some(text) = files.get(r.file.0 as usize).map(|f| &*f.source.text) else {
            continue;
        };
        let Some(value) = r.body.get(attr) else { continue };
        let t = value.span.slice(text);
        if names_target(t) {
            return Referred::Yes;
        }
        if !t.contains(&format!("{type_name}.")) {
            if names_target(r.span.slice(text)) {
                return Referred::Yes;
            }
            verdict = Referred::Maybe;
        }
    }
    verdict
}
