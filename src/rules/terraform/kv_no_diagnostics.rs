use super::{module_of_block, referred_by, Referred};
use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};

/// TF143: a Key Vault that no `azurerm_monitor_diagnostic_setting` of its module sends
/// logs from. Native because it looks across the module's resources.
pub struct KvNoDiagnostics;

impl FileRule for KvNoDiagnostics {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        if b.kind != "resource" || b.type_name() != "azurerm_key_vault" {
            return;
        }
        let Some(m) = module_of_block(cx.project, b) else {
            return;
        };
        if m.broken {
            return;
        }
        let referred = referred_by(
            m,
            &cx.project.files,
            "azurerm_monitor_diagnostic_setting",
            "target_resource_id",
            b,
        );
        if referred == Referred::No {
            let name = b.name().unwrap_or("");
            cx.report(
                b.header,
                format!("Key Vault `{name}` has no diagnostic setting: access is not audited"),
            );
        }
    }
}
