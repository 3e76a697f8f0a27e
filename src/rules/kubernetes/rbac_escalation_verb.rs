use crate::lang::k8s::rbac;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct RbacEscalationVerb;

/// The verbs that hand out permissions the subject does not hold, and what they act on.
const VERBS: &[(&str, &str)] = &[
    ("bind", "bind roles it does not hold"),
    ("escalate", "grant roles more than it holds"),
    ("impersonate", "act as other users, groups or service accounts"),
];

impl FileRule for RbacEscalationVerb {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        for rule in rbac::rules(o) {
            if rule.named_objects {
                continue;
            }
            for (verb, what) in VERBS {
                // a `*` verb grants these too; K8S030 (rbac-wildcard) reports the `*`
                let Some(rbac::Grant::Named(token)) = rule.verb(verb) else {
                    continue;
                };
                cx.report(token.span, format!("{} can `{verb}`: {what}", super::object_name(o)));
            }
        }
    }
}
