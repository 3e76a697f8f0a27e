//! A Markdown summary of a run: the totals line and a table of findings by rule. Written for the
//! places a pipeline shows Markdown: GitHub's job summary (`$GITHUB_STEP_SUMMARY`, which the
//! action appends it to), Azure Pipelines' build summary (`##vso[task.uploadsummary]`), a
//! pull-request comment. The findings themselves are in the annotations, SARIF or JUnit report
//! beside it; a summary that lists 10,000 of them would help no one.

use std::fmt::Write as _;

use super::{escape, human, statistics, Report};

/// Rows of the table at most; the rest is counted in one line.
const MAX_ROWS: usize = 100;

/// Text safe in a Markdown table cell: escaped, with the characters Markdown acts on quoted.
fn cell(s: &str) -> String {
    let mut out = String::new();
    for c in escape::text(s).chars() {
        if matches!(c, '|' | '\\' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::from("### linea\n\n");
    let _ = writeln!(out, "{}", human::summary(report));
    if let Some(line) = human::fixable(report) {
        let _ = writeln!(out, "\n{}", line.trim_start_matches("[*] "));
    }
    let rows = statistics(report);
    if !rows.is_empty() {
        out.push_str("\n| Rule | Name | Severity | Findings | Fixable |\n|---|---|---|--:|--:|\n");
        for r in rows.iter().take(MAX_ROWS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&r.rule),
                cell(r.slug.as_deref().unwrap_or("")),
                r.severity,
                r.count,
                r.fixable
            );
        }
        if rows.len() > MAX_ROWS {
            let rest: usize = rows.iter().skip(MAX_ROWS).map(|r| r.count).sum();
            let _ = writeln!(
                out,
                "\n…and {rest} more findings of {} more rules.",
                rows.len() - MAX_ROWS
            );
        }
    }
    if !report.outcome.internal_errors.is_empty() {
        let _ = writeln!(
            out,
            "\n**{} internal errors**: see the log.",
            report.outcome.internal_errors.len()
        );
    }
    out
}
