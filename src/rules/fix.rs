//! Applying fixes to a file's text. Shared by `linea check --fix` and the fixture harness so
//! both resolve overlapping edits the same way.

use crate::rules::{Applicability, Diagnostic, Edit, Fix};
use crate::source::{FileId, Span};

impl Edit {
    /// Insert `text` at byte offset `at`.
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            span: Span::new(at, at),
            replacement: text.into(),
        }
    }

    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span,
            replacement: text.into(),
        }
    }
}

impl Fix {
    pub fn safe(edits: Vec<Edit>) -> Fix {
        Fix {
            edits,
            applicability: Applicability::Safe,
        }
    }
}

/// The fixes of the unsuppressed findings about `file` (optionally of one rule only): the safe
/// ones, and the unsafe ones too when `unsafe_too`.
pub fn fixes_of<'a>(diagnostics: &'a [Diagnostic], file: FileId, rule: Option<&str>, unsafe_too: bool) -> Vec<&'a Fix> {
    diagnostics
        .iter()
        .filter(|d| d.file == file && d.suppressed.is_none() && rule.is_none_or(|r| d.rule == r))
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| (unsafe_too || f.applicability == Applicability::Safe) && !f.edits.is_empty())
        .collect()
}

/// Apply as many of `fixes` as do not overlap: fixes are taken in the order of their first
/// edit, a fix is applied whole or not at all, and one that touches text an earlier fix
/// already edits is left for a later pass (the caller re-lints and tries again). Returns the
/// new text and how many fixes were applied.
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut order: Vec<&Fix> = fixes.to_vec();
    order.sort_by_key(|f| f.edits.iter().map(|e| (e.span.start, e.span.end)).min());
    let mut taken: Vec<Span> = Vec::new();
    let mut edits: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in order {
        let fits = fix.edits.iter().all(|e| {
            e.span.start <= e.span.end
                && e.span.end <= text.len()
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
        });
        // two insertions at one offset conflict too: their order would be arbitrary
        let clash = |a: Span, b: Span| a.start < b.end && b.start < a.end || a.start == b.start;
        let overlaps = fix.edits.iter().enumerate().any(|(i, e)| {
            taken.iter().any(|t| clash(e.span, *t)) || fix.edits[..i].iter().any(|o| clash(e.span, o.span))
        });
        if !fits || overlaps {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| e.span));
        edits.extend(fix.edits.iter());
        applied += 1;
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.replacement.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_and_defers_overlaps() {
        let a = Fix::safe(vec![Edit::insert(3, " x")]);
        let b = Fix::safe(vec![Edit::insert(3, " y")]);
        let c = Fix::safe(vec![Edit::replace(Span::new(0, 3), "ABC"), Edit::insert(7, "!")]);
        let d = Fix::safe(vec![Edit::replace(Span::new(4, 7), "DEF")]);
        let (out, n) = apply("abc def", &[&d, &a, &b]);
        assert_eq!((out.as_str(), n), ("abc x DEF", 2));
        let (out, n) = apply("abc def", &[&c, &d]);
        assert_eq!((out.as_str(), n), ("ABC DEF!", 2));
        let e = Fix::safe(vec![Edit::insert(5, "?")]);
        assert_eq!(apply("abc def", &[&d, &e]), ("abc DEF".to_string(), 1));
        let bad = Fix::safe(vec![Edit::insert(99, "x")]);
        assert_eq!(apply("abc", &[&bad]), ("abc".to_string(), 0));
    }
}
