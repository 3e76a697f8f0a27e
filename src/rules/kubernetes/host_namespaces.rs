use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct HostNamespaces;

impl Rule for HostNamespaces {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sPod]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sPod(o, spec) = subject else { return };
        for key in ["hostNetwork", "hostPID", "hostIPC"] {
            if spec.get(key).and_then(|v| v.as_bool()) == Some(true) {
                let at = super::entry_span(spec, key).unwrap_or(o.header);
                cx.report(
                    at,
                    format!("{} shares the host namespace: `{key}: true`", super::object_name(o)),
                );
            }
        }
    }
}
