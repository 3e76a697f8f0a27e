//! Source files, byte spans, line index and the spanned value tree.

pub mod node;
pub mod origin;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use line_index::{LineIndex as RawIndex, TextSize, WideEncoding};

pub use node::{Node, NodeValue};

/// Index of a file in the run's file table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one file's text (`start..end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
    /// Shift a span found in a sub-slice that starts at `base` back to file offsets.
    pub fn offset(self, base: usize) -> Span {
        Span::new(self.start + base, self.end + base)
    }
    pub fn contains(&self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
    /// The text this span covers, or "" when it does not fit the text.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A position for humans: 1-based line, 1-based column in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// What a UTF-8 byte order mark at the start of a file is blanked to: as many spaces as its
/// bytes, so that offsets stay the file's and no parser sees it.
pub const BOM_BLANK: &str = "   ";

/// `text` with a leading UTF-8 byte order mark blanked to [`BOM_BLANK`], and whether it had one.
pub fn blank_bom(text: Arc<str>) -> (Arc<str>, bool) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (Arc::from(format!("{BOM_BLANK}{rest}")), true),
        None => (text, false),
    }
}

/// Byte offset <-> line/column conversions for one file.
#[derive(Debug, Clone)]
pub struct LineIndex {
    raw: RawIndex,
    len: usize,
    /// The text starts with a blanked byte order mark ([`BOM_BLANK`]): no column of line 1
    /// counts it.
    bom: bool,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        LineIndex {
            raw: RawIndex::new(text),
            len: text.len(),
            bom: false,
        }
    }

    /// The index of a text whose first bytes are a blanked byte order mark (see [`blank_bom`]).
    pub fn with_bom(text: &str, bom: bool) -> Self {
        LineIndex {
            bom: bom && text.starts_with(BOM_BLANK),
            ..LineIndex::new(text)
        }
    }

    fn clamp(&self, text: &str, offset: usize) -> usize {
        let mut o = offset.min(self.len);
        while o > 0 && !text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// 1-based line and 1-based column counted in Unicode scalar values (SARIF `unicodeCodePoints`).
    /// The line (1-based) of `offset`, from the index alone: right when the text was let go.
    pub fn line(&self, offset: usize) -> u32 {
        self.raw.line_col(TextSize::new(offset.min(self.len) as u32)).line + 1
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let o = self.clamp(text, offset);
        let lc = self.raw.line_col(TextSize::new(o as u32));
        let line_start = o - lc.col as usize;
        let mut column = text.get(line_start..o).map(|s| s.chars().count()).unwrap_or(0);
        if self.bom && lc.line == 0 {
            // editors show the file without its byte order mark
            column = column.saturating_sub(BOM_BLANK.len());
        }
        Position {
            line: lc.line + 1,
            column: column as u32 + 1,
        }
    }

    /// 0-based line and UTF-16 column, as the Language Server Protocol counts them.
    pub fn utf16(&self, text: &str, offset: usize) -> (u32, u32) {
        let o = self.clamp(text, offset);
        let lc = self.raw.line_col(TextSize::new(o as u32));
        let (line, col) = match self.raw.to_wide(WideEncoding::Utf16, lc) {
            Some(w) => (w.line, w.col),
            None => (lc.line, lc.col),
        };
        if self.bom && line == 0 {
            // the editor's text holds the mark as one UTF-16 unit, not three spaces
            let blank = BOM_BLANK.len() as u32;
            return (line, if col >= blank { col - blank + 1 } else { 0 });
        }
        (line, col)
    }

    /// Byte range of 1-based `line` without its line break.
    pub fn line_span(&self, text: &str, line: u32) -> Option<Span> {
        let r = self.raw.line(line.checked_sub(1)?)?;
        let s = Span::new(u32::from(r.start()) as usize, u32::from(r.end()) as usize);
        let t = s.slice(text);
        let trimmed = t.trim_end_matches(['\n', '\r']);
        Some(Span::new(s.start, s.start + trimmed.len()))
    }

    /// Number of lines.
    pub fn line_count(&self, text: &str) -> u32 {
        self.position(text, text.len()).line
    }
}

/// The environment a file deploys to, for production-scoped rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Prod,
    Nonprod,
    #[default]
    Unknown,
}

/// One scanned file: its path as shown to the user, its text and line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub id: FileId,
    /// Path as the user should see it (relative to the working directory when possible).
    pub path: PathBuf,
    pub text: Arc<str>,
    pub line_index: LineIndex,
}

impl SourceFile {
    /// A leading byte order mark is blanked (see [`blank_bom`]); columns of line 1 do not
    /// count it.
    pub fn new(id: FileId, path: PathBuf, text: impl Into<Arc<str>>) -> Self {
        let (text, bom) = blank_bom(text.into());
        let line_index = LineIndex::with_bom(&text, bom);
        SourceFile {
            id,
            path,
            text,
            line_index,
        }
    }
    pub fn position(&self, offset: usize) -> Position {
        self.line_index.position(&self.text, offset)
    }
    /// The line (1-based) of `offset`, known also when the text was let go (a manifest or a
    /// Python module on disk): what a message naming another file's line needs.
    pub fn line(&self, offset: usize) -> u32 {
        self.line_index.line(offset)
    }
    pub fn slice(&self, span: Span) -> &str {
        span.slice(&self.text)
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// Path with forward slashes, for reports and globs.
    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }
}

/// A path rendered with `/` separators and no leading `./`. A `\` is a separator on Windows
/// only: elsewhere it is a character of the name and is kept (each report format escapes it
/// where it must: SARIF and language server URIs percent-encode it, JSON writes `\\`).
pub fn display_path(p: &Path) -> String {
    let s = slashed(&p.to_string_lossy()).into_owned();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// `s` with the platform's separators written `/`: `\` becomes `/` on Windows, and nothing
/// changes elsewhere.
pub fn slashed(s: &str) -> std::borrow::Cow<'_, str> {
    if cfg!(windows) && s.contains('\\') {
        std::borrow::Cow::Owned(s.replace('\\', "/"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_blanked_and_not_counted() {
        let f = SourceFile::new(FileId(0), "Dockerfile".into(), "\u{feff}FROM alpine\nUSER app\n");
        assert!(f.text.starts_with("   FROM"));
        let from = f.text.find("FROM").unwrap_or(0);
        assert_eq!(from, 3, "offsets stay the file's");
        assert_eq!(f.position(from), Position { line: 1, column: 1 });
        assert_eq!(f.position(from + 5), Position { line: 1, column: 6 });
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        // line 2 is not touched
        let user = f.text.find("USER").unwrap_or(0);
        assert_eq!(f.position(user), Position { line: 2, column: 1 });
        // the editor's text holds the mark as one UTF-16 unit
        assert_eq!(f.line_index.utf16(&f.text, from), (0, 1));
        assert_eq!(f.line_index.utf16(&f.text, user), (1, 0));
        // three real spaces are columns
        let g = SourceFile::new(FileId(0), "a.yaml".into(), "   a: 1\n");
        assert_eq!(g.position(3), Position { line: 1, column: 4 });
    }

    #[cfg(unix)]
    #[test]
    fn a_backslash_in_a_file_name_is_kept_on_unix() {
        assert_eq!(display_path(Path::new("./deploy/we\\ird.yaml")), "deploy/we\\ird.yaml");
        assert_eq!(display_path(Path::new("a/b.yaml")), "a/b.yaml");
    }
}
