use crate::project::k8s::{object_env, object_is_prod};
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};

pub struct NoNetworkPolicy;

impl ProjectRule for NoNetworkPolicy {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for (ns, workloads) in super::workloads_by_namespace(project) {
            let Some((file, first)) = workloads
                .iter()
                .find(|(f, o)| object_is_prod(cx.settings, f, o))
                .copied()
            else {
                continue;
            };
            let covered = project.k8s_sharing_namespace("NetworkPolicy", first).next().is_some();
            if covered {
                continue;
            }
            let ns = if ns.is_empty() {
                "(unnamed)".to_string()
            } else {
                format!("`{ns}`")
            };
            let env = object_env(cx.settings, file, first);
            cx.report_in(
                file.source.id,
                first.header,
                format!("prod namespace {ns} runs workloads and has no NetworkPolicy"),
            )
            .in_env(env);
        }
    }
}
