//! GitHub Actions workflow commands: one `::error file=…,line=…::message` line per finding, which
//! the runner turns into annotations on the pull request's diff.
//!
//! Severity maps to `error`, `warning` and `notice`. Suppressed findings (only with
//! `--show-suppressed`) become notices, so they never look like something to fix.

use std::fmt::Write as _;

use super::{escape, range, Report};
use crate::rules::Severity;

/// Escape the message part of a workflow command.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value (`file=`, `title=`): the data escapes plus `:` and `,`.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for d in report.visible() {
        let Some(file) = report.outcome.project.file(d.file) else {
            continue;
        };
        let (start, end) = range(&file.source, d.span);
        let command = match (d.suppressed.is_some(), d.severity) {
            (true, _) | (false, Severity::Info) => "notice",
            (false, Severity::Warning) => "warning",
            (false, Severity::Error) => "error",
        };
        // values from the scanned files are escaped first: the only line breaks in the data
        // are linea's own, and those are encoded as `%0A`
        let mut message = escape::text(&d.message).into_owned();
        if let Some(s) = &d.suppressed {
            message.push_str(&format!(" (suppressed: {})", escape::text(&s.justification)));
        }
        if let Some(note) = &d.note {
            message.push_str(&format!("\nnote: {}", escape::text(note)));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {}", escape::text(help)));
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&escape::text(&file.source.display_path())),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&escape::text(&d.rule)),
            escape_data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50% of a\r\nb: c, d"), "50%25 of a%0D%0Ab: c, d");
        assert_eq!(escape_property("dir,x/a:b%.yaml"), "dir%2Cx/a%3Ab%25.yaml");
    }
}
