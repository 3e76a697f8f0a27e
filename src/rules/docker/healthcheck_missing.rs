//! DF024: no HEALTHCHECK in a production image that is not deployed to Kubernetes.

use crate::lang::docker::Dockerfile;
use crate::rules::docker::image_chain;
use crate::rules::{target, FileContext, FileRule};

pub struct HealthcheckMissing;

impl FileRule for HealthcheckMissing {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        let chain = image_chain(d);
        let Some(last) = chain.first() else { return };
        let has = chain
            .iter()
            .any(|s| d.stage_instructions(s).iter().any(|i| i.is("HEALTHCHECK")));
        // Kubernetes probes replace HEALTHCHECK
        if has || cx.project.workloads().run_on_kubernetes() {
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
