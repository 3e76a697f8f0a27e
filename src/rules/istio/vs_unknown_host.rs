use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct VsUnknownHost;

impl FileRule for VsUnknownHost {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !super::is_istio(o, "VirtualService") {
            return;
        }
        // with no Service scanned at all, the Services live elsewhere: nothing to compare
        let mesh = cx.project.mesh();
        if !mesh.has_services() {
            return;
        }
        for d in super::destinations(o) {
            let Some(h) = d.get("host") else { continue };
            let Some(host) = h.as_str() else { continue };
            let Some((svc, ns)) = mesh.host(host) else {
                continue;
            };
            let declared =
                mesh.service(cx.project, svc, ns, o).is_some() || mesh.declares_host(host) || mesh.provides(svc, ns, o);
            if !declared {
                cx.report(h.span, format!("destination host `{host}` matches no scanned Service"));
            }
        }
    }
}
