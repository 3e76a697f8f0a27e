use crate::lang::k8s::Object;
use crate::lang::k8s::{ContainerKind, Selector};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::port::{container_ports, service_ports, PortRef};

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
        let project = cx.project;
        for (_, w) in project
            .workloads()
            .selected(o, &selector)
            .filter_map(|w| project.workload_object(w))
        {
            pods += 1;
            for c in w.containers().iter().filter(|c| c.kind == ContainerKind::Container) {
                for p in container_ports(c) {
                    numbers.extend(p.number);
                    names.extend(p.name.map(str::to_string));
                }
            }
        }
        numbers.sort_unstable();
        numbers.dedup();
        // containerPort is informational: pods that declare none cannot be compared
        if pods == 0 || (numbers.is_empty() && names.is_empty()) {
            return;
        }
        for p in service_ports(o) {
            let target = p.target_node;
            match p.target {
                Some(PortRef::Number(n)) if !numbers.contains(&n) => {
                    let list = numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
                    cx.report(
                        target.span,
                        format!("target port `{n}` matches no containerPort of the selected pods ({list})"),
                    );
                }
                Some(PortRef::Name(name)) if !names.iter().any(|n| n == name) => {
                    cx.report(
                        target.span,
                        format!("target port `{name}` matches no named containerPort of the selected pods"),
                    );
                }
                _ => {}
            }
        }
    }
}
