//! Escaping what scanned files put into reports.
//!
//! A repository is untrusted input: a file name or a YAML value can hold ESC sequences (which
//! set a terminal's title, clear the screen or write the clipboard), bidirectional overrides
//! (which make a line read differently from what it is), or a newline followed by `::error::…`,
//! which a GitHub Actions runner executes as a workflow command when it starts a line of the log.
//! Every format passes such text through here:
//!
//! - [`text`] makes every control character visible (`\x1b`, `\n`, `\u{202e}`), so a value
//!   always stays on its line and can never start one;
//! - [`path`] does the same for a path, and prefixes `./` to a relative path that starts with
//!   `::`, for the formats that begin a line with the path (concise, JUnit bodies);
//! - [`snippet`] replaces control characters of source text with `?` byte for byte, so the
//!   offsets of spans into it stay valid;
//! - [`JsonFormatter`] makes serde_json write the characters it leaves raw (DEL, C1 controls,
//!   bidirectional controls, line separators) as `\uXXXX`, which decodes to the same string.

use std::borrow::Cow;
use std::io;

/// Whether a character must not reach a terminal or log raw. Tab is kept: it moves the cursor
/// and nothing else.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{a}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // bidirectional embeddings, overrides and isolates (CVE-2021-42574, "Trojan Source")
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        // line and paragraph separators: some viewers break lines there
        | '\u{2028}' | '\u{2029}'
    )
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// Text with every unsafe character written as a visible escape.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path for the start of a line: escaped, and never beginning with `::`.
pub fn path(p: &str) -> Cow<'_, str> {
    let escaped = text(p);
    if escaped.starts_with("::") {
        Cow::Owned(format!("./{escaped}"))
    } else {
        escaped
    }
}

/// Source text with each unsafe character replaced by as many `?` as it has bytes: the text
/// keeps its length, lines and character boundaries, so spans into it still fit. A `\r` before
/// `\n` (a CRLF line end) is kept.
pub fn snippet(s: &str) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let mut unsafe_at = s
        .char_indices()
        .filter(|&(i, c)| is_unsafe(c) && c != '\n' && !(c == '\r' && bytes.get(i + 1) == Some(&b'\n')))
        .peekable();
    if unsafe_at.peek().is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for (i, c) in unsafe_at {
        out.push_str(&s[last..i]);
        for _ in 0..c.len_utf8() {
            out.push('?');
        }
        last = i + c.len_utf8();
    }
    out.push_str(&s[last..]);
    Cow::Owned(out)
}

/// A serde_json formatter (pretty or compact) that escapes, in strings, what serde_json writes
/// raw although a terminal or a log viewer acts on it.
pub struct JsonFormatter<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for JsonFormatter<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        // every unsafe character is DEL or beyond: most fragments are plain ASCII below it
        if fragment.bytes().all(|b| b < 0x7f) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut last = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[last..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                last = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[last..])
    }

    // everything else as the wrapped formatter does it
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `value` as pretty JSON (two-space indent, a final newline) through [`JsonFormatter`].
pub fn to_json_pretty<T: serde::Serialize>(value: &T) -> String {
    let mut buf = Vec::new();
    if write_json_pretty(value, &mut buf).is_err() {
        return String::new();
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// `value` as pretty JSON, like [`to_json_pretty`], written to `w` as it is serialised (a
/// large report is never held whole in memory a second time).
pub fn write_json_pretty<T: serde::Serialize>(value: &T, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(
        &mut *w,
        JsonFormatter(serde_json::ser::PrettyFormatter::with_indent(b"  ")),
    );
    value.serialize(&mut ser).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_makes_controls_visible() {
        assert_eq!(text("plain `x`: é"), "plain `x`: é");
        assert_eq!(text("a\u{1b}]0;pwned\u{7}b"), "a\\x1b]0;pwned\\x07b");
        assert_eq!(text("v\n::error::x"), "v\\n::error::x");
        assert_eq!(text("\u{9b}31m \u{202e}cba\t"), "\\x9b31m \\u{202e}cba\t");
    }

    #[test]
    fn path_never_starts_a_workflow_command() {
        assert_eq!(path("::error::x.yaml"), "./::error::x.yaml");
        assert_eq!(path("k8s/::x.yaml"), "k8s/::x.yaml");
        assert_eq!(path("a\n::error::b"), "a\\n::error::b");
    }

    #[test]
    fn snippet_keeps_every_offset() {
        let s = "a: \u{1b}[2J\u{9b}x\u{202e}y\r\nb\rc\n";
        let out = snippet(s);
        assert_eq!(out.len(), s.len());
        assert_eq!(out, "a: ?[2J??x???y\r\nb?c\n");
        for (i, _) in s.char_indices() {
            assert!(out.is_char_boundary(i));
        }
        assert!(matches!(snippet("clean\r\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_escapes_what_serde_json_leaves_raw() {
        let v = serde_json::json!({"m": "a\u{7f}\u{9b}\u{202e}\u{1b}\n\"é"});
        let s = to_json_pretty(&v);
        assert!(!s.chars().any(|c| is_unsafe(c) && c != '\n'), "{s:?}");
        assert!(s.contains("\\u007f\\u009b\\u202e\\u001b\\n\\\"é"), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap_or_default();
        assert_eq!(back, v);
    }
}
