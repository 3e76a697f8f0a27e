//! What a provider sets when an argument is omitted, per provider major version — as data.
//!
//! Terraform sends no value for an omitted optional argument; the provider fills in its
//! default, and the default of some security-relevant arguments changed between major versions
//! (azurerm storage accounts accepted TLS 1.0 unless told otherwise until 3.0). The project
//! index evaluates each resource with the major version of its provider that applies there
//! ([`Bounds`]: the lock file, `required_providers` constraints, else the newest major) and
//! [`apply`] adds each omitted argument of [`TABLE`] to the evaluated body, at the block header,
//! recording it in [`TfBlock::defaults`](super::TfBlock::defaults) so a finding on it can say
//! "defaults to `TLS1_0` in azurerm 2.x". Rules need no special case: a declarative
//! `min_tls_version in [TLS1_2, TLS1_3]` sees the provider's value.
//!
//! Only arguments some rule tests are listed, and only for the majors whose documentation
//! states the default. Each entry names the documentation page of the resource; [`doc_url`]
//! pins it to a release of that major.

use std::collections::HashMap;

use crate::source::node::Entry;
use crate::source::{Node, NodeValue, Span};

/// A default value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Bool(bool),
    Str(&'static str),
}

/// One argument's default in a range of major versions.
#[derive(Debug)]
pub struct Default {
    /// Provider local name: `azurerm`, `aws`.
    pub provider: &'static str,
    pub resource: &'static str,
    /// The argument; `block.argument` for an argument of a nested block (defaulted in each
    /// instance of the block that is written, never by adding the block).
    pub path: &'static str,
    /// First and last major version (inclusive) this default holds in.
    pub majors: (u32, u32),
    pub value: Value,
    /// The resource's documentation page (`r/storage_account` → [`doc_url`]).
    pub doc: &'static str,
}

/// The newest major version of each provider of [`TABLE`]: the one Terraform installs when
/// nothing constrains it.
pub const NEWEST: &[(&str, u32)] = &[("azurerm", 4), ("aws", 6)];

/// A release of each major, to pin documentation links to.
const DOC_RELEASES: &[(&str, u32, &str)] = &[
    ("azurerm", 2, "2.99.0"),
    ("azurerm", 3, "3.117.1"),
    ("azurerm", 4, "4.0.1"),
    ("aws", 4, "4.67.0"),
    ("aws", 5, "5.100.0"),
    ("aws", 6, "6.0.0"),
];

const fn d(
    provider: &'static str,
    resource: &'static str,
    path: &'static str,
    majors: (u32, u32),
    value: Value,
    doc: &'static str,
) -> Default {
    Default {
        provider,
        resource,
        path,
        majors,
        value,
        doc,
    }
}

use Value::{Bool, Str};

const AKS: &str = "resources/kubernetes_cluster";
const STORAGE: &str = "resources/storage_account";
const KEY_VAULT: &str = "resources/key_vault";
const ACR: &str = "resources/container_registry";
const APIM: &str = "resources/api_management";

