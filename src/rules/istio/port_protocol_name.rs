use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct PortProtocolName;

const PROTOCOLS: &[&str] = &[
    "http", "http2", "https", "grpc", "grpc-web", "h2c", "mongo", "mysql", "redis", "tcp", "tls", "udp",
];

fn has_prefix(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    PROTOCOLS
        .iter()
        .any(|p| lower == *p || lower.strip_prefix(p).is_some_and(|rest| rest.starts_with('-')))
}

impl Rule for PortProtocolName {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !o.is("Service") || !o.group().is_empty() {
            return;
        }
        if o.root.at("spec.type").and_then(|t| t.as_str()) == Some("ExternalName") {
            return;
        }
        for p in o.root.select("spec.ports[*]") {
            if p.get("appProtocol").is_some() {
                continue;
            }
            match p.get("name") {
                Some(n) => {
                    let name = n.scalar_text().unwrap_or_default();
                    if !has_prefix(&name) {
                        cx.report(n.span, format!("port name `{name}` has no protocol prefix"));
                    }
                }
                None => {
                    let port = p.get("port").and_then(|x| x.scalar_text()).unwrap_or_default();
                    let at = p
                        .entry("port")
                        .map(|e| e.key_span.cover(e.value.span))
                        .unwrap_or(p.span);
                    cx.report(at, format!("port `{port}` has no name and no `appProtocol`"));
                }
            }
        }
    }
}
