use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct HostPath;

impl Rule for HostPath {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sPod]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sPod(_, spec) = subject else { return };
        for v in spec.get("volumes").map(|v| v.items()).unwrap_or_default() {
            let Some(e) = v.entry("hostPath") else { continue };
            let path = e.value.get("path").and_then(|p| p.scalar_text()).unwrap_or_default();
            let vol = v.get("name").and_then(|n| n.scalar_text()).unwrap_or_default();
            cx.report(e.key_span, format!("volume `{vol}` mounts host path `{path}`"));
        }
    }
}
