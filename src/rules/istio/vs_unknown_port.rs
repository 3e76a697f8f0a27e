use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct VsUnknownPort;

impl FileRule for VsUnknownPort {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !super::is_istio(o, "VirtualService") {
            return;
        }
        for d in super::destinations(o) {
            let (Some(host), Some(p)) = (d.get("host").and_then(|h| h.as_str()), d.at("port.number")) else {
                continue;
            };
            let Some(n) = p.as_i64() else { continue };
            let Some((svc, ns)) = super::mesh_host(cx.project, host) else {
                continue;
            };
            let Some((_, service)) = super::find_service(cx.project, svc, ns, o) else {
                continue;
            };
            let ports: Vec<i64> = service
                .root
                .select("spec.ports[*].port")
                .iter()
                .filter_map(|p| p.as_i64())
                .collect();
            if !ports.is_empty() && !ports.contains(&n) {
                let list = ports.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                cx.report(
                    p.span,
                    format!("Service `{svc}` does not expose port `{n}` (ports: {list})"),
                );
            }
        }
    }
}
