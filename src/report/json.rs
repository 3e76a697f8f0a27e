//! The JSON report, versioned: `{"version": 1, "tool": ..., "summary": ..., "diagnostics": [...],
//! "internal_errors": [...]}`. Every field is documented in docs/output-formats.md.
//!
//! Built from structs rather than `json!` so keys come out in this declared, logical order
//! (serde_json's map sorts keys alphabetically without the `preserve_order` feature).

use serde::Serialize;

use super::{fingerprint, range, Report};
use crate::rules::{Applicability, Severity};
use crate::source::{Position, SourceFile, Span};

/// Bumped on any incompatible change of the document's shape; adding a field is compatible.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: Vec<Item<'a>>,
    internal_errors: &'a [String],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    files_with_findings: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
    elapsed_ms: u128,
}

#[derive(Serialize)]
struct Item<'a> {
    rule: &'a str,
    slug: Option<&'a str>,
    severity: Severity,
    message: &'a str,
    path: String,
    start: Point,
    end: Point,
    labels: Vec<LabelItem<'a>>,
    note: Option<&'a str>,
    help: Option<&'a str>,
    fix: Option<FixItem<'a>>,
    suppressed: Option<SuppressedItem<'a>>,
    fingerprint: String,
}

#[derive(Serialize)]
struct Point {
    line: u32,
    column: u32,
    offset: usize,
}

#[derive(Serialize)]
struct LabelItem<'a> {
    path: String,
    start: Point,
    end: Point,
    message: &'a str,
}

#[derive(Serialize)]
struct FixItem<'a> {
    applicability: Applicability,
    edits: Vec<EditItem<'a>>,
}

#[derive(Serialize)]
struct EditItem<'a> {
    start: Point,
    end: Point,
    replacement: &'a str,
}

#[derive(Serialize)]
struct SuppressedItem<'a> {
    justification: &'a str,
}

fn points(file: &SourceFile, span: Span) -> (Point, Point) {
    let (s, e) = range(file, span);
    let p = |pos: Position, offset: usize| Point {
        line: pos.line,
        column: pos.column,
        offset,
    };
    (p(s, span.start), p(e, span.end.max(span.start)))
}

pub fn render(report: &Report<'_>) -> String {
    let mut buf = Vec::new();
    let _ = write(report, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// The report written to `w` as it is serialised.
pub fn write(report: &Report<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let project = &report.outcome.project;
    let mut items = Vec::new();
    for d in report.visible() {
        let Some(file) = project.file(d.file) else {
            continue;
        };
        let path = file.source.display_path();
        let (start, end) = points(&file.source, d.span);
        let labels = d
            .labels
            .iter()
            .filter_map(|l| {
                let f = project.file(l.file)?;
                let (start, end) = points(&f.source, l.span);
                Some(LabelItem {
                    path: f.source.display_path(),
                    start,
                    end,
                    message: &l.message,
                })
            })
            .collect();
        let fix = d.fix.as_ref().map(|f| FixItem {
            applicability: f.applicability,
            edits: f
                .edits
                .iter()
                .map(|e| {
                    let (start, end) = points(&file.source, e.span);
                    EditItem {
                        start,
                        end,
                        replacement: &e.replacement,
                    }
                })
                .collect(),
        });
        items.push(Item {
            rule: &d.rule,
            slug: report.registry.meta(&d.rule).map(|m| m.slug.as_str()),
            severity: d.severity,
            message: &d.message,
            fingerprint: format!("{:016x}", fingerprint(&d.rule, &path, &file.source, d.span.start)),
            path,
            start,
            end,
            labels,
            note: d.note.as_deref(),
            help: d.help.as_deref(),
            fix,
            suppressed: d.suppressed.as_ref().map(|s| SuppressedItem {
                justification: &s.justification,
            }),
        });
    }
    let c = report.counts();
    let doc = Document {
        version: JSON_VERSION,
        tool: Tool {
            name: "linea",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files_scanned: report.outcome.files_scanned(),
            files_with_findings: c.files_with_findings,
            errors: c.errors,
            warnings: c.warnings,
            infos: c.infos,
            suppressed: c.suppressed,
            elapsed_ms: report.outcome.elapsed.as_millis(),
        },
        diagnostics: items,
        internal_errors: &report.outcome.internal_errors,
    };
    super::escape::write_json_pretty(&doc, w)
}
