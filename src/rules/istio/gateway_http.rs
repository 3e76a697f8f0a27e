use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct GatewayHttp;

impl Rule for GatewayHttp {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !super::is_istio(o, "Gateway") {
            return;
        }
        for s in o.root.select("spec.servers[*]") {
            let Some(proto) = s.at("port.protocol") else { continue };
            if !proto.as_str().is_some_and(|p| p.eq_ignore_ascii_case("HTTP")) {
                continue;
            }
            if s.at("tls.httpsRedirect").and_then(|r| r.as_bool()) == Some(true) {
                continue;
            }
            let port = s.at("port.number").and_then(|n| n.scalar_text()).unwrap_or_default();
            cx.report(
                proto.span,
                format!("HTTP server on port `{port}` does not redirect to HTTPS"),
            );
        }
    }
}