/// The defaults, by provider, resource and argument. Upgrade guides that changed one:
/// azurerm 3.0 (`min_tls_version` `TLS1_0` → `TLS1_2`; `allow_blob_public_access` (default
/// `false`) became `allow_nested_items_to_be_public` (default `true`)), azurerm 4.0
/// (`enable_*` arguments renamed `*_enabled`).
#[rustfmt::skip]
pub const TABLE: &[Default] = &[
    // AKS
    d("azurerm", "azurerm_kubernetes_cluster", "sku_tier", (2, 4), Str("Free"), AKS),
    d("azurerm", "azurerm_kubernetes_cluster", "private_cluster_enabled", (2, 4), Bool(false), AKS),
    d("azurerm", "azurerm_kubernetes_cluster", "local_account_disabled", (2, 4), Bool(false), AKS),
    d("azurerm", "azurerm_kubernetes_cluster", "role_based_access_control_enabled", (3, 4), Bool(true), AKS),
    d("azurerm", "azurerm_kubernetes_cluster", "azure_policy_enabled", (3, 4), Bool(false), AKS),
    // storage accounts
    d("azurerm", "azurerm_storage_account", "min_tls_version", (2, 2), Str("TLS1_0"), STORAGE),
    d("azurerm", "azurerm_storage_account", "min_tls_version", (3, 4), Str("TLS1_2"), STORAGE),
    d("azurerm", "azurerm_storage_account", "allow_blob_public_access", (2, 2), Bool(false), STORAGE),
    d("azurerm", "azurerm_storage_account", "allow_nested_items_to_be_public", (3, 4), Bool(true), STORAGE),
    d("azurerm", "azurerm_storage_account", "enable_https_traffic_only", (2, 3), Bool(true), STORAGE),
    d("azurerm", "azurerm_storage_account", "https_traffic_only_enabled", (4, 4), Bool(true), STORAGE),
    d("azurerm", "azurerm_storage_account", "public_network_access_enabled", (3, 4), Bool(true), STORAGE),
    d("azurerm", "azurerm_storage_container", "container_access_type", (2, 4), Str("private"), "resources/storage_container"),
    // Key Vault
    d("azurerm", "azurerm_key_vault", "purge_protection_enabled", (2, 4), Bool(false), KEY_VAULT),
    d("azurerm", "azurerm_key_vault", "enable_rbac_authorization", (2, 4), Bool(false), KEY_VAULT),
    d("azurerm", "azurerm_key_vault", "public_network_access_enabled", (3, 4), Bool(true), KEY_VAULT),
    // container registries
    d("azurerm", "azurerm_container_registry", "admin_enabled", (2, 4), Bool(false), ACR),
    d("azurerm", "azurerm_container_registry", "public_network_access_enabled", (3, 4), Bool(true), ACR),
    d("azurerm", "azurerm_container_registry", "anonymous_pull_enabled", (3, 4), Bool(false), ACR),
    // API Management: outside any virtual network; legacy protocols off
    d("azurerm", "azurerm_api_management", "virtual_network_type", (2, 4), Str("None"), APIM),
    d("azurerm", "azurerm_api_management", "security.enable_backend_ssl30", (2, 3), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.enable_backend_tls10", (2, 3), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.enable_backend_tls11", (2, 3), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.enable_frontend_ssl30", (2, 3), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.enable_frontend_tls10", (2, 3), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.enable_frontend_tls11", (2, 3), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.backend_ssl30_enabled", (4, 4), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.backend_tls10_enabled", (4, 4), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.backend_tls11_enabled", (4, 4), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.frontend_ssl30_enabled", (4, 4), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.frontend_tls10_enabled", (4, 4), Bool(false), APIM),
    d("azurerm", "azurerm_api_management", "security.frontend_tls11_enabled", (4, 4), Bool(false), APIM),
    // databases
    d("azurerm", "azurerm_mssql_server", "public_network_access_enabled", (2, 4), Bool(true), "resources/mssql_server"),
    d("azurerm", "azurerm_mssql_server", "minimum_tls_version", (3, 4), Str("1.2"), "resources/mssql_server"),
    d("azurerm", "azurerm_postgresql_server", "public_network_access_enabled", (2, 3), Bool(true), "resources/postgresql_server"),
    d("azurerm", "azurerm_mysql_server", "public_network_access_enabled", (2, 3), Bool(true), "resources/mysql_server"),
    d("azurerm", "azurerm_postgresql_flexible_server", "public_network_access_enabled", (4, 4), Bool(true), "resources/postgresql_flexible_server"),
    // App Service and Function Apps: HTTP allowed unless `https_only`; TLS 1.2 and FTP(S) off unless changed
    d("azurerm", "azurerm_linux_web_app", "https_only", (3, 4), Bool(false), "resources/linux_web_app"),
    d("azurerm", "azurerm_linux_web_app", "site_config.minimum_tls_version", (3, 4), Str("1.2"), "resources/linux_web_app"),
    d("azurerm", "azurerm_linux_web_app", "site_config.scm_minimum_tls_version", (3, 4), Str("1.2"), "resources/linux_web_app"),
    d("azurerm", "azurerm_linux_web_app", "site_config.ftps_state", (3, 4), Str("Disabled"), "resources/linux_web_app"),
    d("azurerm", "azurerm_windows_web_app", "https_only", (3, 4), Bool(false), "resources/windows_web_app"),
    d("azurerm", "azurerm_windows_web_app", "site_config.minimum_tls_version", (3, 4), Str("1.2"), "resources/windows_web_app"),
    d("azurerm", "azurerm_windows_web_app", "site_config.scm_minimum_tls_version", (3, 4), Str("1.2"), "resources/windows_web_app"),
    d("azurerm", "azurerm_windows_web_app", "site_config.ftps_state", (3, 4), Str("Disabled"), "resources/windows_web_app"),
    d("azurerm", "azurerm_linux_function_app", "https_only", (3, 4), Bool(false), "resources/linux_function_app"),
    d("azurerm", "azurerm_linux_function_app", "site_config.minimum_tls_version", (3, 4), Str("1.2"), "resources/linux_function_app"),
    d("azurerm", "azurerm_linux_function_app", "site_config.scm_minimum_tls_version", (3, 4), Str("1.2"), "resources/linux_function_app"),
    d("azurerm", "azurerm_linux_function_app", "site_config.ftps_state", (3, 4), Str("Disabled"), "resources/linux_function_app"),
    d("azurerm", "azurerm_windows_function_app", "https_only", (3, 4), Bool(false), "resources/windows_function_app"),
    d("azurerm", "azurerm_windows_function_app", "site_config.minimum_tls_version", (3, 4), Str("1.2"), "resources/windows_function_app"),
    d("azurerm", "azurerm_windows_function_app", "site_config.scm_minimum_tls_version", (3, 4), Str("1.2"), "resources/windows_function_app"),
    d("azurerm", "azurerm_windows_function_app", "site_config.ftps_state", (3, 4), Str("Disabled"), "resources/windows_function_app"),
    d("azurerm", "azurerm_linux_web_app_slot", "https_only", (3, 4), Bool(false), "resources/linux_web_app_slot"),
    d("azurerm", "azurerm_linux_web_app_slot", "site_config.minimum_tls_version", (3, 4), Str("1.2"), "resources/linux_web_app_slot"),
    d("azurerm", "azurerm_linux_web_app_slot", "site_config.scm_minimum_tls_version", (3, 4), Str("1.2"), "resources/linux_web_app_slot"),
    d("azurerm", "azurerm_linux_web_app_slot", "site_config.ftps_state", (3, 4), Str("Disabled"), "resources/linux_web_app_slot"),
    d("azurerm", "azurerm_windows_web_app_slot", "https_only", (3, 4), Bool(false), "resources/windows_web_app_slot"),
    d("azurerm", "azurerm_windows_web_app_slot", "site_config.minimum_tls_version", (3, 4), Str("1.2"), "resources/windows_web_app_slot"),
    d("azurerm", "azurerm_windows_web_app_slot", "site_config.scm_minimum_tls_version", (3, 4), Str("1.2"), "resources/windows_web_app_slot"),
    d("azurerm", "azurerm_windows_web_app_slot", "site_config.ftps_state", (3, 4), Str("Disabled"), "resources/windows_web_app_slot"),
    d("azurerm", "azurerm_linux_function_app_slot", "https_only", (3, 4), Bool(false), "resources/linux_function_app_slot"),
    d("azurerm", "azurerm_linux_function_app_slot", "site_config.minimum_tls_version", (3, 4), Str("1.2"), "resources/linux_function_app_slot"),
    d("azurerm", "azurerm_linux_function_app_slot", "site_config.scm_minimum_tls_version", (3, 4), Str("1.2"), "resources/linux_function_app_slot"),
    d("azurerm", "azurerm_linux_function_app_slot", "site_config.ftps_state", (3, 4), Str("Disabled"), "resources/linux_function_app_slot"),
    d("azurerm", "azurerm_windows_function_app_slot", "https_only", (3, 4), Bool(false), "resources/windows_function_app_slot"),
    d("azurerm", "azurerm_windows_function_app_slot", "site_config.minimum_tls_version", (3, 4), Str("1.2"), "resources/windows_function_app_slot"),
    d("azurerm", "azurerm_windows_function_app_slot", "site_config.scm_minimum_tls_version", (3, 4), Str("1.2"), "resources/windows_function_app_slot"),
    d("azurerm", "azurerm_windows_function_app_slot", "site_config.ftps_state", (3, 4), Str("Disabled"), "resources/windows_function_app_slot"),
    d("azurerm", "azurerm_app_service", "https_only", (2, 3), Bool(false), "resources/app_service"),
    d("azurerm", "azurerm_app_service_slot", "https_only", (2, 3), Bool(false), "resources/app_service_slot"),
    d("azurerm", "azurerm_function_app", "https_only", (2, 3), Bool(false), "resources/function_app"),
    d("azurerm", "azurerm_function_app_slot", "https_only", (2, 3), Bool(false), "resources/function_app_slot"),
    // Azure Cache for Redis: reachable from public networks unless turned off; TLS 1.0 accepted in 2.x
    d("azurerm", "azurerm_redis_cache", "public_network_access_enabled", (2, 4), Bool(true), "resources/redis_cache"),
    d("azurerm", "azurerm_redis_cache", "minimum_tls_version", (2, 2), Str("1.0"), "resources/redis_cache"),
    d("azurerm", "azurerm_redis_cache", "enable_non_ssl_port", (2, 3), Bool(false), "resources/redis_cache"),
    d("azurerm", "azurerm_redis_cache", "non_ssl_port_enabled", (4, 4), Bool(false), "resources/redis_cache"),
    // Cosmos DB: public network access on, no virtual network filter
    d("azurerm", "azurerm_cosmosdb_account", "public_network_access_enabled", (3, 4), Bool(true), "resources/cosmosdb_account"),
    d("azurerm", "azurerm_cosmosdb_account", "is_virtual_network_filter_enabled", (2, 4), Bool(false), "resources/cosmosdb_account"),
    // Linux VMs
    d("azurerm", "azurerm_linux_virtual_machine", "disable_password_authentication", (2, 4), Bool(true), "resources/linux_virtual_machine"),
    d("azurerm", "azurerm_linux_virtual_machine_scale_set", "disable_password_authentication", (2, 4), Bool(true), "resources/linux_virtual_machine_scale_set"),
    // AWS
    d("aws", "aws_db_instance", "publicly_accessible", (4, 6), Bool(false), "resources/db_instance"),
    d("aws", "aws_db_instance", "storage_encrypted", (4, 6), Bool(false), "resources/db_instance"),
    d("aws", "aws_rds_cluster", "storage_encrypted", (4, 6), Bool(false), "resources/rds_cluster"),
    d("aws", "aws_eks_cluster", "vpc_config.endpoint_public_access", (4, 6), Bool(true), "resources/eks_cluster"),
    d("aws", "aws_eks_cluster", "vpc_config.endpoint_private_access", (4, 6), Bool(false), "resources/eks_cluster"),
];

