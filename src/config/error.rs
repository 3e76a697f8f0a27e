//! Configuration errors: where in the file, what is wrong, and the nearest valid spelling.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use crate::source::{LineIndex, Span};

/// A configuration file that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub span: Option<Span>,
    pub message: String,
    /// What to write instead, in the imperative ("did you mean `select`?").
    pub help: Option<String>,
}

impl ConfigError {
    pub fn new(path: PathBuf, text: Arc<str>, span: Option<Span>, message: impl Into<String>) -> Self {
        ConfigError {
            path,
            text,
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// From a toml/serde error, with serde's "expected one of" list turned into a suggestion.
    pub(crate) fn from_toml(path: PathBuf, text: Arc<str>, e: &toml::de::Error) -> Self {
        let span = e.span().map(Span::from).map(|s| trim_span(&text, s));
        let (message, help) = explain(e.message().trim_end());
        ConfigError {
            path,
            text,
            span,
            message,
            help,
        }
    }

    /// `path:line:col` of the error.
    pub fn location(&self) -> String {
        match self.span {
            Some(span) => {
                let pos = LineIndex::new(&self.text).position(&self.text, span.start);
                format!("{}:{}:{}", self.path.display(), pos.line, pos.column)
            }
            None => self.path.display().to_string(),
        }
    }

    /// The error as a terminal report: location line, then the offending line underlined.
    pub fn render(&self, color: bool) -> String {
        let mut out = format!("linea: error: {}: {}\n", self.location(), self.message);
        // a line too long to read (a generated value) is not printed: the location says where
        let long_line = self.span.is_some_and(|sp| {
            let at = sp.start.min(self.text.len());
            let bytes = self.text.as_bytes();
            let start = bytes
                .get(..at)
                .unwrap_or_default()
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let end = bytes
                .get(at..)
                .unwrap_or_default()
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |i| at + i);
            end - start > SNIPPET_LINE_BYTES
        });
        if self.span.is_none() || long_line {
            if let Some(h) = &self.help {
                out.push_str(&format!("  help: {h}\n"));
            }
            return out;
        }
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_links(false);
        let mut snippet = String::new();
        let diagnostic = Snippet {
            err: self,
            source: NamedSource::new(self.path.display().to_string(), self.text.to_string()),
        };
        if handler.render_report(&mut snippet, &diagnostic).is_ok() {
            out.push_str(&snippet);
        }
        out
    }
}

/// Lines longer than this are not shown under the error.
const SNIPPET_LINE_BYTES: usize = 1024;

/// Spans of whole tables or multi-line values are shortened to their first line so the
/// snippet underlines something readable.
fn trim_span(text: &str, span: Span) -> Span {
    let start = span.start.min(text.len());
    let end = span.end.min(text.len()).max(start);
    match text.get(start..end).and_then(|s| s.find('\n')) {
        Some(nl) => Span::new(start, start + nl),
        None => Span::new(start, end),
    }
}

/// Rewrite serde's unknown-field/variant message into ours, with a suggestion.
fn explain(message: &str) -> (String, Option<String>) {
    for (what, noun) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        let Some(rest) = message.strip_prefix(what) else {
            continue;
        };
        let Some((word, tail)) = rest.split_once('`') else {
            continue;
        };
        let expected: Vec<&str> = tail
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        let help = if expected.is_empty() {
            None
        } else {
            Some(format!(
                "expected one of {}",
                expected.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
            ))
        };
        let near = super::nearest(word, &expected).or_else(|| {
            let lower = word.to_ascii_lowercase();
            expected
                .iter()
                .copied()
                .find(|e| !lower.is_empty() && e.starts_with(&lower))
        });
        let message = match near {
            Some(near) => format!("unknown {noun} `{word}`; did you mean `{near}`?"),
            None => format!("unknown {noun} `{word}`"),
        };
        return (message, help);
    }
    let help = message
        .ends_with("expected a sequence")
        .then(|| "write a list: `[\"...\"]`, or `[]` for none".to_string());
    (message.to_string(), help)
}

/// miette's view of a config error.
struct Snippet<'a> {
    err: &'a ConfigError,
    source: NamedSource<String>,
}

impl fmt::Debug for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.err, f)
    }
}

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.err.message)
    }
}

impl std::error::Error for Snippet<'_> {}

impl miette::Diagnostic for Snippet<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.err.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.err.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            Some("here".into()),
            (span.start, span.len()),
        ))))
    }
}

/// The span of `needle` — a string value or a table key — under the table at `path` (e.g.
/// `["select"]`, `["per-path-ignores"]`) of a config text. In a `pyproject.toml` the path is
/// taken under `[tool.linea]`. Used to point at values that only the registry can judge.
pub fn locate(text: &str, pyproject: bool, path: &[&str], needle: &str) -> Option<Span> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut table = Some(doc.get_ref());
    let prefix: &[&str] = if pyproject { &["tool", "linea"] } else { &[] };
    let mut value: Option<&toml::Spanned<DeValue<'_>>> = None;
    for key in prefix.iter().chain(path) {
        let v = table?.get(*key)?;
        value = Some(v);
        table = match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    let mut stack: Vec<&toml::Spanned<DeValue<'_>>> = match value {
        Some(v) => vec![v],
        None => table?.values().collect(),
    };
    while let Some(v) = stack.pop() {
        match v.get_ref() {
            DeValue::String(s) if s.as_ref() == needle => return Some(Span::from(v.span())),
            DeValue::Array(a) => stack.extend(a.iter().rev()),
            DeValue::Table(t) => {
                for (k, kv) in t.iter() {
                    if k.get_ref().as_ref() == needle {
                        return Some(Span::from(k.span()));
                    }
                    stack.push(kv);
                }
            }
            _ => {}
        }
    }
    None
}
