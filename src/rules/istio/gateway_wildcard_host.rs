use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct GatewayWildcardHost;

impl Rule for GatewayWildcardHost {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !super::is_istio(o, "Gateway") {
            return;
        }
        for h in o.root.select("spec.servers[*].hosts[*]") {
            let Some(host) = h.as_str() else { continue };
            if host == "*" || host.ends_with("/*") {
                cx.report(
                    h.span,
                    format!(
                        "{} accepts any host (`{host}`)",
                        crate::rules::kubernetes::object_name(o)
                    ),
                );
            }
        }
    }
}
