//! The Terraform index keeps what rules read of a module's syntax (its references, backends,
//! conditions) and the `.tf` files' hcl-edit bodies are let go once it is built: one HCL tree
//! per file in memory after the build, the evaluated one (issue 16).

use std::path::Path;

use linea::config::{Config, Settings};
use linea::discover::FileKind;
use linea::project::Model;
use linea::rules::engine::{self, SourceInput};
use linea::rules::registry::Registry;

const ROOT: &str = r#"
terraform {
  backend "azurerm" {
    storage_account_name = "tfstate"
  }
}

variable "region" {}
variable "forgotten" {}

locals {
  name = "app-${var.region}"
}

module "network" {
  source = "./modules/network"
  name   = local.name
}

module "checked" {
  source = "./modules/checked"
  name   = local.name
}

output "subnet" {
  value = module.network.subnet
}

output "missing" {
  value = var.not_declared
}
"#;

const NETWORK: &str = r#"
variable "name" {}

resource "azurerm_virtual_network" "main" {
  name = var.name
}

output "subnet" {
  value = azurerm_virtual_network.main.id
}
"#;

const CHECKED: &str = r#"
variable "name" {
  validation {
    condition     = length(var.name) > 0
    error_message = "name is empty"
  }
}

output "name" {
  value = var.name
}
"#;

fn run(dir: &Path) -> engine::Outcome {
    let files = [
        ("main.tf", FileKind::Terraform, ROOT),
        ("terraform.tfvars", FileKind::TfVars, "region = \"westeurope\"\n"),
        ("modules/network/main.tf", FileKind::Terraform, NETWORK),
        ("modules/checked/main.tf", FileKind::Terraform, CHECKED),
    ];
    let inputs = files
        .iter()
        .map(|(name, kind, text)| {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
            SourceInput::Disk(linea::discover::Input { path, kind: *kind })
        })
        .collect();
    let settings = Settings::from_config(Config::default(), None, dir.to_path_buf()).expect("settings");
    let registry = Registry::builtin().expect("built-in rules");
    engine::run(&registry, &settings, inputs)
}

/// The findings of `rule`: the file's name below the repository and the text they point at.
fn found(outcome: &engine::Outcome, dir: &Path, rule: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == rule)
        .filter_map(|d| {
            let f = outcome.project.files.iter().find(|f| f.source.id == d.file)?;
            let text = std::fs::read_to_string(&f.source.path).ok()?;
            let rel = f.source.path.strip_prefix(dir).ok()?.display().to_string();
            Some((rel, text.get(d.span.start..d.span.end)?.to_string()))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn terraform_bodies_are_let_go_and_the_module_rules_still_find_what_they_find() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outcome = run(dir.path());

    // the `.tf` files' syntax trees are gone; the var file keeps its own (test rules read it)
    let model = |name: &str| {
        outcome
            .project
            .files
            .iter()
            .find(|f| f.source.path.ends_with(name))
            .map(|f| &f.model)
    };
    for tf in ["main.tf", "modules/network/main.tf", "modules/checked/main.tf"] {
        assert!(
            matches!(model(tf), Some(Model::Terraform(t)) if t.body.is_none()),
            "{tf} keeps no hcl-edit body"
        );
    }
    assert!(matches!(model("terraform.tfvars"), Some(Model::TfVars(t)) if t.body.is_some()));

    // the evaluated blocks and the facts are in the index
    let root = outcome
        .project
        .terraform
        .iter()
        .find(|m| m.dir.ends_with(dir.path().file_name().expect("name")))
        .expect("the root module");
    assert!(root.blocks().any(|b| b.kind == "module"));
    assert!(root.facts.remote_backend);
    assert_eq!(root.facts.backend_storage, ["tfstate"]);
    assert!(root.facts.references.iter().any(|(_, r)| r.name == "region"));
    let checked = outcome
        .project
        .terraform
        .iter()
        .find(|m| m.dir.ends_with("checked"))
        .expect("the checked module");
    assert!(checked.facts.conditions);

    // TF001: a reference to nothing declared
    assert_eq!(
        found(&outcome, dir.path(), "TF001"),
        [("main.tf".to_string(), "var.not_declared".to_string())]
    );
    // TF002: a variable nothing references
    assert_eq!(
        found(&outcome, dir.path(), "TF002"),
        [("main.tf".to_string(), "\"forgotten\"".to_string())]
    );
    // TF016: a called module that checks none of its variables (the validated one is checked)
    let untested = found(&outcome, dir.path(), "TF016");
    assert_eq!(untested.len(), 1, "{untested:?}");
    assert_eq!(untested[0].0, "modules/network/main.tf");
}
