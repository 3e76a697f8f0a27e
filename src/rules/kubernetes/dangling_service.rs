use crate::lang::k8s::Selector;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct DanglingService;

impl Rule for DanglingService {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
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
        if super::selects_anything(cx.project, o, &selector) {
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
