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
    // the build took the `.tf` bodies and let them go as it evaluated the modules (their own
    // evaluations, which these tests read, came after the last use of them)
    assert!(parsed
        .iter()
        .all(|f| !matches!(&f.model, Model::Terraform(t) if t.body.is_some())));
    (parsed, modules)
}

fn attr<'a>(m: &'a TfModule, kind: &str, key: &str) -> &'a Node {
    m.blocks()
        .find(|b| b.kind == kind)
        .and_then(|b| b.body.get(key))
        .expect("attribute")
}

const MAIN: &str = "variable \"sku\" {\n  default = \"Basic\"\n}\nresource \"azurerm_container_registry\" \"r\" {\n  sku = var.sku\n}\n";

#[test]
fn tfvars_then_default() {
    let (_f, m) = project(&[("infra/main.tf", MAIN)]);
    assert_eq!(attr(&m[0], "resource", "sku").as_str(), Some("Basic"));
    let (_f, m) = project(&[
        ("infra/main.tf", MAIN),
        ("infra/terraform.tfvars", "sku = \"Premium\"\n"),
    ]);
    assert_eq!(attr(&m[0], "resource", "sku").as_str(), Some("Premium"));
}

#[test]
fn alternative_var_files_must_agree() {
    let (_f, m) = project(&[
        ("infra/dev.tfvars", "sku = \"Basic\"\n"),
        ("infra/main.tf", MAIN),
        ("infra/prod.tfvars", "sku = \"Premium\"\n"),
    ]);
    assert!(attr(&m[0], "resource", "sku").is_unknown());
    assert_eq!(m[0].env, Environment::Unknown);
    let (_, m) = project(&[("infra/main.tf", MAIN), ("infra/prod.tfvars", "sku = \"Premium\"\n")]);
    assert_eq!(m[0].env, Environment::Prod);
}

#[test]
fn environment_from_path_and_backend() {
    let (_f, m) = project(&[("envs/prod/main.tf", MAIN)]);
    assert_eq!(m[0].env, Environment::Prod);
    let backend = "terraform {\n  backend \"azurerm\" {\n    key = \"orders-staging.tfstate\"\n  }\n}\n";
    let (_, m) = project(&[("infra/backend.tf", backend), ("infra/main.tf", MAIN)]);
    assert_eq!(m[0].env, Environment::Nonprod);
}

#[test]
fn called_modules_take_inputs_from_the_caller() {
    let (_f, m) = project(&[
        ("infra/main.tf", "module \"acr\" {\n  source = \"./modules/acr\"\n}\n"),
        ("infra/modules/acr/main.tf", MAIN),
    ]);
    let child = m.iter().find(|x| x.dir.ends_with("acr")).expect("child module");
    assert!(child.called);
    assert!(attr(child, "resource", "sku").is_unknown());
}

#[test]
fn zero_count_blocks_are_disabled() {
    let (_f, m) = project(&[(
        "infra/main.tf",
        "variable \"enabled\" {\n  default = false\n}\nresource \"azurerm_container_registry\" \"r\" {\n  count = var.enabled ? 1 : 0\n}\n",
    )]);
    let b = m[0].blocks().find(|b| b.kind == "resource").expect("resource");
    assert!(!b.enabled);
}

fn instances<'a>(m: &'a TfModule, kind: &str, key: &str) -> Vec<(Environment, Option<&'a Node>)> {
    let mut out = Vec::new();
    for blocks in &m.instance_blocks {
        for b in blocks.iter().filter(|b| b.kind == kind) {
            out.push((b.env, b.body.get(key)));
        }
    }
    out
}

const AKS_MODULE: &str = r#"variable "sku_tier" {
  type    = string
  default = "Standard"
}
variable "settings" {
  type = object({
    local_accounts = optional(bool, true)
    zones          = optional(list(string), [])
  })
  default = {}
}
locals {
  tier = lower(var.sku_tier) == "free" ? "Free" : var.sku_tier
}
resource "azurerm_kubernetes_cluster" "main" {
  sku_tier               = local.tier
  local_account_disabled = !var.settings.local_accounts
}
"#;

