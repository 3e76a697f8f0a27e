use super::module_of_block;
use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};

const VM_TYPES: &[&str] = &[
    "azurerm_linux_virtual_machine",
    "azurerm_windows_virtual_machine",
    "azurerm_virtual_machine",
];

/// TF142: a network interface with a public IP that a virtual machine of the module uses.
/// Native because the NIC and the VM are separate resources.
pub struct VmPublicIp;

impl FileRule for VmPublicIp {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        if b.kind != "resource" || b.type_name() != "azurerm_network_interface" {
            return;
        }
        let public: Vec<_> = b
            .body
            .get("ip_configuration")
            .map(|c| c.items())
            .unwrap_or(&[])
            .iter()
            .filter_map(|c| c.get("public_ip_address_id"))
            .filter(|id| !id.is_null())
            .collect();
        if public.is_empty() {
            return;
        }
        let Some(m) = module_of_block(cx.project, b) else {
            return;
        };
        let Some(name) = b.name() else { return };
        let own = format!("azurerm_network_interface.{name}");
        let files = &cx.project.files;
        let vm = m.blocks().find(|vm| {
            vm.kind == "resource"
                && vm.enabled
                && VM_TYPES.contains(&vm.type_name())
                && vm
                    .body
                    .get("network_interface_ids")
                    .zip(files.get(vm.file.0 as usize))
                    .is_some_and(|(ids, f)| {
                        let t = ids.span.slice(&f.source.text);
                        t.match_indices(&own)
                            .any(|(i, _)| matches!(t[i + own.len()..].chars().next(), Some('.' | '[')))
                    })
        });
        let Some(vm) = vm else { return };
        let vm_name = vm.name().unwrap_or("");
        for id in public {
            cx.report(
                id.span,
                format!("NIC `{name}` gives VM `{vm_name}` a public IP address"),
            );
        }
    }
}
