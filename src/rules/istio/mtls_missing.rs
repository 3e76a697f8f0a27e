use crate::project::k8s::{object_env, object_is_prod};
use crate::project::mesh::ROOT_NAMESPACE;
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};

pub struct MtlsMissing;

impl ProjectRule for MtlsMissing {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        let strict: Vec<_> = project
            .k8s_of_kind("PeerAuthentication")
            .filter(|(_, p)| super::is_istio(p, "PeerAuthentication"))
            .filter(|(_, p)| p.root.at("spec.selector").is_none())
            .filter(|(_, p)| p.root.at("spec.mtls.mode").and_then(|m| m.as_str()) == Some("STRICT"))
            .map(|(_, p)| p)
            .collect();
        if strict
            .iter()
            .any(|p| p.effective_namespace.as_deref() == Some(ROOT_NAMESPACE))
        {
            return;
        }
        // the namespaces a mesh-wide STRICT policy covers (`None`: one that names none covers any)
        let covered: std::collections::HashSet<Option<&str>> =
            strict.iter().map(|p| p.effective_namespace.as_deref()).collect();
        for (ns, workloads) in crate::rules::kubernetes::workloads_by_namespace(project) {
            let Some((file, first)) = workloads
                .iter()
                .find(|(f, o)| object_is_prod(cx.settings, f, o))
                .copied()
            else {
                continue;
            };
            let first_ns = first.effective_namespace.as_deref();
            let strict_here = match first_ns {
                None => !covered.is_empty(),
                Some(_) => covered.contains(&first_ns) || covered.contains(&None),
            };
            if strict_here {
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
                format!("prod namespace {ns} has no STRICT PeerAuthentication"),
            )
            .in_env(env);
        }
    }
}
