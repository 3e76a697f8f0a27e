use super::module_of_block;
use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::port::{node_ports, render_ports, PortRange};

/// TF114: a load balancer rule (or NAT rule) whose frontend is public listens on a port outside
/// the allowed external ports. The frontend counts as public when the `azurerm_lb` it names
/// gives that frontend configuration a public IP.
pub struct LbPort;

impl FileRule for LbPort {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        if b.kind != "resource" || !matches!(b.type_name(), "azurerm_lb_rule" | "azurerm_lb_nat_rule") {
            return;
        }
        let Some(port) = b.body.get("frontend_port") else {
            return;
        };
        let text = cx.source().text.clone();
        let Some(lb_ref) = b.body.get("loadbalancer_id").map(|n| n.span.slice(&text).to_string()) else {
            return;
        };
        let Some(lb_name) = lb_ref
            .strip_prefix("azurerm_lb.")
            .and_then(|r| r.split(['.', '[']).next())
            .map(str::to_string)
        else {
            return;
        };
        let Some(frontend) = b.body.get("frontend_ip_configuration_name").and_then(|n| n.as_str()) else {
            return;
        };
        let Some(m) = module_of_block(cx.project, b) else {
            return;
        };
        let Some(lb) = m
            .resources("azurerm_lb")
            .find(|x| x.kind == "resource" && x.name() == Some(lb_name.as_str()))
        else {
            return;
        };
        let public = lb
            .body
            .get("frontend_ip_configuration")
            .map(|n| n.items())
            .unwrap_or(&[])
            .iter()
            .any(|f| {
                f.get("name").and_then(|n| n.as_str()) == Some(frontend)
                    && (f.get("public_ip_address_id").is_some() || f.get("public_ip_prefix_id").is_some())
            });
        if !public {
            return;
        }
        let allowed: Vec<PortRange> = cx
            .settings
            .config
            .ports
            .external
            .iter()
            .map(|p| PortRange::single(*p as u32))
            .collect();
        let Some(ports) = node_ports(port) else { return };
        for (r, at) in ports {
            if !r.within(&allowed) {
                cx.report(
                    at.span,
                    format!(
                        "public frontend port `{}`; allowed: {}",
                        r.render(),
                        render_ports(&allowed)
                    ),
                );
            }
        }
    }
}
