use crate::project::k8s::{object_is_prod, same_namespace};
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct NoNetworkPolicy;

impl Rule for NoNetworkPolicy {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Project]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Project(project) = subject else { return };
        for (ns, workloads) in super::workloads_by_namespace(project) {
            let Some((file, first)) = workloads
                .iter()
                .find(|(f, o)| object_is_prod(cx.settings, f, o))
                .copied()
            else {
                continue;
            };
            let covered = project
                .k8s_of_kind("NetworkPolicy")
                .any(|(_, np)| same_namespace(first, np));
            if covered {
                continue;
            }
            let ns = if ns.is_empty() {
                "(unnamed)".to_string()
            } else {
                format!("`{ns}`")
            };
            cx.report_in(
                file.source.id,
                first.header,
                format!("prod namespace {ns} runs workloads and has no NetworkPolicy"),
            );
        }
    }
}
