//! Reporters: they see only diagnostics, files and rule metadata.
//!
//! Every reporter is a pure function of a [`Report`] to a `String`, so the CLI can write it to
//! stdout or to `--output FILE` and tests can pin it. Only `human` ever emits colour, and only
//! when [`Report::color`] is set (the CLI sets it for a TTY without `NO_COLOR`).

pub mod concise;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use clap::ValueEnum;

use crate::config::Settings;
use crate::rules::engine::Outcome;
use crate::rules::registry::Registry;
use crate::rules::{Diagnostic, Severity};
use crate::source::{Position, SourceFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with the span underlined (default).
    Human,
    /// `path:line:col: ID [severity] message`, one per line.
    Concise,
    /// Versioned JSON document (see docs/output-formats.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and Azure DevOps.
    Sarif,
    /// JUnit XML for Azure Pipelines' PublishTestResults and other CI test views.
    Junit,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// A Markdown summary: totals and findings by rule (GitHub job summaries, Azure Pipelines
    /// build summaries, pull-request comments).
    Markdown,
}

impl Format {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Markdown => "markdown",
        }
    }
}

/// What a reporter renders.
pub struct Report<'a> {
    pub outcome: &'a Outcome,
    pub registry: &'a Registry,
    pub settings: &'a Settings,
    /// Also show suppressed findings (SARIF always keeps them).
    pub show_suppressed: bool,
    pub color: bool,
    pub options: Options,
}

/// Settings of particular formats, from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The directory SARIF URIs are relative to (`%SRCROOT%`); default: the project's root (the
    /// repository).
    pub root: Option<std::path::PathBuf>,
    /// SARIF `automationDetails.id` is `CATEGORY/`; default `linea`.
    pub sarif_category: Option<String>,
    /// Keep at most this many SARIF results (the most severe first).
    pub sarif_max_results: Option<usize>,
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

    /// Counts of the visible findings.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        let mut files = std::collections::BTreeSet::new();
        for d in self.visible() {
            if d.suppressed.is_some() {
                c.suppressed += 1;
                continue;
            }
            files.insert(d.file);
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c.files_with_findings = files.len();
        c
    }
}

/// Finding counts of a report (suppressed findings are counted apart, not by severity).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
    pub files_with_findings: usize,
}

impl Counts {
    pub fn findings(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// Write a report in a format to `w`: JSON and SARIF are serialised straight into it, the
/// others rendered first.
pub fn write(format: Format, report: &Report<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, w),
        Format::Sarif => sarif::write(report, w),
        _ => w.write_all(render(format, report).as_bytes()),
    }
}

/// Render a report in a format.
pub fn render(format: Format, report: &Report<'_>) -> String {
    match format {
        Format::Human => human::render(report),
        Format::Concise => concise::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}

/// Findings of one rule, for `--statistics` and the Markdown summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub slug: Option<String>,
    /// The severity of the rule's findings (after overrides); the highest when they differ.
    pub severity: Severity,
    pub count: usize,
    /// How many of them `linea check --fix` fixes.
    pub fixable: usize,
}

/// Unsuppressed visible findings counted by rule, most frequent first, then by id.
pub fn statistics(report: &Report<'_>) -> Vec<RuleCount> {
    let mut by_rule: std::collections::BTreeMap<&str, RuleCount> = std::collections::BTreeMap::new();
    for d in report.visible().filter(|d| d.suppressed.is_none()) {
        let entry = by_rule.entry(d.rule.as_str()).or_insert_with(|| RuleCount {
            rule: d.rule.clone(),
            slug: report.registry.meta(&d.rule).map(|m| m.slug.clone()),
            severity: d.severity,
            count: 0,
            fixable: 0,
        });
        entry.count += 1;
        entry.severity = entry.severity.max(d.severity);
        if !human::fix_mark(d).is_empty() {
            entry.fixable += 1;
        }
    }
    let mut out: Vec<RuleCount> = by_rule.into_values().collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
    out
}

/// `--statistics` as text: one aligned line per rule, like `ruff --statistics`.
pub fn statistics_text(report: &Report<'_>) -> String {
    let rows = statistics(report);
    let width = rows.iter().map(|r| r.count.to_string().len()).max().unwrap_or(1);
    let id_width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in &rows {
        let fix = if r.fixable > 0 { "[*] " } else { "" };
        out.push_str(&format!(
            "{:>width$}  {:<id_width$}  {:<7}  {fix}{}\n",
            r.count,
            escape::text(&r.rule),
            r.severity.to_string(),
            escape::text(r.slug.as_deref().unwrap_or("")),
        ));
    }
    if rows.is_empty() {
        out.push_str("No problems found\n");
    }
    out
}

/// `--statistics` with the JSON format: the rows as a JSON array.
pub fn statistics_json(report: &Report<'_>) -> String {
    escape::to_json_pretty(&statistics(report))
}

/// `1 error`, `2 errors`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Start and end of a span as 1-based line and Unicode code point column (end exclusive).
pub(crate) fn range(file: &SourceFile, d_span: crate::source::Span) -> (Position, Position) {
    let start = file.position(d_span.start);
    let end = file.position(d_span.end.max(d_span.start));
    (start, end)
}

/// A fingerprint of a finding that survives lines moving: the rule, the file's path and the
/// whitespace-normalised text of the finding's first line, hashed with FNV-1a (stable across
/// Rust versions and platforms, unlike `DefaultHasher`).
pub fn fingerprint(rule: &str, path: &str, file: &SourceFile, offset: usize) -> u64 {
    let line = file.position(offset).line;
    let text = file
        .line_index
        .line_span(&file.text, line)
        .map(|s| file.slice(s))
        .unwrap_or("");
    let normalized: Vec<&str> = text.split_whitespace().collect();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule, "\u{0}", path, "\u{0}", &normalized.join(" ")] {
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    #[test]
    fn columns_count_code_points() {
        // `é` is 2 bytes, `😀` is 4 bytes (2 UTF-16 units): SARIF columns count each as one
        let f = SourceFile::new(FileId(0), "k.yaml".into(), "x: \"é😀\", privileged: true\n");
        let at = f.text.find("privileged").unwrap_or(0);
        let (start, end) = range(&f, Span::new(at, at + "privileged".len()));
        assert_eq!(at, 13);
        assert_eq!((start.line, start.column), (1, 10));
        assert_eq!((end.line, end.column), (1, 20));
    }

    #[test]
    fn fingerprint_survives_moved_lines() {
        let a = SourceFile::new(FileId(0), "Dockerfile".into(), "FROM python\nUSER  root\n");
        let b = SourceFile::new(FileId(0), "Dockerfile".into(), "# base\nFROM python\n\nUSER root\n");
        let fa = fingerprint("DF003", "Dockerfile", &a, a.text.find("USER").unwrap_or(0));
        let fb = fingerprint("DF003", "Dockerfile", &b, b.text.find("USER").unwrap_or(0));
        assert_eq!(fa, fb);
        assert_ne!(fa, fingerprint("DF004", "Dockerfile", &a, 12));
    }
}
