use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct GatewayPort;

impl Rule for GatewayPort {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !super::is_istio(o, "Gateway") {
            return;
        }
        let allowed = &cx.settings.config.ports.external;
        let list = allowed.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        for s in o.root.select("spec.servers[*]") {
            let Some(p) = s.at("port.number") else { continue };
            let Some(n) = p.as_i64() else { continue };
            if allowed.iter().any(|a| i64::from(*a) == n) {
                continue;
            }
            // plain HTTP is tolerated on 80 when all it does is redirect
            let redirects = s.at("tls.httpsRedirect").and_then(|r| r.as_bool()) == Some(true);
            if n == 80 && redirects {
                continue;
            }
            cx.report(p.span, format!("Gateway server exposes port `{n}`; allowed: {list}"));
        }
    }
}
