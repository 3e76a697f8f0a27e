//! Terraform input that does not parse: PARSE001 with a position, the module's other files are
//! still checked, and names the broken file may declare are not reported as undeclared.

use assert_cmd::Command;

#[test]
fn broken_module_file_and_tfvars() {
    let out = Command::cargo_bin("linea")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "tests/terraform/broken-module", "-f", "concise"])
        .args(["--select", "PARSE001,TF001,TF121"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(": PARSE001") || l.contains(": TF"))
        .collect();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].contains("broken-module/main.tf:6:25: TF121"), "{stdout}");
    assert!(
        lines[1].contains("broken-module/terraform.tfvars:2:7: PARSE001"),
        "{stdout}"
    );
    assert!(
        lines[2].contains("broken-module/variables.tf:5:2: PARSE001"),
        "{stdout}"
    );
}

/// A temporary repository (it holds `.git`: no config above it applies) with `files`.
fn write_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn concise(dir: &std::path::Path, select: &str) -> Vec<String> {
    let out = Command::cargo_bin("linea")
        .expect("binary")
        .current_dir(dir)
        .args(["check", ".", "-f", "concise", "--select", select])
        .output()
        .expect("run");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(": TF"))
        .map(str::to_string)
        .collect()
}

const AKS: &str = r#"variable "sku_tier" {
  type        = string
  description = "AKS pricing tier"
  default     = "Standard"
}

resource "azurerm_kubernetes_cluster" "main" {
  name                   = "aks-orders"
  sku_tier               = var.sku_tier
  local_account_disabled = true
}
"#;

fn env_root(env: &str) -> String {
    format!(
        r#"terraform {{
  required_version = ">= 1.6"
  backend "azurerm" {{
    key = "orders-{env}.tfstate"
  }}
}}

provider "azurerm" {{
  features {{}}
}}

variable "tier" {{
  type        = string
  description = "AKS pricing tier"
}}

module "aks" {{
  source   = "../../modules/aks"
  sku_tier = var.tier
}}
"#
    )
}

/// A module called by two environments is checked with each caller's values: the production
/// caller's `Free` tier is reported in the module, naming the caller, with a label at the
/// caller's argument; the same value in development is not a production finding.
#[test]
fn findings_in_a_called_module_name_the_caller_and_environment() {
    let prod = env_root("prod");
    let dev = env_root("dev");
    let dir = write_tree(&[
        ("infra/modules/aks/main.tf", AKS),
        ("infra/envs/prod/main.tf", &prod),
        ("infra/envs/prod/terraform.tfvars", "tier = \"Free\"\n"),
        ("infra/envs/dev/main.tf", &dev),
        ("infra/envs/dev/terraform.tfvars", "tier = \"Free\"\n"),
    ]);
    let lines = concise(dir.path(), "TF107");
    assert_eq!(
        lines,
        vec!["infra/modules/aks/main.tf:9:28: TF107 [error] production cluster `main` uses the `Free` tier; use `Standard` (prod, via infra/envs/prod/main.tf:17)"],
    );
    let out = Command::cargo_bin("linea")
        .expect("binary")
        .current_dir(dir.path())
        .args(["check", ".", "-f", "json", "--select", "TF107"])
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let text = json.to_string();
    assert!(text.contains("infra/envs/prod/main.tf"), "{text}");
    assert!(text.contains("`sku_tier` is set here"), "{text}");

    // in production only, the module's own default applies: no finding
    let dir = write_tree(&[
        ("infra/modules/aks/main.tf", AKS),
        ("infra/envs/prod/main.tf", &prod.replace("  sku_tier = var.tier\n", "")),
    ]);
    assert!(concise(dir.path(), "TF107").is_empty());
}

/// A root applied with one var file per environment is checked once per environment.
#[test]
fn a_root_with_environment_var_files_is_checked_per_environment() {
    let root = r#"terraform {
  required_version = ">= 1.6"
  backend "azurerm" {}
}

provider "azurerm" {
  features {}
}

variable "admin" {
  type        = bool
  description = "admin user"
}

resource "azurerm_container_registry" "acr" {
  name          = "acrorders"
  sku           = "Premium"
  admin_enabled = var.admin
}
"#;
    let dir = write_tree(&[
        ("infra/main.tf", root),
        ("infra/env/dev.tfvars", "admin = true\n"),
        ("infra/env/prod.tfvars", "admin = false\n"),
    ]);
    assert_eq!(
        concise(dir.path(), "TF121"),
        vec!["infra/main.tf:18:19: TF121 [error] admin user is enabled on registry `acr` (dev, with infra/env/dev.tfvars)"],
    );
}
