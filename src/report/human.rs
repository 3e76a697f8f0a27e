//! The default report: each finding as a source snippet with the span underlined (miette's
//! graphical handler), then a one-line summary.
//!
//! A label in another file than the finding's is rendered as a second snippet of that file,
//! so cross-file mismatches show both ends. Notes and help are
//! written after the snippets, the way rustc orders them.

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::Arc as Rc;

use super::{escape, plural, Report};
use crate::project::ParsedFile;
use crate::rules::{Applicability, Diagnostic, Severity};
use crate::source::{FileId, SourceFile, Span};

/// Width used when the terminal's is unknown: a pipe, a file, a test.
const DEFAULT_WIDTH: usize = 100;
/// Lines longer than this (minified JSON, generated YAML) are not shown as snippets: the
/// finding is reported with its position only.
const MAX_SNIPPET_LINE: usize = 1000;

/// Whether the lines a span touches are short enough to print.
fn showable(file: &crate::source::SourceFile, span: Span) -> bool {
    let text = &file.text;
    let start = span.start.min(text.len());
    let end = span.end.min(text.len()).max(start);
    let line_start = text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let line_end = text
        .get(end..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| end + i);
    text.get(line_start..line_end)
        .is_some_and(|l| l.lines().all(|l| l.len() <= MAX_SNIPPET_LINE))
}

pub fn render(report: &Report<'_>) -> String {
    let handler = handler(report.color, width(report.color));
    let mut out = String::new();
    let mut clean = Cleaned::default();
    for d in report.visible() {
        let Some(file) = report.outcome.project.file(d.file) else {
            continue;
        };
        render_one(report, &handler, d, file, &mut clean, &mut out);
    }
    out.push_str(&summary(report));
    out.push('\n');
    if let Some(line) = fixable(report) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `[*] 3 fixable with `linea check --fix``, as ruff says it; `None` when nothing is.
pub fn fixable(report: &Report<'_>) -> Option<String> {
    let (mut safe, mut unsafe_) = (0, 0);
    for d in report.visible().filter(|d| d.suppressed.is_none()) {
        match d.fix.as_ref().map(|f| f.applicability) {
            Some(Applicability::Safe) => safe += 1,
            Some(Applicability::Unsafe) => unsafe_ += 1,
            None => {}
        }
    }
    let more = match unsafe_ {
        0 => String::new(),
        n => format!(" ({n} more with `--fix --unsafe-fixes`)"),
    };
    match (safe, unsafe_) {
        (0, 0) => None,
        (0, n) => Some(format!("{n} fixable with `linea check --fix --unsafe-fixes`")),
        (n, _) => Some(format!("[*] {n} fixable with `linea check --fix`{more}")),
    }
}

/// ` [*]` after the code of a finding `--fix` fixes.
pub fn fix_mark(d: &Diagnostic) -> &'static str {
    let safe = d
        .fix
        .as_ref()
        .is_some_and(|f| f.applicability == Applicability::Safe && d.suppressed.is_none());
    if safe {
        " [*]"
    } else {
        ""
    }
}

/// The closing line: `2 errors, 1 warning in 2 files (14 files scanned in 9 ms)`.
pub fn summary(report: &Report<'_>) -> String {
    let c = report.counts();
    let scanned = format!(
        "({} scanned in {} ms)",
        plural(report.outcome.files_scanned(), "file"),
        report.outcome.elapsed.as_millis()
    );
    let suppressed = if c.suppressed > 0 {
        format!(", {} suppressed", c.suppressed)
    } else {
        String::new()
    };
    if c.findings() == 0 {
        return format!("No problems found{suppressed} {scanned}");
    }
    let mut parts = vec![plural(c.errors, "error"), plural(c.warnings, "warning")];
    if c.infos > 0 {
        parts.push(plural(c.infos, "info"));
    }
    format!(
        "{}{suppressed} in {} {scanned}",
        parts.join(", "),
        plural(c.files_with_findings, "file")
    )
}

/// The terminal's width from `COLUMNS` when writing to a terminal; a fixed width otherwise, so
/// output written to files and pipes does not depend on the terminal it was produced in.
fn width(tty: bool) -> usize {
    if !tty {
        return DEFAULT_WIDTH;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(DEFAULT_WIDTH)
}

fn handler(color: bool, width: usize) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_urls(false)
        .with_width(width)
        .with_context_lines(1)
}

