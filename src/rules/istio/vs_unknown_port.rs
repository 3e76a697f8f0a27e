use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::port::{number, service_ports};

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
            let Some(n) = number(p) else { continue };
            let mesh = cx.project.mesh();
            let Some((svc, ns)) = mesh.host(host) else {
                continue;
            };
            let Some((_, service)) = mesh.service(cx.project, svc, ns, o) else {
                continue;
            };
            let ports: Vec<u32> = service_ports(service).iter().filter_map(|p| p.port).collect();
            if !ports.is_empty() && !ports.contains(&n) {
                let list = ports.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
                cx.report(
                    p.span,
                    format!("Service `{svc}` does not expose port `{n}` (ports: {list})"),
                );
            }
        }
    }
}
