use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct GatewayTls;

impl Rule for GatewayTls {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !super::is_istio(o, "Gateway") {
            return;
        }
        for s in o.root.select("spec.servers[*]") {
            let proto = s.at("port.protocol").and_then(|p| p.as_str()).unwrap_or_default();
            if !proto.eq_ignore_ascii_case("HTTPS") {
                continue;
            }
            let port = s.at("port.number").and_then(|n| n.scalar_text()).unwrap_or_default();
            let tls = s.get("tls");
            let mode = tls
                .and_then(|t| t.get("mode"))
                .and_then(|m| m.as_str())
                .unwrap_or("SIMPLE");
            let terminates = matches!(mode, "SIMPLE" | "MUTUAL" | "OPTIONAL_MUTUAL");
            let has_cert =
                tls.is_some_and(|t| t.get("credentialName").is_some() || t.get("serverCertificate").is_some());
            if terminates && !has_cert {
                let at = s
                    .entry("tls")
                    .map(|e| e.key_span)
                    .or_else(|| s.at("port.protocol").map(|p| p.span));
                cx.report(
                    at.unwrap_or(o.header),
                    format!("HTTPS server on port `{port}` has no `credentialName`"),
                );
            }
            if let Some(v) = tls.and_then(|t| t.get("minProtocolVersion")) {
                if let Some(ver @ ("TLSV1_0" | "TLSV1_1")) = v.as_str() {
                    cx.report(
                        v.span,
                        format!("HTTPS server on port `{port}` accepts `{ver}`; require TLSV1_2"),
                    );
                }
            }
        }
    }
}
