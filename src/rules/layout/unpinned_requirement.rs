use crate::semantic::path::normalize;
use std::collections::HashSet;
use std::path::Path;

use crate::discover::FileKind;
use crate::lang::pip::IncludeKind;
use crate::project::{Model, ParsedFile, Project};
use crate::rules::{ProjectContext, ProjectRule};

pub struct UnpinnedRequirement;

/// Names pinned by the constraints files (`-c`) a requirements file names, within the scan.
fn constrained<'a>(project: &'a Project, f: &ParsedFile) -> HashSet<&'a str> {
    let Model::Requirements(r) = &f.model else {
        return HashSet::new();
    };
    let dir = f.source.path.parent().unwrap_or(Path::new(""));
    let mut out = HashSet::new();
    for inc in r.includes.iter().filter(|i| i.kind == IncludeKind::Constraints) {
        let target = normalize(&dir.join(&inc.path));
        for c in project.files_of(FileKind::Requirements) {
            if normalize(&c.source.path) != target {
                continue;
            }
            if let Model::Requirements(cr) = &c.model {
                out.extend(
                    cr.requirements
                        .iter()
                        .filter(|q| q.is_pinned())
                        .map(|q| q.name.as_str()),
                );
            }
        }
    }
    out
}

impl ProjectRule for UnpinnedRequirement {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        for f in p.files_of(FileKind::Requirements) {
            // pip-compile inputs (`requirements.in`) are meant to be loose
            if f.source.path.extension().is_some_and(|e| e == "in") {
                continue;
            }
            let Model::Requirements(r) = &f.model else { continue };
            let pins = constrained(p, f);
            for q in &r.requirements {
                if q.is_pinned() || q.is_local() || q.editable || pins.contains(q.name.as_str()) {
                    continue;
                }
                let msg = format!("`{}` is not pinned with `==`", q.text);
                cx.report_in(f.source.id, q.span, msg);
            }
        }
    }
}
