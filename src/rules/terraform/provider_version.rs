use std::collections::BTreeMap;

use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};
use crate::source::{FileId, Span};

/// TF005: a provider the module uses has no version constraint in `required_providers`.
pub struct ProviderVersion;

impl ProjectRule for ProviderVersion {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for m in project.terraform.iter().filter(|m| !m.broken) {
            let mut constrained = Vec::new();
            // provider name -> first place it is used (a provider block wins over a resource)
            let mut used: BTreeMap<String, (FileId, Span, bool)> = BTreeMap::new();
            for b in m.blocks() {
                match b.kind.as_str() {
                    "terraform" => {
                        for rp in b.body.get("required_providers").map(|n| n.items()).unwrap_or(&[]) {
                            for e in rp.entries() {
                                let versioned = e.value.is_unknown()
                                    || e.value.as_str().is_some()
                                    || e.value.get("version").is_some();
                                if versioned {
                                    constrained.push(e.key.clone());
                                }
                            }
                        }
                    }
                    "provider" => {
                        if let Some(p) = b.labels.first() {
                            used.insert(p.clone(), (b.file, b.header, true));
                        }
                    }
                    "resource" | "data" => {
                        let Some(t) = b.labels.first() else { continue };
                        let Some((p, _)) = t.split_once('_') else { continue };
                        if p == "terraform" {
                            continue;
                        }
                        let e = used.entry(p.to_string()).or_insert((b.file, b.header, false));
                        if !e.2 && (b.file, b.header.start) < (e.0, e.1.start) {
                            *e = (b.file, b.header, false);
                        }
                    }
                    _ => {}
                }
            }
            for (p, (file, span, _)) in used {
                if !constrained.contains(&p) {
                    cx.report_in(
                        file,
                        span,
                        format!("provider `{p}` has no version constraint in `required_providers`"),
                    );
                }
            }
        }
    }
}