/// The documentation of a default, pinned to a release of its major.
pub fn doc_url(entry: &Default, major: u32) -> String {
    let release = DOC_RELEASES
        .iter()
        .find(|(p, m, _)| *p == entry.provider && *m == major)
        .map(|(_, _, r)| *r)
        .unwrap_or("latest");
    format!(
        "https://registry.terraform.io/providers/hashicorp/{}/{release}/docs/{}",
        entry.provider, entry.doc
    )
}

/// The provider a resource type belongs to (`azurerm_storage_account` → `azurerm`).
pub fn provider_of(resource_type: &str) -> &str {
    resource_type.split('_').next().unwrap_or("")
}

/// The major versions a version constraint admits (`~> 3.0` → 3..=3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub lo: u32,
    pub hi: u32,
}

impl Bounds {
    /// The majors `constraint` admits, up to `newest`; `None` when it admits none of them or
    /// cannot be read.
    pub fn parse(constraint: &str, newest: u32) -> Option<Bounds> {
        let mut b = Bounds { lo: 0, hi: newest };
        for part in constraint.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (op, v) = ["~>", ">=", "<=", "!=", ">", "<", "="]
                .iter()
                .find_map(|op| part.strip_prefix(op).map(|rest| (*op, rest.trim())))
                .unwrap_or(("=", part));
            let v = v.strip_prefix('v').unwrap_or(v);
            let nums: Vec<Option<u32>> = v.split(['.', '-', '+']).take(3).map(|c| c.parse().ok()).collect();
            let major = nums.first().copied().flatten()?;
            let rest_zero = nums.iter().skip(1).all(|n| n.is_none_or(|n| n == 0));
            match op {
                "=" => {
                    b.lo = b.lo.max(major);
                    b.hi = b.hi.min(major);
                }
                ">=" | ">" => b.lo = b.lo.max(major),
                "<" if rest_zero => b.hi = b.hi.min(major.checked_sub(1)?),
                "<" | "<=" => b.hi = b.hi.min(major),
                "~>" => {
                    b.lo = b.lo.max(major);
                    if nums.len() > 1 {
                        b.hi = b.hi.min(major);
                    }
                }
                _ => {}
            }
        }
        (b.lo <= b.hi).then_some(b)
    }

    pub fn admits(&self, major: u32) -> bool {
        (self.lo..=self.hi).contains(&major)
    }
}

