//! DF024: no HEALTHCHECK in a production image that is not deployed to Kubernetes.

use crate::lang::docker::Dockerfile;
use crate::project::{Model, Project};
use crate::rules::docker::image_chain;
use crate::rules::{target, FileContext, FileRule};

pub struct HealthcheckMissing;

const POD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Pod",
    "Job",
    "CronJob",
    "ReplicaSet",
];

/// Kubernetes probes replace HEALTHCHECK: any scanned manifest with a pod-bearing kind means
/// the images of this repository run on Kubernetes.
fn deploys_to_kubernetes(project: &Project) -> bool {
    if project.k8s_objects().any(|(_, o)| o.is_pod_bearing()) {
        return true;
    }
    project.files.iter().any(|f| match &f.model {
        Model::Yaml(stream) => stream.documents.iter().any(|doc| {
            doc.root.get("apiVersion").is_some()
                && doc
                    .root
                    .get("kind")
                    .and_then(|k| k.as_str())
                    .is_some_and(|k| POD_KINDS.contains(&k))
        }),
        _ => false,
    })
}

impl FileRule for HealthcheckMissing {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        let chain = image_chain(d);
        let Some(last) = chain.first() else { return };
        let has = chain
            .iter()
            .any(|s| d.stage_instructions(s).iter().any(|i| i.is("HEALTHCHECK")));
        if has || deploys_to_kubernetes(cx.project) {
            return;
        }
        let Some(from) = d.instructions.get(last.from) else {
            return;
        };
        cx.report(
            from.keyword_span.cover(last.image.span),
            "no `HEALTHCHECK` in the final image",
        );
    }
}
