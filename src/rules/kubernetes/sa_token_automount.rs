use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};
use crate::source::Node;

pub struct SaTokenAutomount;

impl FileRule for SaTokenAutomount {
    type Target = target::K8sPod;

    fn check(&self, (o, spec): (&Object, &Node), cx: &mut FileContext<'_>) {
        let what = super::object_name(o);
        // the pod's own setting wins over its service account's
        if let Some(v) = spec.get("automountServiceAccountToken") {
            if v.as_bool() == Some(true) {
                cx.report(v.span, format!("{what} mounts its service account token"));
            }
            return;
        }
        let named = spec
            .get("serviceAccountName")
            .or_else(|| spec.get("serviceAccount"))
            .filter(|n| !n.is_null());
        let account = match named {
            Some(n) => match n.as_str() {
                Some(s) if !s.is_empty() => s,
                _ => return,
            },
            None => "default",
        };
        let ns = o.effective_namespace.as_deref();
        let accounts: Vec<_> = cx.project.k8s_named("ServiceAccount", ns, account).collect();
        let setting = |sa: &Object| sa.root.get("automountServiceAccountToken").map(|v| v.as_bool());
        // unreadable (templated) on any of them: unknown
        if accounts.iter().any(|(_, sa)| matches!(setting(sa), Some(None))) {
            return;
        }
        if !accounts.is_empty() && accounts.iter().all(|(_, sa)| setting(sa) == Some(Some(false))) {
            return;
        }
        let d = cx.report(o.header, format!("{what} mounts its service account token"));
        if let Some((f, sa)) = accounts.first() {
            let at = sa
                .root
                .get("automountServiceAccountToken")
                .map(|v| v.span)
                .unwrap_or(sa.header);
            d.labels.push(crate::diagnostic::Label {
                file: f.source.id,
                span: at,
                message: format!("service account `{account}` does not turn the token off"),
            });
        }
    }
}
