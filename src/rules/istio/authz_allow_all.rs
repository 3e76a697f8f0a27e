use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct AuthzAllowAll;

impl Rule for AuthzAllowAll {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !super::is_istio(o, "AuthorizationPolicy") {
            return;
        }
        let action = o.root.at("spec.action").and_then(|a| a.as_str()).unwrap_or("ALLOW");
        if action != "ALLOW" {
            return;
        }
        for r in o.root.select("spec.rules[*]") {
            if r.is_map() && r.entries().is_empty() {
                cx.report(
                    r.span,
                    format!(
                        "AuthorizationPolicy {} allows every request",
                        o.name.as_deref().map(|n| format!("`{n}`")).unwrap_or_default()
                    ),
                );
            }
        }
    }
}
