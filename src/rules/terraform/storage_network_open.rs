//! TF127: a storage account that accepts requests from every network: network rules that
//! default to `Allow`, or no network rules at all (the provider's default is to allow all) and
//! public network access left on, with no `azurerm_storage_account_network_rules` resource in
//! the module for it.

use super::module_of_block;
use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};
use crate::source::{Node, NodeValue};

pub struct StorageNetworkOpen;

/// Report `default_action = "Allow"` of inline or separate network rules.
fn check_default_action(cx: &mut FileContext<'_>, rules: &Node) {
    let Some(action) = rules.get("default_action") else {
        return;
    };
    if action.as_str().is_some_and(|a| a.eq_ignore_ascii_case("allow")) {
        cx.report(action.span, "storage network rules default to `Allow`");
    }
}

/// Whether a separate `azurerm_storage_account_network_rules` of the module may be this
/// account's (one naming it, or one whose account cannot be told).
fn has_separate_rules(cx: &FileContext<'_>, b: &TfBlock, name: &str) -> Option<bool> {
    let m = module_of_block(cx.project, b)?;
    if m.broken {
        return None;
    }
    let rules = &m.storage_network_rules;
    Some(rules.any || rules.names.contains(name))
}

impl FileRule for StorageNetworkOpen {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        if b.kind != "resource" {
            return;
        }
        match b.type_name() {
            "azurerm_storage_account_network_rules" => check_default_action(cx, &b.body),
            "azurerm_storage_account" => {
                if let Some(rules) = b.body.get("network_rules") {
                    // a `dynamic` block is unknown; nested blocks are lists
                    for r in rules.items() {
                        check_default_action(cx, r);
                    }
                    return;
                }
                match b.body.get("public_network_access_enabled").map(|n| &n.value) {
                    None | Some(NodeValue::Bool(true)) => {}
                    // disabled, or not known
                    Some(_) => return,
                }
                let Some(name) = b.name() else { return };
                if has_separate_rules(cx, b, name) != Some(false) {
                    return;
                }
                cx.report(
                    b.header,
                    format!("storage account `{name}` has no network rules: every network is allowed"),
                );
            }
            _ => {}
        }
    }
}