/// The major of each provider one module instance runs with: the caller's (or the lock
/// file's) when this module's own constraint admits it, else the newest its constraint admits,
/// else the newest. A provider whose constraint admits no known major is left out: its
/// defaults are unknown.
pub fn resolve(inherited: &HashMap<String, u32>, own: &HashMap<String, String>) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    for (p, newest) in NEWEST {
        let bounds = match own.get(*p) {
            Some(c) => match Bounds::parse(c, *newest) {
                Some(b) => Some(b),
                None => continue,
            },
            None => None,
        };
        let major = match (inherited.get(*p), bounds) {
            (Some(m), Some(b)) if b.admits(*m) => *m,
            (Some(m), None) => *m,
            (_, Some(b)) => b.hi,
            (None, None) => *newest,
        };
        if major <= *newest {
            out.insert(p.to_string(), major);
        }
    }
    out
}

/// An omitted argument filled in with its provider's default.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaulted {
    /// The argument's path in the block (`min_tls_version`, `security.enable_frontend_tls10`).
    pub path: String,
    /// "defaults to `TLS1_0` in azurerm 2.x".
    pub note: String,
    pub doc: String,
    /// Where the value was put: the block header, or the key of an argument set to `null`.
    pub span: Span,
}

fn node_of(v: Value, at: Span) -> Node {
    match v {
        Value::Bool(b) => Node::new(at, NodeValue::Bool(b)),
        Value::Str(s) => Node::new(at, NodeValue::String(s.to_string())),
    }
}

