use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct RbacWildcard;

impl Rule for RbacWildcard {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !(o.is("Role") || o.is("ClusterRole")) || o.group() != "rbac.authorization.k8s.io" {
            return;
        }
        for rule in o.root.get("rules").map(|r| r.items()).unwrap_or_default() {
            for field in ["verbs", "resources"] {
                for v in rule.get(field).map(|v| v.items()).unwrap_or_default() {
                    if v.as_str() == Some("*") {
                        cx.report(v.span, format!("{} grants `*` {field}", super::object_name(o)));
                    }
                }
            }
        }
    }
}
