use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct IngressNoTls;

impl Rule for IngressNoTls {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !o.is("Ingress") || !matches!(o.group(), "networking.k8s.io" | "extensions") {
            return;
        }
        let tls = o.root.at("spec.tls");
        if tls.is_some_and(|t| t.is_unknown() || !t.items().is_empty()) {
            return;
        }
        cx.report(o.header, format!("{} has no `tls` section", super::object_name(o)));
    }
}