fn env_root(tier: &str) -> String {
    format!(
        "provider \"azurerm\" {{\n  features {{}}\n}}\nvariable \"tier\" {{\n  type = string\n}}\nmodule \"aks\" {{\n  source   = \"../../modules/aks\"\n  sku_tier = var.tier\n  settings = {{ local_accounts = false }}\n}}\n# {tier}\n"
    )
}

#[test]
fn a_module_called_by_two_environments_is_evaluated_per_caller() {
    let prod = env_root("prod");
    let dev = env_root("dev");
    let (f, m) = project(&[
        ("infra/envs/dev/main.tf", &dev),
        ("infra/envs/dev/terraform.tfvars", "tier = \"free\"\n"),
        ("infra/envs/prod/main.tf", &prod),
        ("infra/envs/prod/terraform.tfvars", "tier = \"Free\"\n"),
        ("infra/modules/aks/main.tf", AKS_MODULE),
    ]);
    let aks = m.iter().find(|x| x.dir.ends_with("aks")).expect("module");
    assert!(aks.called && !aks.root);
    assert_eq!(aks.instances.len(), 2);
    let mut got: Vec<(Environment, Option<String>)> = instances(aks, "resource", "sku_tier")
        .into_iter()
        .map(|(e, v)| (e, v.and_then(|n| n.as_str()).map(str::to_string)))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (Environment::Prod, Some("Free".into())),
            (Environment::Nonprod, Some("Free".into()))
        ]
    );
    // optional attributes of the caller's object take their defaults; `!false` is true
    for (_, v) in instances(aks, "resource", "local_account_disabled") {
        assert_eq!(v.and_then(|n| n.as_bool()), Some(true));
    }
    // the module's own evaluation does not know its inputs
    assert!(attr(aks, "resource", "sku_tier").is_unknown());
    let labels: Vec<String> = aks.instances.iter().map(|i| i.label.clone()).collect();
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("prod, via infra/envs/prod/main.tf:7")),
        "{labels:?}"
    );
    // the value's origin is the caller's argument
    let prod_inst = aks.instances.iter().find(|i| i.env == Environment::Prod).expect("prod");
    let origin = prod_inst.origins.values().next().expect("an origin");
    assert_eq!(
        f[origin.file.0 as usize].source.path,
        PathBuf::from("infra/envs/prod/main.tf")
    );
    assert!(m.iter().filter(|x| x.root).count() == 2);
}

#[test]
fn a_root_is_evaluated_once_per_environment_var_file() {
    let (_f, m) = project(&[
        ("infra/env/dev.tfvars", "sku = \"Basic\"\n"),
        ("infra/env/prod.tfvars", "sku = \"Premium\"\n"),
        (
            "infra/main.tf",
            &format!("provider \"azurerm\" {{\n  features {{}}\n}}\n{MAIN}"),
        ),
    ]);
    assert!(m[0].root);
    let mut got: Vec<(Environment, Option<String>)> = instances(&m[0], "resource", "sku")
        .into_iter()
        .map(|(e, v)| (e, v.and_then(|n| n.as_str()).map(str::to_string)))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (Environment::Prod, Some("Premium".into())),
            (Environment::Nonprod, Some("Basic".into()))
        ]
    );
    assert!(attr(&m[0], "resource", "sku").is_unknown());
    assert!(m[0].instances.iter().all(|i| i.named));
}

#[test]
fn an_environment_variable_beats_the_directory_name() {
    let (_, m) = project(&[
        ("stacks/orders/main.tf", &format!("provider \"azurerm\" {{\n  features {{}}\n}}\nvariable \"environment\" {{\n  type = string\n}}\n{MAIN}")),
        ("stacks/orders/terraform.tfvars", "environment = \"production\"\n"),
    ]);
    assert_eq!(m[0].env, Environment::Prod);
    let (_, m) = project(&[
        ("envs/prod/main.tf", &format!("provider \"azurerm\" {{\n  features {{}}\n}}\nvariable \"environment\" {{\n  type = string\n}}\n{MAIN}")),
        ("envs/prod/terraform.tfvars", "environment = \"dev\"\n"),
    ]);
    assert_eq!(m[0].env, Environment::Nonprod);
}

