//! `azapi_resource` bodies read as the azurerm resource of the same Azure type, so a cluster,
//! storage account, key vault or registry written against the ARM API gets the checks of its
//! azurerm counterpart.
//!
//! [`translate`] maps the ARM properties the rules test to the azurerm argument names (as
//! data, [`MAPS`]); the values keep the spans of the body's values, so a finding points at
//! `enableRBAC = false` in the body. Provider defaults do not apply: the ARM API's own
//! defaults are what each rule states for an absent value.

use crate::source::node::Entry;
use crate::source::{Node, NodeValue, Span};

/// How an ARM value becomes the azurerm value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Conv {
    /// As it is.
    Copy,
    /// `"Enabled"` / `"Disabled"` → `true` / `false`.
    Enabled,
    /// An object → a nested block of one instance (`aadProfile` → the AAD block).
    Block,
    /// An add-on profile → a nested block when its `enabled` is `true`, else nothing.
    Addon,
}

/// One ARM property read as an azurerm argument: `(azurerm path, ARM path, conversion)`.
/// A dotted azurerm path is an argument of a nested block of one instance.
type Map = (&'static str, &'static str, Conv);

/// By ARM resource type (without the API version): the azurerm type and the mapping.
const MAPS: &[(&str, &str, &[Map])] = &[
    (
        "Microsoft.ContainerService/managedClusters",
        "azurerm_kubernetes_cluster",
        &[
            ("sku_tier", "sku.tier", Conv::Copy),
            ("role_based_access_control_enabled", "properties.enableRBAC", Conv::Copy),
            (
                "azure_active_directory_role_based_access_control",
                "properties.aadProfile",
                Conv::Block,
            ),
            ("local_account_disabled", "properties.disableLocalAccounts", Conv::Copy),
            (
                "private_cluster_enabled",
                "properties.apiServerAccessProfile.enablePrivateCluster",
                Conv::Copy,
            ),
            (
                "api_server_access_profile.authorized_ip_ranges",
                "properties.apiServerAccessProfile.authorizedIPRanges",
                Conv::Copy,
            ),
            (
                "network_profile.network_plugin",
                "properties.networkProfile.networkPlugin",
                Conv::Copy,
            ),
            (
                "network_profile.network_policy",
                "properties.networkProfile.networkPolicy",
                Conv::Copy,
            ),
            (
                "network_profile.network_data_plane",
                "properties.networkProfile.networkDataplane",
                Conv::Copy,
            ),
            ("oms_agent", "properties.addonProfiles.omsagent", Conv::Addon),
            (
                "azure_policy_enabled",
                "properties.addonProfiles.azurepolicy.enabled",
                Conv::Copy,
            ),
        ],
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "azurerm_storage_account",
        &[
            ("min_tls_version", "properties.minimumTlsVersion", Conv::Copy),
            (
                "allow_nested_items_to_be_public",
                "properties.allowBlobPublicAccess",
                Conv::Copy,
            ),
            (
                "https_traffic_only_enabled",
                "properties.supportsHttpsTrafficOnly",
                Conv::Copy,
            ),
            (
                "public_network_access_enabled",
                "properties.publicNetworkAccess",
                Conv::Enabled,
            ),
            (
                "network_rules.default_action",
                "properties.networkAcls.defaultAction",
                Conv::Copy,
            ),
        ],
    ),
    (
        "Microsoft.KeyVault/vaults",
        "azurerm_key_vault",
        &[
            (
                "purge_protection_enabled",
                "properties.enablePurgeProtection",
                Conv::Copy,
            ),
            (
                "enable_rbac_authorization",
                "properties.enableRbacAuthorization",
                Conv::Copy,
            ),
            (
                "public_network_access_enabled",
                "properties.publicNetworkAccess",
                Conv::Enabled,
            ),
            (
                "network_acls.default_action",
                "properties.networkAcls.defaultAction",
                Conv::Copy,
            ),
        ],
    ),
    (
        "Microsoft.ContainerRegistry/registries",
        "azurerm_container_registry",
        &[
            ("admin_enabled", "properties.adminUserEnabled", Conv::Copy),
            (
                "public_network_access_enabled",
                "properties.publicNetworkAccess",
                Conv::Enabled,
            ),
            ("anonymous_pull_enabled", "properties.anonymousPullEnabled", Conv::Copy),
        ],
    ),
];

