use super::module_of_block;
use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};
use crate::source::{Node, NodeValue};

/// Subnets Azure does not allow (or need) an NSG on.
const EXEMPT: &[&str] = &[
    "GatewaySubnet",
    "AzureFirewallSubnet",
    "AzureFirewallManagementSubnet",
    "RouteServerSubnet",
];

fn source_text<'a>(n: &Node, text: &'a str) -> &'a str {
    n.span.slice(text)
}

/// TF113: a subnet with no network security group association in its module (standalone
/// `azurerm_subnet` without an `azurerm_subnet_network_security_group_association`, or an
/// inline `subnet` block of a virtual network without `security_group`).
pub struct SubnetNoNsg;

impl FileRule for SubnetNoNsg {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        if b.kind != "resource" {
            return;
        }
        let exempt = |n: Option<&Node>| n.and_then(|n| n.as_str()).is_some_and(|s| EXEMPT.contains(&s));
        match b.type_name() {
            "azurerm_virtual_network" => {
                for s in b.body.get("subnet").map(|n| n.items()).unwrap_or(&[]) {
                    // `security_group = ""` (or `null`) is no NSG: Terraform sends none
                    let none = match s.get("security_group").map(|n| &n.value) {
                        None | Some(NodeValue::Null) => true,
                        Some(NodeValue::String(id)) => id.trim().is_empty(),
                        Some(_) => false,
                    };
                    if none && !exempt(s.get("name")) {
                        let name = s.get("name").and_then(|n| n.scalar_text()).unwrap_or_default();
                        cx.report(s.span, format!("inline subnet `{name}` has no `security_group`"));
                    }
                }
            }
            "azurerm_subnet" => {
                if exempt(b.body.get("name")) {
                    return;
                }
                let Some(m) = module_of_block(cx.project, b) else {
                    return;
                };
                if m.broken {
                    return;
                }
                let Some(name) = b.name() else { return };
                let own = format!("azurerm_subnet.{name}.");
                let own_indexed = format!("azurerm_subnet.{name}[");
                let files = &cx.project.files;
                let mut associated = false;
                for a in m
                    .resources("azurerm_subnet_network_security_group_association")
                    .filter(|a| a.kind == "resource")
                {
                    let Some(text) = files.get(a.file.0 as usize).map(|f| &*f.source.text) else {
                        continue;
                    };
                    let Some(id) = a.body.get("subnet_id") else { continue };
                    let t = source_text(id, text);
                    if t.contains(&own) || t.contains(&own_indexed) {
                        associated = true;
                        break;
                    }
                    // an association keyed by something we cannot resolve may be this subnet's
                    if !t.contains("azurerm_subnet.") {
                        return;
                    }
                }
                if !associated {
                    cx.report(
                        b.header,
                        format!("subnet `{name}` has no network security group association"),
                    );
                }
            }
            _ => {}
        }
    }
}
