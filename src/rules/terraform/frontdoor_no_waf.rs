use super::{module_of_block, referred_by, Referred};
use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};

/// TF140: a Front Door without a WAF policy: a classic `azurerm_frontdoor` frontend endpoint
/// without `web_application_firewall_policy_link_id`, or a Standard/Premium profile that no
/// `azurerm_cdn_frontdoor_security_policy` of its module protects. Native because the
/// profile's policy is a separate resource.
pub struct FrontdoorNoWaf;

impl FileRule for FrontdoorNoWaf {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        if b.kind != "resource" {
            return;
        }
        let name = b.name().unwrap_or("");
        match b.type_name() {
            "azurerm_frontdoor" => {
                let Some(endpoints) = b.body.get("frontend_endpoint") else {
                    return;
                };
                if endpoints.is_unknown() {
                    return;
                }
                for e in endpoints.items() {
                    if e.is_unknown() {
                        continue;
                    }
                    if e.get("web_application_firewall_policy_link_id")
                        .is_none_or(|p| p.is_null())
                    {
                        let endpoint = e.get("name").and_then(|n| n.scalar_text()).unwrap_or_default();
                        cx.report(e.span, format!("Front Door endpoint `{endpoint}` has no WAF policy"));
                    }
                }
            }
            "azurerm_cdn_frontdoor_profile" => {
                let Some(m) = module_of_block(cx.project, b) else {
                    return;
                };
                if m.broken {
                    return;
                }
                let referred = referred_by(
                    m,
                    &cx.project.files,
                    "azurerm_cdn_frontdoor_security_policy",
                    "cdn_frontdoor_profile_id",
                    b,
                );
                if referred == Referred::No {
                    cx.report(
                        b.header,
                        format!("Front Door profile `{name}` has no security policy (WAF)"),
                    );
                }
            }
            _ => {}
        }
    }
}
