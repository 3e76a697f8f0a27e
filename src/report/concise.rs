//! `path:line:col: ID [severity] message`, one line per finding and nothing else.
//!
//! No summary line on purpose: every line has the same shape, so grep, editors' error formats
//! and problem matchers read it without a special case (`json` has the counts).

use std::fmt::Write as _;

use super::{escape, Report};

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for d in report.visible() {
        let Some(file) = report.outcome.project.file(d.file) else {
            continue;
        };
        let pos = file.source.position(d.span.start);
        let suppressed = if d.suppressed.is_some() { " (suppressed)" } else { "" };
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}{suppressed}{}",
            escape::path(&file.source.display_path()),
            pos.line,
            pos.column,
            escape::text(&d.rule),
            d.severity,
            escape::text(&d.message),
            super::human::fix_mark(d)
        );
    }
    out
}
