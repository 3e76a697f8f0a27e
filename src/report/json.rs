//! The JSON report, versioned: `{"version": 1, "tool": ..., "summary": ..., "diagnostics": [...]}`.

use serde_json::{json, Value};

use super::Report;

/// Bumped on any incompatible change of the document's shape.
pub const JSON_VERSION: u32 = 1;

pub fn render(report: &Report<'_>) -> String {
    let mut items = Vec::new();
    for d in report.visible() {
        let Some(file) = report.outcome.project.file(d.file) else {
            continue;
        };
        let start = file.source.position(d.span.start);
        let end = file.source.position(d.span.end);
        let labels: Vec<Value> = d
            .labels
            .iter()
            .filter_map(|l| {
                let f = report.outcome.project.file(l.file)?;
                let p = f.source.position(l.span.start);
                Some(json!({"path": f.source.display_path(), "line": p.line, "column": p.column, "message": l.message}))
            })
            .collect();
        items.push(json!({
            "rule": d.rule,
            "slug": report.registry.meta(&d.rule).map(|m| m.slug.clone()),
            "severity": d.severity,
            "message": d.message,
            "path": file.source.display_path(),
            "start": {"line": start.line, "column": start.column, "offset": d.span.start},
            "end": {"line": end.line, "column": end.column, "offset": d.span.end},
            "labels": labels,
            "note": d.note,
            "help": d.help,
            "suppressed": d.suppressed.as_ref().map(|s| json!({"justification": s.justification})),
        }));
    }
    let doc = json!({
        "version": JSON_VERSION,
        "tool": {"name": "linea", "version": env!("CARGO_PKG_VERSION")},
        "summary": {
            "files_scanned": report.outcome.files_scanned(),
            "errors": report.visible().filter(|d| d.severity == crate::rules::Severity::Error).count(),
            "warnings": report.visible().filter(|d| d.severity == crate::rules::Severity::Warning).count(),
            "infos": report.visible().filter(|d| d.severity == crate::rules::Severity::Info).count(),
        },
        "diagnostics": items,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
