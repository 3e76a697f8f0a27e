use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct MtlsNotStrict;

impl Rule for MtlsNotStrict {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !super::is_istio(o, "PeerAuthentication") {
            return;
        }
        let mut modes = o.root.select("spec.mtls.mode");
        modes.extend(o.root.select("spec.portLevelMtls[*].mode"));
        for m in modes {
            if let Some(mode @ ("PERMISSIVE" | "DISABLE")) = m.as_str() {
                cx.report(m.span, format!("PeerAuthentication sets mTLS mode `{mode}`"));
            }
        }
    }
}