/// Each file's text with control characters replaced (see [`escape::snippet`]), made once per
/// file however many findings it has; `None` for the usual file that has none.
#[derive(Default)]
struct Cleaned(HashMap<FileId, Option<Rc<str>>>);

impl Cleaned {
    fn get<'a>(&mut self, file: &'a SourceFile) -> Shown<'a> {
        let cleaned = self
            .0
            .entry(file.id)
            .or_insert_with(|| match escape::snippet(&file.text) {
                Cow::Borrowed(_) => None,
                Cow::Owned(s) => Some(Rc::from(s)),
            });
        match cleaned {
            Some(rc) => Shown::Cleaned(rc.clone()),
            None => Shown::Raw(&file.text),
        }
    }
}

/// The text miette shows of a file: the file's own, or its cleaned copy.
enum Shown<'a> {
    Raw(&'a str),
    Cleaned(Rc<str>),
}

impl std::ops::Deref for Shown<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Shown::Raw(s) => s,
            Shown::Cleaned(s) => s,
        }
    }
}

fn render_one<'a>(
    report: &'a Report<'a>,
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    file: &'a ParsedFile,
    clean: &mut Cleaned,
    out: &mut String,
) {
    let slug = report
        .registry
        .meta(&d.rule)
        .map(|m| format!(" {}", escape::text(&m.slug)))
        .unwrap_or_default();
    let show = showable(&file.source, d.span);
    let mut labels = Vec::new();
    if show {
        labels.push(LabeledSpan::new_primary_with_span(
            None,
            clamp(&file.source.text, d.span),
        ));
    }
    let mut related = Vec::new();
    for l in &d.labels {
        if l.file == d.file {
            if !show || !showable(&file.source, l.span) {
                continue;
            }
            labels.push(LabeledSpan::new_with_span(
                Some(escape::text(&l.message).into_owned()),
                clamp(&file.source.text, l.span),
            ));
        } else if let Some(other) = report
            .outcome
            .project
            .file(l.file)
            .filter(|o| showable(&o.source, l.span))
        {
            related.push(Snippet {
                message: escape::text(&l.message).into_owned(),
                code: None,
                severity: miette::Severity::Advice,
                source: Windowed::new(&other.source, clean.get(&other.source)),
                labels: vec![LabeledSpan::new_primary_with_span(
                    None,
                    clamp(&other.source.text, l.span),
                )],
                related: Vec::new(),
            });
        }
    }
    let suppressed = if d.suppressed.is_some() { " (suppressed)" } else { "" };
    let snippet = Snippet {
        message: format!("{}{suppressed}", escape::text(&d.message)),
        code: Some(format!("{}{slug}{}", escape::text(&d.rule), fix_mark(d))),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        source: Windowed::new(&file.source, clean.get(&file.source)),
        labels,
        related,
    };
    let mut rendered = String::new();
    let mut ok = handler.render_report(&mut rendered, &snippet).is_ok();
    // labels in other files: a snippet of that file each, under the finding's own
    for other in &snippet.related {
        ok &= handler.render_report(&mut rendered, other).is_ok();
    }
    if !ok {
        // miette could not read a span: fall back to the one-line form rather than lose it
        let pos = file.source.position(d.span.start);
        rendered = format!(
            "{}:{}:{}: {} {}{suppressed}\n",
            escape::path(&file.source.display_path()),
            pos.line,
            pos.column,
            escape::text(&d.rule),
            escape::text(&d.message)
        );
    }
    out.push_str(&rendered);
    if ok && !show {
        let pos = file.source.position(d.span.start);
        let _ = writeln!(
            out,
            "  at {}:{}:{} (line too long to show)",
            escape::text(&file.source.display_path()),
            pos.line,
            pos.column
        );
    }
    let footer = |out: &mut String, key: &str, text: &str| {
        let key = if report.color {
            format!("\u{1b}[36m{key}:\u{1b}[0m")
        } else {
            format!("{key}:")
        };
        let _ = writeln!(out, "  {key} {}", escape::text(text));
    };
    if let Some(note) = &d.note {
        footer(out, "note", note);
    }
    if let Some(help) = &d.help {
        footer(out, "help", help);
    }
    if let Some(s) = &d.suppressed {
        let why = if s.justification.is_empty() {
            "by a `linea: ignore` comment without a reason".to_string()
        } else {
            format!("by `linea: ignore`: {}", s.justification)
        };
        footer(out, "suppressed", &why);
    }
    out.push('\n');
}

