use crate::lang::k8s::Object;
use crate::lang::k8s::Selector;
use crate::project::k8s::same_namespace;
use crate::rules::{target, FileContext, FileRule};

pub struct NoPdb;

impl FileRule for NoPdb {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if !(o.is("Deployment") || o.is("StatefulSet")) || !o.is_pod_bearing() {
            return;
        }
        let labels = o.pod_labels();
        let covered = cx.project.k8s_of_kind("PodDisruptionBudget").any(|(_, pdb)| {
            let Some(sel) = pdb.root.at("spec.selector") else {
                return false;
            };
            let s = Selector::from_label_selector(sel).for_templates();
            same_namespace(o, pdb) && (s.unknown || s.matches(&labels))
        });
        if !covered {
            cx.report(
                o.header,
                format!("prod {} has no PodDisruptionBudget", super::object_name(o)),
            );
        }
    }
}