#[test]
fn modules_nobody_calls_without_backend_or_provider_are_no_roots() {
    let (_, m) = project(&[
        ("modules/acr/main.tf", MAIN),
        // example values and a lock file beside a reusable module do not make it a root
        ("modules/acr/example.tfvars", "sku = \"Basic\"\n"),
        (
            "modules/acr/.terraform.lock.hcl",
            "provider \"registry.terraform.io/hashicorp/azurerm\" {\n  version = \"3.117.1\"\n}\n",
        ),
        ("live/main.tf", "terraform {\n  backend \"azurerm\" {}\n}\n"),
    ]);
    let acr = m.iter().find(|x| x.dir.ends_with("acr")).expect("acr");
    assert!(!acr.root && !acr.called);
    assert!(m.iter().find(|x| x.dir.ends_with("live")).expect("live").root);
}

#[test]
fn call_cycles_and_remote_sources_end() {
    let a = "provider \"azurerm\" {\n  features {}\n}\nmodule \"b\" {\n  source = \"../b\"\n  sku    = \"Basic\"\n}\n";
    let b = "variable \"sku\" {}\nmodule \"a\" {\n  source = \"../a\"\n}\nmodule \"remote\" {\n  source  = \"Azure/aks/azurerm\"\n  version = \"9.0.0\"\n}\nmodule \"outside\" {\n  source = \"../../../elsewhere\"\n}\nresource \"azurerm_container_registry\" \"r\" {\n  sku = var.sku\n}\n";
    let (_f, m) = project(&[("x/a/main.tf", a), ("x/b/main.tf", b)]);
    // both call each other: both are called, neither is a root; evaluation still ends
    assert!(m.iter().all(|x| x.called));
    let bm = m.iter().find(|x| x.dir.ends_with("b")).expect("b");
    assert!(attr(bm, "resource", "sku").is_unknown());
}

#[test]
fn for_each_resources_and_dynamic_blocks_expand() {
    let text = r#"variable "rules" {
  default = {
    https = { port = 443, access = "Allow" }
    ssh   = { port = 22, access = "Deny" }
  }
}
resource "azurerm_network_security_group" "web" {
  dynamic "security_rule" {
    for_each = var.rules
    content {
      name                   = security_rule.key
      destination_port_range = security_rule.value.port
      access                 = security_rule.value.access
    }
  }
}
resource "azurerm_storage_account" "sa" {
  for_each                 = toset(["logs", "data"])
  name                     = "st${each.key}"
  min_tls_version          = each.key == "logs" ? "TLS1_0" : "TLS1_2"
}
"#;
    let (_f, m) = project(&[("infra/main.tf", text)]);
    let nsg = m[0]
        .blocks()
        .find(|b| b.labels[0] == "azurerm_network_security_group")
        .expect("nsg");
    let rules = nsg.body.get("security_rule").expect("rules");
    assert_eq!(rules.items().len(), 2);
    assert_eq!(rules.items()[1].get("name").and_then(|n| n.as_str()), Some("ssh"));
    assert_eq!(
        rules.items()[0].get("destination_port_range").and_then(|n| n.as_f64()),
        Some(443.0)
    );
    let accounts: Vec<(Option<&str>, Option<&str>)> = m[0]
        .blocks()
        .filter(|b| b.labels[0] == "azurerm_storage_account")
        .map(|b| (b.key.as_deref(), b.body.get("min_tls_version").and_then(|n| n.as_str())))
        .collect();
    assert_eq!(
        accounts,
        vec![(Some("logs"), Some("TLS1_0")), (Some("data"), Some("TLS1_2"))]
    );
}

fn scope_of<'a>(text: &'a str, body: &'a hcl_edit::structure::Body) -> Scope<'a> {
    let mut scope = Scope::default();
    for b in body.blocks().filter(|b| b.ident.as_str() == "locals") {
        for a in b.body.attributes() {
            scope.locals.insert(
                a.key.as_str().to_string(),
                crate::lang::terraform::eval::Local {
                    expr: &a.value,
                    text,
                    file: FileId(0),
                },
            );
        }
    }
    scope
}

