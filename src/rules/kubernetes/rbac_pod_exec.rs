use crate::lang::k8s::rbac;
use crate::lang::k8s::Object;
use crate::rules::{target, FileContext, FileRule};

pub struct RbacPodExec;

/// Subresources that open a shell, a stream or a tunnel into a pod or a node.
const SUBRESOURCES: &[(&str, &str)] = &[
    ("pods/exec", "run commands in any pod it can see"),
    ("pods/attach", "attach to the processes of pods"),
    ("pods/portforward", "tunnel into pods past network policies"),
    ("nodes/proxy", "call the kubelet API of nodes"),
];

impl FileRule for RbacPodExec {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        for rule in rbac::rules(o) {
            if rule.named_objects || rule.group("").is_none() {
                continue;
            }
            // streams open with `create` (POST) or, over websockets, `get`
            let verbs = rule.verbs_of(&["create", "get"]);
            if verbs.is_empty() {
                continue;
            }
            for (sub, what) in SUBRESOURCES {
                // `*` resources grant these too; K8S030 (rbac-wildcard) reports the `*`
                let Some(rbac::Grant::Named(token)) = rule.resource(sub) else {
                    continue;
                };
                cx.report(
                    token.span,
                    format!("{} can open `{sub}`: {what}", super::object_name(o)),
                );
            }
        }
    }
}
