use crate::lang::k8s::rbac;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct RbacSecretRead;

const READ: &[&str] = &["get", "list", "watch"];

impl FileRule for RbacSecretRead {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        for rule in rbac::rules(o) {
            if rule.named_objects || rule.group("").is_none() {
                continue;
            }
            let Some(resource) = rule.resource("secrets") else {
                continue;
            };
            let verbs = rule.verbs_of(READ);
            // `*` on `*` is every permission: K8S030 (rbac-wildcard) reports it once
            if verbs.is_empty() || (resource.is_wildcard() && verbs.iter().all(|(_, g)| g.is_wildcard())) {
                continue;
            }
            let list = verbs
                .iter()
                .map(|(v, _)| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ");
            cx.report(
                resource.node().span,
                format!("{} can read Secrets: {list}", super::object_name(o)),
            );
        }
    }
}