fn text_of(v: Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => s.to_string(),
    }
}

/// Add the defaults of a resource's omitted arguments to its evaluated body (at `header`),
/// for the provider majors in use. A body or nested block that is not known is left alone.
pub fn apply(resource_type: &str, body: &mut Node, header: Span, majors: &HashMap<String, u32>) -> Vec<Defaulted> {
    let mut out = Vec::new();
    let provider = provider_of(resource_type);
    let Some(&major) = majors.get(provider) else {
        return out;
    };
    for e in TABLE
        .iter()
        .filter(|e| e.resource == resource_type && (e.majors.0..=e.majors.1).contains(&major))
    {
        let mut spans = Vec::new();
        match e.path.split_once('.') {
            None => spans.extend(insert(body, e.path, e.value, header)),
            Some((block, arg)) => {
                if let NodeValue::Map(entries) = &mut body.value {
                    if let Some(b) = entries.iter_mut().find(|x| x.key == block) {
                        if let NodeValue::Seq(items) = &mut b.value.value {
                            for item in items.iter_mut() {
                                spans.extend(insert(item, arg, e.value, header));
                            }
                        }
                    }
                }
            }
        }
        for span in spans {
            out.push(Defaulted {
                path: e.path.to_string(),
                note: format!("defaults to `{}` in {provider} {major}.x", text_of(e.value)),
                doc: doc_url(e, major),
                span,
            });
        }
    }
    out
}