/// Hostile input (issue 15): 40 locals, each a template doubling the previous, would reach
/// 2^40 bytes; the string budget stops it, and the work counted stays small.
#[test]
fn doubling_string_templates_stay_within_the_byte_budget() {
    let mut text = String::from("locals {\n  t0 = \"ab\"\n");
    for i in 1..=40 {
        text.push_str(&format!("  t{i} = \"${{local.t{}}}${{local.t{}}}\"\n", i - 1, i - 1));
    }
    text.push_str("}\nresource \"azurerm_storage_account\" \"sa\" {\n  name = local.t40\n}\n");
    assert!(text.len() < 1600);
    let (parsed, _) = crate::lang::terraform::parse(&text);
    let body = parsed.body.expect("parses");
    let scope = scope_of(&text, &body);
    // referring to each local in turn fills the memo level by level: no depth limit helps
    for i in 0..=40 {
        let l = scope.locals[format!("t{i}").as_str()];
        let v = scope.eval(l.expr, l.text, 0);
        assert_eq!(v.is_unknown(), i >= 20, "t{i}");
    }
    // the longest string built is about the limit; everything after is unknown at no cost
    assert!(
        scope.bytes() < 16 * eval::limits::MAX_STRING_BYTES as u64,
        "{}",
        scope.bytes()
    );
    assert!(scope.steps() < 1_000, "{}", scope.steps());
    assert_eq!(scope.exceeded().len(), 1);
    let (_, at, limit) = scope.exceeded()[0];
    assert_eq!(limit.name, "terraform-string-bytes");
    assert!(at.slice(&text).starts_with("\"${local.t"), "{}", at.slice(&text));
    // through the project index too: the resource's name is unknown
    let (_f, m) = project(&[("infra/main.tf", &text)]);
    assert!(attr(&m[0], "resource", "name").is_unknown());
}

/// `merge()` over thousands of maps (issue 15: 74 s on a 300 KB file) is linear: the steps it
/// is charged grow with its input, and the result has every key once.
#[test]
fn merge_of_many_maps_is_linear() {
    let n = 20_000;
    let mut text = String::from("locals {\n  m = merge(");
    for i in 0..n {
        text.push_str(&format!("{{ k{} = {i} }}, ", i % (n / 2)));
    }
    text.push_str("{})\n}\nresource \"x\" \"y\" {\n  tags = local.m\n}\n");
    assert!(text.len() > 300_000);
    let (parsed, _) = crate::lang::terraform::parse(&text);
    let body = parsed.body.expect("parses");
    let scope = scope_of(&text, &body);
    let l = scope.locals["m"];
    let v = scope.eval(l.expr, l.text, 0);
    assert_eq!(v.entries().len(), n / 2);
    assert_eq!(v.get("k0").and_then(|x| x.as_f64()), Some(10_000.0));
    assert!(scope.steps() < 10 * n as u64, "{}", scope.steps());
}

#[test]
fn test_files_belong_to_the_module_above_tests() {
    let run = "run \"plan\" {\n  command = plan\n}\n";
    let (f, m) = project(&[
        ("mod/main.tf", MAIN),
        ("mod/tests/helper/main.tf", "output \"x\" {\n  value = 1\n}\n"),
        ("mod/tests/helper/remote.tftest.hcl", run),
        ("mod/tests/local/input.tftest.hcl", run),
        ("mod/tests/unit.tftest.hcl", run),
        ("other/main.tf", MAIN),
        ("other/beside.tftest.hcl", run),
    ]);
    let dir_of = |d: &str| m.iter().find(|x| x.dir == Path::new(d)).expect("module");
    let names = |x: &TfModule| -> Vec<String> {
        x.tests
            .iter()
            .map(|id| f[id.0 as usize].source.path.display().to_string())
            .collect()
    };
    assert_eq!(
        names(dir_of("mod")),
        [
            "mod/tests/helper/remote.tftest.hcl",
            "mod/tests/local/input.tftest.hcl",
            "mod/tests/unit.tftest.hcl"
        ]
    );
    assert!(dir_of("mod/tests/helper").tests.is_empty());
    assert_eq!(names(dir_of("other")), ["other/beside.tftest.hcl"]);
}
