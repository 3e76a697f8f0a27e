use crate::lang::k8s::Object;
use crate::lang::k8s::{ContainerKind, Selector};
use crate::project::k8s::same_namespace;
use crate::rules::{target, FileContext, FileRule};

pub struct ServicePortMismatch;

impl FileRule for ServicePortMismatch {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !o.is("Service") || !o.group().is_empty() {
            return;
        }
        let Some(sel) = o.root.at("spec.selector") else { return };
        let selector = Selector::from_map(sel).for_templates();
        if selector.unknown || selector.is_empty() {
            return;
        }
        let mut numbers = Vec::new();
        let mut names = Vec::new();
        let mut pods = 0;
        for (_, w) in cx.project.k8s_objects() {
            if !w.is_pod_bearing() || !same_namespace(o, w) || !selector.matches(&w.pod_labels()) {
                continue;
            }
            pods += 1;
            for c in w.containers().iter().filter(|c| c.kind == ContainerKind::Container) {
                for p in c.node.get("ports").map(|p| p.items()).unwrap_or_default() {
                    numbers.extend(p.get("containerPort").and_then(|n| n.as_i64()));
                    names.extend(p.get("name").and_then(|n| n.as_str()).map(str::to_string));
                }
            }
        }
        numbers.sort_unstable();
        numbers.dedup();
        // containerPort is informational: pods that declare none cannot be compared
        if pods == 0 || (numbers.is_empty() && names.is_empty()) {
            return;
        }
        for p in o.root.select("spec.ports[*]") {
            let Some(target) = p.get("targetPort").or_else(|| p.get("port")) else {
                continue;
            };
            if let Some(n) = target.as_i64() {
                if !numbers.contains(&n) {
                    let list = numbers.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
                    cx.report(
                        target.span,
                        format!("target port `{n}` matches no containerPort of the selected pods ({list})"),
                    );
                }
            } else if let Some(name) = target.as_str() {
                if !names.iter().any(|n| n == name) {
                    cx.report(
                        target.span,
                        format!("target port `{name}` matches no named containerPort of the selected pods"),
                    );
                }
            }
        }
    }
}
