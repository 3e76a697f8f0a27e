use crate::rules::target::{self, PodPart};
use crate::rules::{FileContext, FileRule};

pub struct GpuLimits;

const GPU: &str = "nvidia.com/gpu";

impl FileRule for GpuLimits {
    type Target = target::K8sPodOrContainer;

    fn check(&self, part: PodPart<'_>, cx: &mut FileContext<'_>) {
        match part {
            PodPart::Container(_, c) => {
                let Some(req) = c.node.at("resources.requests").and_then(|r| r.entry(GPU)) else {
                    return;
                };
                if c.node.at("resources.limits").and_then(|l| l.get(GPU)).is_none() {
                    cx.report(
                        req.key_span,
                        format!("{} requests `{GPU}` without a limit", super::container_name(&c)),
                    );
                }
            }
            PodPart::Pod(o, spec) => {
                let uses_gpu = o.containers().iter().any(|c| {
                    c.node.at("resources.limits").and_then(|l| l.get(GPU)).is_some()
                        || c.node.at("resources.requests").and_then(|l| l.get(GPU)).is_some()
                });
                if !uses_gpu {
                    return;
                }
                let tolerated = spec
                    .get("tolerations")
                    .map(|t| t.items())
                    .unwrap_or_default()
                    .iter()
                    .any(|t| {
                        let key = t.get("key").and_then(|k| k.as_str());
                        let op = t.get("operator").and_then(|k| k.as_str());
                        key == Some(GPU) || (key.is_none() && op == Some("Exists"))
                    });
                if !tolerated {
                    cx.report(
                        o.header,
                        format!("GPU {} has no toleration for `{GPU}`", super::object_name(o)),
                    );
                }
            }
        }
    }
}
