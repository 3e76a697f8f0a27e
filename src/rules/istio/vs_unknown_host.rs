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
        if cx.project.k8s_of_kind("Service").next().is_none() {
            return;
        }
        for d in super::destinations(o) {
            let Some(h) = d.get("host") else { continue };
            let Some(host) = h.as_str() else { continue };
            let Some((svc, ns)) = super::mesh_host(cx.project, host) else {
                continue;
            };
            let declared = super::find_service(cx.project, svc, ns, o).is_some()
                || cx
                    .project
                    .k8s_of_kind("ServiceEntry")
                    .any(|(_, se)| se.root.select("spec.hosts[*]").iter().any(|x| x.as_str() == Some(host)));
            if !declared {
                cx.report(h.span, format!("destination host `{host}` matches no scanned Service"));
            }
        }
    }
}
