use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct Nodeport;

impl Rule for Nodeport {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !o.is("Service") || !o.group().is_empty() {
            return;
        }
        if let Some(t) = o.root.at("spec.type") {
            if t.as_str() == Some("NodePort") {
                cx.report(t.span, format!("{} is of type `NodePort`", super::object_name(o)));
            }
        }
    }
}
