use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct Privileged;

impl Rule for Privileged {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        if let Some(v) = super::container_security(&c, "privileged") {
            if v.as_bool() == Some(true) {
                cx.report(v.span, format!("{} runs privileged", super::container_name(&c)));
            }
        }
    }
}