/// Insert `key = value` into a known map that lacks it (at `at`), or has it `null`, which
/// Terraform treats as omitted (at the key); the span of the value put.
fn insert(map: &mut Node, key: &str, value: Value, at: Span) -> Option<Span> {
    let NodeValue::Map(entries) = &mut map.value else {
        return None;
    };
    match entries.iter_mut().find(|e| e.key == key) {
        Some(e) if e.value.is_null() => {
            e.value = node_of(value, e.key_span);
            Some(e.key_span)
        }
        Some(_) => None,
        None => {
            entries.push(Entry {
                key: key.to_string(),
                key_span: at,
                value: node_of(value, at),
            });
            Some(at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_pick_a_major() {
        let b = |c: &str| Bounds::parse(c, 4);
        assert_eq!(b("~> 3.0"), Some(Bounds { lo: 3, hi: 3 }));
        assert_eq!(b("~> 3.51.0"), Some(Bounds { lo: 3, hi: 3 }));
        assert_eq!(b(">= 3.11, < 4.0"), Some(Bounds { lo: 3, hi: 3 }));
        assert_eq!(b(">= 3.11, < 5.0"), Some(Bounds { lo: 3, hi: 4 }));
        assert_eq!(b(">= 2.0"), Some(Bounds { lo: 2, hi: 4 }));
        assert_eq!(b("2.99.0"), Some(Bounds { lo: 2, hi: 2 }));
        assert_eq!(b("= 2.46.1"), Some(Bounds { lo: 2, hi: 2 }));
        assert_eq!(b("<= 3.5"), Some(Bounds { lo: 0, hi: 3 }));
        assert_eq!(b(">= 5.0"), None);
        assert_eq!(b("nonsense"), None);
    }

    #[test]
    fn the_caller_s_major_wins_when_admitted() {
        let own = |c: &str| HashMap::from([("azurerm".to_string(), c.to_string())]);
        let inherited = HashMap::from([("azurerm".to_string(), 3)]);
        assert_eq!(resolve(&inherited, &own(">= 2.0")).get("azurerm"), Some(&3));
        assert_eq!(resolve(&inherited, &own("~> 2.0")).get("azurerm"), Some(&2));
        assert_eq!(resolve(&HashMap::new(), &HashMap::new()).get("azurerm"), Some(&4));
        assert_eq!(resolve(&HashMap::new(), &own(">= 9.0")).get("azurerm"), None);
    }

    #[test]
    fn omitted_arguments_take_the_default_of_the_major() {
        let body = || {
            Node::new(
                Span::new(0, 1),
                NodeValue::Map(vec![Entry {
                    key: "name".into(),
                    key_span: Span::new(0, 1),
                    value: Node::new(Span::new(0, 1), NodeValue::String("st".into())),
                }]),
            )
        };
        let header = Span::new(10, 20);
        for (major, want) in [(2, "TLS1_0"), (3, "TLS1_2"), (4, "TLS1_2")] {
            let mut b = body();
            let majors = HashMap::from([("azurerm".to_string(), major)]);
            let notes = apply("azurerm_storage_account", &mut b, header, &majors);
            let v = b.get("min_tls_version").expect("defaulted");
            assert_eq!(v.as_str(), Some(want));
            assert_eq!(v.span, header);
            let note = notes.iter().find(|n| n.path == "min_tls_version").expect("note");
            assert_eq!(note.note, format!("defaults to `{want}` in azurerm {major}.x"));
        }
        // every entry has a pinned documentation link for each of its majors
        for e in TABLE {
            for m in e.majors.0..=e.majors.1 {
                assert!(!doc_url(e, m).contains("/latest/"), "{e:?} {m}");
            }
        }
    }
}
