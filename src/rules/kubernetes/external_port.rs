use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct ExternalPort;

impl FileRule for ExternalPort {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        let allowed = &cx.settings.config.ports.external;
        let list = allowed.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        let (ports, what) = if o.is("Service") && o.group().is_empty() {
            let ty = o.root.at("spec.type").and_then(|t| t.as_str()).unwrap_or("ClusterIP");
            if ty != "LoadBalancer" && ty != "NodePort" {
                return;
            }
            // a private address in the VNet/VPC: not outside
            if ty == "LoadBalancer" && o.internal_load_balancer() {
                return;
            }
            (o.root.select("spec.ports[*].port"), format!("{ty} Service"))
        } else if o.is("Gateway") && o.group() == "gateway.networking.k8s.io" {
            (o.root.select("spec.listeners[*].port"), "Gateway".to_string())
        } else {
            return;
        };
        for p in ports {
            let Some(n) = p.as_i64() else { continue };
            if !allowed.iter().any(|a| i64::from(*a) == n) {
                cx.report(p.span, format!("{what} exposes port `{n}`; allowed: {list}"));
            }
        }
    }
}
