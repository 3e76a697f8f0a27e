use std::collections::HashMap;

use super::label_span;
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};
use crate::source::{FileId, Span};

/// TF013: the same resource, data source, variable, output, local or module declared twice in
/// one module (possibly in different files).
pub struct DuplicateDeclaration;

impl ProjectRule for DuplicateDeclaration {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for m in &project.terraform {
            let mut seen: HashMap<String, (FileId, Span)> = HashMap::new();
            let mut found = Vec::new();
            for b in m.blocks() {
                let entries: Vec<(String, Span)> = match b.kind.as_str() {
                    "resource" | "data" | "variable" | "output" | "module" => vec![(b.address(), label_span(b))],
                    "locals" => b
                        .body
                        .entries()
                        .iter()
                        .map(|e| (format!("local.{}", e.key), e.key_span))
                        .collect(),
                    _ => Vec::new(),
                };
                for (addr, span) in entries {
                    match seen.get(&addr) {
                        // one block expanded per `for_each` key or `count` index
                        Some(first) if *first == (b.file, span) => {}
                        Some(first) => found.push((addr, b.file, span, *first)),
                        None => {
                            seen.insert(addr, (b.file, span));
                        }
                    }
                }
            }
            for (addr, file, span, (first_file, first_span)) in found {
                let name = project
                    .file(first_file)
                    .and_then(|f| f.source.path.file_name())
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let line = project
                    .file(first_file)
                    .map(|f| f.source.line(first_span.start))
                    .unwrap_or(0);
                cx.report_in(
                    file,
                    span,
                    format!("`{addr}` is already declared in `{name}` line {line}"),
                )
                .labels
                .push(crate::rules::Label {
                    file: first_file,
                    span: first_span,
                    message: "first declared here".into(),
                });
            }
        }
    }
}
