use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct MissingLabels;

impl Rule for MissingLabels {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
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
