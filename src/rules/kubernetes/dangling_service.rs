use crate::lang::k8s::Object;
use crate::lang::k8s::Selector;
use crate::rules::{target, FileContext, FileRule};

pub struct DanglingService;

impl FileRule for DanglingService {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !o.is("Service") || !o.group().is_empty() {
            return;
        }
        let Some(entry) = o.root.get("spec").and_then(|s| s.entry("selector")) else {
            return; // no selector: endpoints are managed by hand
        };
        let selector = Selector::from_map(&entry.value);
        if selector.unknown || selector.is_empty() {
            return;
        }
        if cx.project.workloads().selects_anything(o, &selector) {
            return;
        }
        let labels: Vec<String> = selector.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        cx.report(
            entry.key_span,
            format!(
                "{} selects no pods: no workload has `{}`",
                super::object_name(o),
                labels.join(",")
            ),
        );
    }
}
