use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct DrTlsDisabled;

impl FileRule for DrTlsDisabled {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !super::is_istio(o, "DestinationRule") {
            return;
        }
        let Some(host) = o.root.at("spec.host").and_then(|h| h.as_str()) else {
            return;
        };
        let in_mesh =
            cx.project.mesh().host(host).is_some() || host.ends_with(".svc.cluster.local") || host.ends_with(".svc");
        if !in_mesh {
            return; // plain TLS to an external host is the caller's business
        }
        let mut modes = Vec::new();
        for policy in ["spec.trafficPolicy", "spec.subsets[*].trafficPolicy"] {
            for p in o.root.select(policy) {
                modes.extend(p.select("tls.mode"));
                modes.extend(p.select("portLevelSettings[*].tls.mode"));
            }
        }
        for m in modes {
            if m.as_str() == Some("DISABLE") {
                cx.report(m.span, format!("DestinationRule disables TLS to in-mesh host `{host}`"));
            }
        }
    }
}
