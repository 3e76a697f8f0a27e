use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct SidecarDisabled;

const INJECT: &str = "sidecar.istio.io/inject";

impl FileRule for SidecarDisabled {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        let Some(template) = o.pod_template() else { return };
        let meta = template.get("metadata");
        let opt_out = ["annotations", "labels"]
            .iter()
            .filter_map(|k| meta.and_then(|m| m.get(k)).and_then(|m| m.get(INJECT)))
            .find(|v| v.scalar_text().is_some_and(|s| s == "false"));
        let Some(v) = opt_out else { return };
        let Some(ns) = o.effective_namespace.as_deref() else {
            return;
        };
        let project = cx.project;
        let injected = project
            .k8s
            .refs_named("Namespace", ns)
            .iter()
            .filter_map(|r| project.k8s_object(*r))
            .any(|(_, n)| n.label("istio-injection") == Some("enabled") || n.label("istio.io/rev").is_some());
        if injected {
            cx.report(
                v.span,
                format!(
                    "{} opts out of sidecar injection in injected namespace `{ns}`",
                    crate::rules::kubernetes::object_name(o)
                ),
            );
        }
    }
}
