use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct HostPort;

impl Rule for HostPort {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        for p in c.node.get("ports").map(|p| p.items()).unwrap_or_default() {
            let Some(h) = p.get("hostPort") else { continue };
            if h.as_i64().is_some_and(|n| n != 0) {
                let port = h.scalar_text().unwrap_or_default();
                cx.report(
                    h.span,
                    format!("{} binds host port `{port}`", super::container_name(&c)),
                );
            }
        }
    }
}
