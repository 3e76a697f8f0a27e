//! Terraform modules in the project index: every `*.tf` of one directory is one module,
//! evaluated together with its variables (tfvars beside it, then defaults) and locals.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hcl_edit::structure::Body;

use super::{Model, ParsedFile};
use crate::config::Settings;
use crate::discover::FileKind;
use crate::lang::terraform::{eval, header_span, span_of, Scope, TfBlock};
use crate::source::{Environment, FileId, Node, NodeValue, Span};

/// One Terraform module (a directory of `*.tf`).
#[derive(Debug, Clone)]
pub struct TfModule {
    pub dir: PathBuf,
    /// The module's `.tf` files, in path order.
    pub files: Vec<FileId>,
    /// `terraform.tfvars`, `*.auto.tfvars` and `*.tfvars` beside it.
    pub tfvars: Vec<FileId>,
    /// Some `.tf` file did not parse: what it declared is unknown.
    pub broken: bool,
    pub env: Environment,
    /// Called by another module of the project through a local `source`.
    pub called: bool,
}

impl TfModule {
    /// Every evaluated top-level block of the module, with its file.
    pub fn blocks<'a>(&'a self, files: &'a [ParsedFile]) -> impl Iterator<Item = &'a TfBlock> + 'a {
        self.files
            .iter()
            .filter_map(move |id| files.get(id.0 as usize))
            .flat_map(|f| match &f.model {
                Model::Terraform(t) => t.blocks.as_slice(),
                _ => &[],
            })
    }

    /// The raw hcl-edit bodies of the module's files that parsed, with their file and text.
    pub fn bodies<'a>(&'a self, files: &'a [ParsedFile]) -> impl Iterator<Item = (&'a ParsedFile, &'a Body)> + 'a {
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

fn is_always_loaded(name: &str) -> bool {
    name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
}

/// Evaluate tfvars files: always-loaded ones apply in order; alternative `*.tfvars` (one per
/// environment, chosen at plan time) give a value only when they all agree.
fn tfvars_values(files: &[ParsedFile], ids: &[FileId]) -> HashMap<String, Node> {
    let scope = Scope::default();
    let mut always: HashMap<String, Node> = HashMap::new();
    let mut alternatives: Vec<HashMap<String, Node>> = Vec::new();
    for id in ids {
        let Some(f) = files.get(id.0 as usize) else { continue };
        let Some(body) = body_of(f) else { continue };
        let mut vals = HashMap::new();
        for a in body.attributes() {
            vals.insert(a.key.as_str().to_string(), scope.eval(&a.value, &f.source.text, 0));
        }
        let name = f
            .source
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if is_always_loaded(&name) {
            always.extend(vals);
        } else {
            alternatives.push(vals);
        }
    }
    let mut out: HashMap<String, Node> = HashMap::new();
    if alternatives.len() == 1 {
        out.extend(alternatives.pop().unwrap_or_default());
    } else {
        let mut keys: Vec<&String> = alternatives.iter().flat_map(|m| m.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let vals: Vec<&Node> = alternatives.iter().filter_map(|m| m.get(k)).collect();
            let agree = vals.len() == alternatives.len() && vals.windows(2).all(|w| w[0].value == w[1].value);
            let v = if agree {
                vals[0].clone()
            } else {
                Node::new(Span::default(), NodeValue::Unknown(format!("var.{k}")))
            };
            out.insert(k.clone(), v);
        }
    }
    // terraform.tfvars and *.auto.tfvars are loaded before -var-file files, which win
    for (k, v) in always {
        out.entry(k).or_insert(v);
    }
    out
}

/// The environment a module's own configuration names: backend key, workspace names.
fn declared_environment(files: &[ParsedFile], ids: &[FileId], settings: &Settings) -> Option<Environment> {
    for id in ids {
        let Some(body) = files.get(id.0 as usize).and_then(body_of) else {
            continue;
        };
        for t in body.blocks().filter(|b| b.ident.as_str() == "terraform") {
            for inner in t.body.blocks() {
                let mut names = Vec::new();
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
                for n in names {
                    if let Some(e) = settings.environment_of_name(&n) {
                        return Some(e);
                    }
                }
            }
        }
    }
    None
}

fn module_environment(files: &[ParsedFile], m: &TfModule, settings: &Settings) -> Environment {
    if let Some(e) = settings.configured_environment(&m.dir.join("main.tf")) {
        return e;
    }
    let from_path = crate::semantic::environment::of_path(settings, &m.dir.join("main.tf"));
    if from_path != Environment::Unknown {
        return from_path;
    }
    if let Some(e) = declared_environment(files, &m.files, settings) {
        return e;
    }
    // a single environment-named var file (`prod.tfvars`) beside the module names it
    let named: Vec<Environment> = m
        .tfvars
        .iter()
        .filter_map(|id| files.get(id.0 as usize))
        .filter_map(|f| f.source.path.file_name().map(|n| n.to_string_lossy().to_string()))
        .filter(|n| !is_always_loaded(n))
        .filter_map(|n| settings.environment_of_name(&n))
        .collect();
    match named.first() {
        Some(e) if named.iter().all(|x| x == e) => *e,
        _ => Environment::Unknown,
    }
}

fn local_sources(files: &[ParsedFile], m: &TfModule) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (_, body) in m.bodies(files) {
        for b in body.blocks().filter(|b| b.ident.as_str() == "module") {
            if let Some(src) = b.body.get_attribute("source").and_then(|a| a.value.as_str()) {
                if src.starts_with("./") || src.starts_with("../") {
                    out.push(normalize(&m.dir.join(src)));
                }
            }
        }
    }
    out
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Group files into modules, evaluate every block, and set each file's environment.
pub fn build(files: &mut [ParsedFile], settings: &Settings) -> Vec<TfModule> {
    let mut dirs: BTreeMap<PathBuf, (Vec<FileId>, Vec<FileId>)> = BTreeMap::new();
    for f in files.iter() {
        let dir = normalize(f.source.path.parent().unwrap_or(Path::new("")));
        match f.kind {
            FileKind::Terraform => dirs.entry(dir).or_default().0.push(f.source.id),
            FileKind::TfVars => dirs.entry(dir).or_default().1.push(f.source.id),
            _ => {}
        }
    }
    let mut modules: Vec<TfModule> = dirs
        .into_iter()
        .filter(|(_, (tf, _))| !tf.is_empty())
        .map(|(dir, (tf, vars))| TfModule {
            broken: tf
                .iter()
                .any(|id| files.get(id.0 as usize).is_some_and(|f| !f.errors.is_empty())),
            dir,
            files: tf,
            tfvars: vars,
            env: Environment::Unknown,
            called: false,
        })
        .collect();

    let called: Vec<PathBuf> = modules.iter().flat_map(|m| local_sources(files, m)).collect();
    let mut evaluated: Vec<(FileId, Vec<TfBlock>)> = Vec::new();
    for m in &mut modules {
        m.called = called.contains(&m.dir);
        m.env = module_environment(files, m, settings);
        let tfvars = tfvars_values(files, &m.tfvars);
        let mut scope = Scope::default();
        for (f, body) in m.bodies(files) {
            for b in body.blocks() {
                match b.ident.as_str() {
                    "variable" => {
                        let Some(name) = b.labels.first().map(|l| l.as_str().to_string()) else {
                            continue;
                        };
                        let value = match tfvars.get(&name) {
                            Some(v) => v.clone(),
                            // the caller decides a called module's inputs; its defaults may not apply
                            None if m.called => Node::new(Span::default(), NodeValue::Unknown(format!("var.{name}"))),
                            None => match b.body.get_attribute("default") {
                                Some(d) => Scope::default().eval(&d.value, &f.source.text, 0),
                                None => Node::new(Span::default(), NodeValue::Unknown(format!("var.{name}"))),
                            },
                        };
                        scope.vars.insert(name, value);
                    }
                    "locals" => {
                        for a in b.body.attributes() {
                            scope
                                .locals
                                .insert(a.key.as_str().to_string(), (&a.value, &f.source.text[..]));
                        }
                    }
                    _ => {}
                }
            }
        }
        for (f, body) in m.bodies(files) {
            let text = &f.source.text[..];
            let blocks = body
                .blocks()
                .map(|b| {
                    let header = header_span(b);
                    let node = scope.body(&b.body, header, text, 0);
                    TfBlock {
                        file: f.source.id,
                        kind: b.ident.as_str().to_string(),
                        labels: b.labels.iter().map(|l| l.as_str().to_string()).collect(),
                        label_spans: b.labels.iter().map(span_of).collect(),
                        header,
                        span: span_of(b),
                        enabled: !eval::has_zero_instances(&node),
                        body: node,
                    }
                })
                .collect();
            evaluated.push((f.source.id, blocks));
        }
    }
    for (id, blocks) in evaluated {
        if let Some(Model::Terraform(t)) = files.get_mut(id.0 as usize).map(|f| &mut f.model) {
            t.blocks = blocks;
        }
    }
    for m in &modules {
        for id in m.files.iter().chain(&m.tfvars) {
            if let Some(f) = files.get_mut(id.0 as usize) {
                if f.env == Environment::Unknown || settings.configured_environment(&f.source.path).is_none() {
                    f.env = m.env;
                }
            }
        }
    }
    modules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::parse;

    fn project(files: &[(&str, &str)]) -> (Vec<ParsedFile>, Vec<TfModule>) {
        let settings = Settings::default();
        let mut parsed: Vec<ParsedFile> = files
            .iter()
            .enumerate()
            .map(|(i, (path, text))| {
                let kind = crate::discover::classify(Path::new(path)).expect("terraform file");
                parse(FileId(i as u32), PathBuf::from(path), kind, text.to_string(), &settings)
            })
            .collect();
        let modules = build(&mut parsed, &settings);
        (parsed, modules)
    }

    fn attr<'a>(files: &'a [ParsedFile], m: &'a TfModule, kind: &str, key: &str) -> &'a Node {
        m.blocks(files)
            .find(|b| b.kind == kind)
            .and_then(|b| b.body.get(key))
            .expect("attribute")
    }

    const MAIN: &str = "variable \"sku\" {\n  default = \"Basic\"\n}\nresource \"azurerm_container_registry\" \"r\" {\n  sku = var.sku\n}\n";

    #[test]
    fn tfvars_then_default() {
        let (f, m) = project(&[("infra/main.tf", MAIN)]);
        assert_eq!(attr(&f, &m[0], "resource", "sku").as_str(), Some("Basic"));
        let (f, m) = project(&[
            ("infra/main.tf", MAIN),
            ("infra/terraform.tfvars", "sku = \"Premium\"\n"),
        ]);
        assert_eq!(attr(&f, &m[0], "resource", "sku").as_str(), Some("Premium"));
    }

    #[test]
    fn alternative_var_files_must_agree() {
        let (f, m) = project(&[
            ("infra/dev.tfvars", "sku = \"Basic\"\n"),
            ("infra/main.tf", MAIN),
            ("infra/prod.tfvars", "sku = \"Premium\"\n"),
        ]);
        assert!(attr(&f, &m[0], "resource", "sku").is_unknown());
        assert_eq!(m[0].env, Environment::Unknown);
        let (_, m) = project(&[("infra/main.tf", MAIN), ("infra/prod.tfvars", "sku = \"Premium\"\n")]);
        assert_eq!(m[0].env, Environment::Prod);
    }

    #[test]
    fn environment_from_path_and_backend() {
        let (f, m) = project(&[("envs/prod/main.tf", MAIN)]);
        assert_eq!(m[0].env, Environment::Prod);
        assert_eq!(f[0].env, Environment::Prod);
        let backend = "terraform {\n  backend \"azurerm\" {\n    key = \"orders-staging.tfstate\"\n  }\n}\n";
        let (_, m) = project(&[("infra/backend.tf", backend), ("infra/main.tf", MAIN)]);
        assert_eq!(m[0].env, Environment::Nonprod);
    }

    #[test]
    fn called_modules_take_inputs_from_the_caller() {
        let (f, m) = project(&[
            ("infra/main.tf", "module \"acr\" {\n  source = \"./modules/acr\"\n}\n"),
            ("infra/modules/acr/main.tf", MAIN),
        ]);
        let child = m.iter().find(|x| x.dir.ends_with("acr")).expect("child module");
        assert!(child.called);
        assert!(attr(&f, child, "resource", "sku").is_unknown());
    }

    #[test]
    fn zero_count_blocks_are_disabled() {
        let (f, m) = project(&[(
            "infra/main.tf",
            "variable \"enabled\" {\n  default = false\n}\nresource \"azurerm_container_registry\" \"r\" {\n  count = var.enabled ? 1 : 0\n}\n",
        )]);
        let b = m[0].blocks(&f).find(|b| b.kind == "resource").expect("resource");
        assert!(!b.enabled);
    }
}