/// A key of a map, ignoring case (ARM property names are case-insensitive).
fn get<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.entries()
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case(key))
        .map(|e| &e.value)
}

/// The node at a dotted ARM path; `Err` when the way there is unknown.
fn at<'a>(n: &'a Node, path: &str) -> Result<Option<&'a Node>, ()> {
    let mut cur = n;
    for k in path.split('.') {
        if cur.is_unknown() {
            return Err(());
        }
        match get(cur, k) {
            Some(v) => cur = v,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

fn block(value: Node) -> Node {
    let span = value.span;
    Node::new(span, NodeValue::Seq(vec![value]))
}

fn convert(v: &Node, conv: Conv) -> Option<Node> {
    if v.is_unknown() {
        return Some(v.clone());
    }
    match conv {
        Conv::Copy => Some(v.clone()),
        Conv::Enabled => match v.as_str() {
            Some(s) if s.eq_ignore_ascii_case("enabled") => Some(Node::new(v.span, NodeValue::Bool(true))),
            Some(s) if s.eq_ignore_ascii_case("disabled") => Some(Node::new(v.span, NodeValue::Bool(false))),
            _ => Some(Node::new(
                v.span,
                NodeValue::Unknown(v.scalar_text().unwrap_or_default()),
            )),
        },
        Conv::Block => Some(block(v.clone())),
        Conv::Addon => match get(v, "enabled").map(|e| &e.value) {
            Some(NodeValue::Bool(true)) => Some(block(v.clone())),
            Some(NodeValue::Bool(false)) | None => None,
            Some(_) => Some(Node::new(v.span, NodeValue::Unknown("enabled".into()))),
        },
    }
}

fn put(entries: &mut Vec<Entry>, path: &str, value: Node, at: Span) {
    match path.split_once('.') {
        None => {
            if !entries.iter().any(|e| e.key == path) {
                entries.push(Entry {
                    key: path.to_string(),
                    key_span: value.span,
                    value,
                });
            }
        }
        Some((blk, rest)) => {
            let i = match entries.iter().position(|e| e.key == blk) {
                Some(i) => i,
                None => {
                    entries.push(Entry {
                        key: blk.to_string(),
                        key_span: at,
                        value: block(Node::new(at, NodeValue::Map(Vec::new()))),
                    });
                    entries.len() - 1
                }
            };
            if let Some(NodeValue::Seq(items)) = entries.get_mut(i).map(|e| &mut e.value.value) {
                if let Some(NodeValue::Map(inner)) = items.first_mut().map(|n| &mut n.value) {
                    put(inner, rest, value, at);
                }
            }
        }
    }
}

/// The azurerm type an `azapi_resource`'s evaluated `body` (an object, or the text
/// `jsonencode` made of one) is checked as, with the azurerm arguments read from it. `None`
/// for a type no rule covers or a body that is not known.
pub fn translate(arm_type: &str, body: &Node) -> Option<(&'static str, Vec<Entry>)> {
    let t = arm_type.split('@').next().unwrap_or("");
    let (_, az, maps) = MAPS.iter().find(|(arm, _, _)| arm.eq_ignore_ascii_case(t))?;
    let parsed;
    let body = match &body.value {
        NodeValue::Map(_) => body,
        NodeValue::String(s) => {
            parsed = super::eval::respan(super::json::parse(s).ok()?, body.span);
            &parsed
        }
        _ => return None,
    };
    let mut out = Vec::new();
    for (az_path, arm_path, conv) in maps.iter() {
        let value = match at(body, arm_path) {
            Ok(Some(v)) => convert(v, *conv),
            Ok(None) => None,
            // part of the way is unknown: so is the argument
            Err(()) => Some(Node::new(body.span, NodeValue::Unknown(arm_path.to_string()))),
        };
        if let Some(v) = value {
            put(&mut out, az_path, v, body.span);
        }
    }
    Some((az, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::terraform::{eval::Scope, parse};

    fn body_of(hcl: &str) -> Node {
        let (f, errors) = parse(hcl);
        assert!(errors.is_empty(), "{errors:?}");
        let b = f.body.expect("body");
        let r = b.blocks().next().expect("block");
        let n = Scope::default().body(&r.body, Span::default(), hcl, 0);
        n.get("body").cloned().expect("body attribute")
    }

    #[test]
    fn a_managed_cluster_reads_as_an_aks_cluster() {
        let hcl = r#"resource "azapi_resource" "aks" {
  type = "Microsoft.ContainerService/managedClusters@2024-02-01"
  body = {
    sku = { name = "Base", tier = "Free" }
    properties = {
      enableRBAC           = false
      disableLocalAccounts = true
      addonProfiles = {
        omsagent    = { enabled = false }
        azurepolicy = { enabled = true }
      }
      networkProfile = { networkPlugin = "azure", networkPolicy = "calico" }
    }
  }
}
"#;
        let body = body_of(hcl);
        let (az, entries) = translate("Microsoft.ContainerService/managedClusters@2024-02-01", &body).expect("mapped");
        assert_eq!(az, "azurerm_kubernetes_cluster");
        let n = Node::new(Span::default(), NodeValue::Map(entries));
        assert_eq!(n.get("sku_tier").and_then(|v| v.as_str()), Some("Free"));
        let rbac = n.get("role_based_access_control_enabled").expect("rbac");
        assert_eq!(rbac.as_bool(), Some(false));
        assert_eq!(rbac.span.slice(hcl), "false");
        assert!(n.get("oms_agent").is_none(), "a disabled add-on is no oms_agent");
        assert_eq!(n.get("azure_policy_enabled").and_then(|v| v.as_bool()), Some(true));
        assert_eq!(
            n.at("network_profile[0].network_policy").and_then(|v| v.as_str()),
            Some("calico")
        );
    }

    #[test]
    fn a_jsonencoded_body_and_unknown_parts() {
        let body = Node::new(
            Span::new(3, 9),
            NodeValue::String(
                r#"{"properties":{"minimumTlsVersion":"TLS1_0","publicNetworkAccess":"Disabled"}}"#.into(),
            ),
        );
        let (az, entries) = translate("microsoft.storage/storageaccounts@2023-01-01", &body).expect("mapped");
        assert_eq!(az, "azurerm_storage_account");
        let n = Node::new(Span::default(), NodeValue::Map(entries));
        assert_eq!(n.get("min_tls_version").and_then(|v| v.as_str()), Some("TLS1_0"));
        assert_eq!(
            n.get("public_network_access_enabled").and_then(|v| v.as_bool()),
            Some(false)
        );
        let unknown = Node::new(
            Span::default(),
            NodeValue::Map(vec![Entry {
                key: "properties".into(),
                key_span: Span::default(),
                value: Node::new(Span::default(), NodeValue::Unknown("local.props".into())),
            }]),
        );
        let (_, entries) = translate("Microsoft.KeyVault/vaults@2023-07-01", &unknown).expect("mapped");
        let n = Node::new(Span::default(), NodeValue::Map(entries));
        assert!(n.get("purge_protection_enabled").is_some_and(|v| v.is_unknown()));
        assert!(n.at("network_acls[0].default_action").is_some_and(|v| v.is_unknown()));
        assert!(translate("Microsoft.Web/sites@2023-01-01", &unknown).is_none());
    }
}
