//! Reporters: they see only diagnostics, files and rule metadata.

pub mod concise;
pub mod json;

use clap::ValueEnum;

use crate::config::Settings;
use crate::rules::engine::Outcome;
use crate::rules::registry::Registry;
use crate::rules::Diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with the span underlined (default).
    Human,
    /// `path:line:col: ID [severity] message`, one per line.
    Concise,
    /// Versioned JSON document (see docs/output-formats.md).
    Json,
}

/// What a reporter renders.
pub struct Report<'a> {
    pub outcome: &'a Outcome,
    pub registry: &'a Registry,
    pub settings: &'a Settings,
    /// Also show suppressed findings (SARIF always keeps them).
    pub show_suppressed: bool,
    pub color: bool,
}

impl Report<'_> {
    /// Findings to show: suppressed ones only with `--show-suppressed`.
    pub fn visible(&self) -> impl Iterator<Item = &Diagnostic> {
        let show = self.show_suppressed;
        self.outcome
            .diagnostics
            .iter()
            .filter(move |d| show || d.suppressed.is_none())
    }
}

/// Render a report in a format.
pub fn render(format: Format, report: &Report<'_>) -> String {
    match format {
        Format::Human | Format::Concise => concise::render(report),
        Format::Json => json::render(report),
    }
}
