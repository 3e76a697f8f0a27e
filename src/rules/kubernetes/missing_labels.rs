use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct MissingLabels;

impl FileRule for MissingLabels {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if o.pod_template().is_none() {
            return;
        }
        let labels = o.pod_labels();
        let has = |keys: &[&str]| labels.iter().any(|(k, _)| keys.contains(&k.as_str()));
        let mut missing = Vec::new();
        if !has(&["app", "app.kubernetes.io/name"]) {
            missing.push("`app`");
        }
        if !has(&["version", "app.kubernetes.io/version"]) {
            missing.push("`version`");
        }
        if !missing.is_empty() {
            cx.report(
                o.header,
                format!(
                    "pods of {} lack the {} label",
                    super::object_name(o),
                    missing.join(" and ")
                ),
            );
        }
    }
}
