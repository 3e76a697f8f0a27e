use crate::lang::k8s::ContainerKind;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct PrivilegeEscalation;

impl Rule for PrivilegeEscalation {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        match super::container_security(&c, "allowPrivilegeEscalation") {
            Some(v) if v.as_bool() == Some(false) || v.is_unknown() => {}
            Some(v) => {
                cx.report(
                    v.span,
                    format!("{} allows privilege escalation", super::container_name(&c)),
                );
            }
            None => {
                cx.report(
                    c.header,
                    format!(
                        "{} does not set `allowPrivilegeEscalation: false`",
                        super::container_name(&c)
                    ),
                );
            }
        }
    }
}