/// A span miette can always read: inside the text and on character boundaries.
fn clamp(text: &str, span: Span) -> miette::SourceSpan {
    let fit = |mut o: usize| {
        o = o.min(text.len());
        while o > 0 && !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    };
    let start = fit(span.start);
    let end = fit(span.end).max(start);
    (start, end - start).into()
}

/// A file as miette reads it: only the lines around the span are scanned (found through the
/// file's line index), so rendering many findings of a large manifest stays linear.
/// The text shown is the file's with control characters replaced, byte for byte, so the file's
/// line index and every span still fit it.
struct Windowed<'a> {
    name: String,
    file: &'a SourceFile,
    text: Shown<'a>,
}

impl<'a> Windowed<'a> {
    fn new(file: &'a SourceFile, text: Shown<'a>) -> Self {
        Windowed {
            name: escape::text(&file.display_path()).into_owned(),
            file,
            text,
        }
    }
}

impl SourceCode for Windowed<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text: &str = &self.text;
        let index = &self.file.line_index;
        let end = span.offset() + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // one spare line each side: the window's own edges must not look like the file's
        let first = index
            .position(text, span.offset())
            .line
            .saturating_sub(context_lines_before as u32 + 1)
            .max(1);
        let last = index.position(text, end).line + context_lines_after as u32 + 1;
        let from = index.line_span(text, first).map_or(0, |s| s.start);
        let to = index.line_span(text, last + 1).map_or(text.len(), |s| s.start);
        let window = text.as_bytes().get(from..to).ok_or(MietteError::OutOfBounds)?;
        let inner: SourceSpan = (span.offset() - from, span.len()).into();
        let c = window.read_span(&inner, context_lines_before, context_lines_after)?;
        let skipped = first as usize - 1;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            (c.span().offset() + from, c.span().len()).into(),
            c.line() + skipped,
            c.column(),
            c.line_count() + skipped,
        )))
    }
}

/// One diagnostic as miette sees it.
struct Snippet<'a> {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    source: Windowed<'a>,
    labels: Vec<LabeledSpan>,
    /// Snippets of other files, rendered after this one.
    related: Vec<Snippet<'a>>,
}

impl fmt::Debug for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Snippet<'_> {}

impl miette::Diagnostic for Snippet<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_not_snippets() {
        let long = format!("a: b\n{{\"k\": \"{}\"}}\n", "x".repeat(2000));
        let f = crate::source::SourceFile::new(crate::source::FileId(0), "min.json".into(), long);
        assert!(showable(&f, Span::new(0, 1)));
        assert!(!showable(&f, Span::new(10, 12)));
        assert!(!showable(&f, Span::new(0, 12)));
    }

    #[test]
    fn windowed_reads_exactly_what_miette_reads_from_the_whole_file() {
        let text = "apiVersion: v1\nkind: Pod\r\nmetadata:\n  name: a\n\n\nspec:\n  containers: []\nlast";
        let file = crate::source::SourceFile::new(crate::source::FileId(0), "p.yaml".into(), text);
        let windowed = Windowed::new(&file, Shown::Raw(&file.text));
        for start in 0..text.len() {
            for end in start..=text.len() {
                for ctx in [0, 1, 2] {
                    let span: SourceSpan = (start, end - start).into();
                    let want = text.read_span(&span, ctx, ctx);
                    let got = windowed.read_span(&span, ctx, ctx);
                    match (want, got) {
                        (Ok(w), Ok(g)) => {
                            let seen = (g.data(), g.span(), g.line(), g.column(), g.line_count());
                            let expected = (w.data(), w.span(), w.line(), w.column(), w.line_count());
                            assert_eq!(seen, expected, "span {start}..{end}, context {ctx}");
                        }
                        (Err(_), Err(_)) => {}
                        (w, g) => panic!("span {start}..{end}: {:?} vs {:?}", w.is_ok(), g.is_ok()),
                    }
                }
            }
        }
    }

    #[test]
    fn clamps_spans_into_the_text() {
        let s = clamp("é", Span::new(1, 9));
        assert_eq!((s.offset(), s.len()), (0, 2));
    }
}
