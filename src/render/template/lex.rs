//! The lexer of Go's `text/template`: text, `{{ }}` actions with `{{-`/`-}}` trimming,
//! comments, and the tokens inside actions. Spans are byte offsets into the template source.

use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Text between actions; the span is what remains after trimming.
    Text,
    /// `{{` (or `{{- `); the span covers the delimiter.
    Open,
    /// `}}` (or ` -}}`).
    Close,
    /// A whole `{{/* ... */}}` action.
    Comment,
    /// `.Name`
    Field(String),
    /// `.`
    Dot,
    /// `$name` (or `$`)
    Var(String),
    Ident(String),
    Keyword(Keyword),
    Str(String),
    Char(i64),
    Number(String),
    Bool(bool),
    Nil,
    LParen,
    RParen,
    Pipe,
    Declare,
    Assign,
    Comma,
    /// Whitespace inside an action (Go separates operands by it).
    Space,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    If,
    Else,
    End,
    Range,
    With,
    Define,
    Template,
    Block,
    Break,
    Continue,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub tok: Tok,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    pub message: String,
    pub span: Span,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Split a template into items. Stops at the first error, as Go does.
pub fn lex(src: &str) -> Result<Vec<Item>, LexError> {
    let b = src.as_bytes();
    let mut items = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    loop {
        let open = src[pos..].find("{{").map(|i| i + pos);
        let text_end = open.unwrap_or(src.len());
        let mut text_start = pos;
        if trim_next {
            while text_start < text_end && is_space(b[text_start]) {
                text_start += 1;
            }
        }
        let Some(open) = open else {
            if text_start < text_end {
                items.push(Item {
                    tok: Tok::Text,
                    span: Span::new(text_start, text_end),
                });
            }
            return Ok(items);
        };
        let left_trim = b.get(open + 2) == Some(&b'-') && b.get(open + 3).is_some_and(|c| is_space(*c));
        let mut end = text_end;
        if left_trim {
            while end > text_start && is_space(b[end - 1]) {
                end -= 1;
            }
        }
        if text_start < end {
            items.push(Item {
                tok: Tok::Text,
                span: Span::new(text_start, end),
            });
        }
        let inner = open + 2 + if left_trim { 2 } else { 0 };
        // a comment is the whole action
        if src[inner..].starts_with("/*") {
            let Some(close) = src[inner + 2..].find("*/").map(|i| i + inner + 2) else {
                return Err(LexError {
                    message: "unclosed comment".into(),
                    span: Span::new(open, src.len()),
                });
            };
            let after = close + 2;
            let (right_trim, action_end) = if src[after..].starts_with(" -}}")
                || (b.get(after).is_some_and(|c| is_space(*c)) && src[after + 1..].starts_with("-}}"))
            {
                (true, after + 4)
            } else if src[after..].starts_with("}}") {
                (false, after + 2)
            } else {
                return Err(LexError {
                    message: "comment ends before closing delimiter".into(),
                    span: Span::new(open, after),
                });
            };
            items.push(Item {
                tok: Tok::Comment,
                span: Span::new(open, action_end),
            });
            pos = action_end;
            trim_next = right_trim;
            continue;
        }
        items.push(Item {
            tok: Tok::Open,
            span: Span::new(open, inner),
        });
        let (next, right_trim) = lex_action(src, inner, &mut items)?;
        pos = next;
        trim_next = right_trim;
    }
}

/// Lex the inside of an action from `start`; returns the offset after `}}` and whether it
/// trimmed (` -}}`).
fn lex_action(src: &str, start: usize, items: &mut Vec<Item>) -> Result<(usize, bool), LexError> {
    let b = src.as_bytes();
    let mut i = start;
    let mut paren = 0i32;
    let err = |message: String, s: usize, e: usize| LexError {
        message,
        span: Span::new(s, e),
    };
    loop {
        let Some(&c) = b.get(i) else {
            return Err(err("unclosed action".into(), start.saturating_sub(2), src.len()));
        };
        // ` -}}` closes with a trim
        if is_space(c) && b.get(i + 1) == Some(&b'-') && src[i + 2..].starts_with("}}") {
            items.push(Item {
                tok: Tok::Close,
                span: Span::new(i, i + 4),
            });
            return Ok((i + 4, true));
        }
        if src[i..].starts_with("}}") {
            if paren > 0 {
                return Err(err("unclosed left paren".into(), i, i + 2));
            }
            items.push(Item {
                tok: Tok::Close,
                span: Span::new(i, i + 2),
            });
            return Ok((i + 2, false));
        }
        let s = i;
        let tok = match c {
            c if is_space(c) => {
                while b.get(i).is_some_and(|c| is_space(*c))
                    && !(b.get(i + 1) == Some(&b'-') && src[i + 2..].starts_with("}}"))
                {
                    i += 1;
                }
                if i == s {
                    // the space belongs to a ` -}}` that follows
                    i += 1;
                }
                Tok::Space
            }
            b'(' => {
                paren += 1;
                i += 1;
                Tok::LParen
            }
            b')' => {
                paren -= 1;
                if paren < 0 {
                    return Err(err("unexpected right paren".into(), i, i + 1));
                }
                i += 1;
                Tok::RParen
            }
            b'|' => {
                i += 1;
                Tok::Pipe
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b':' => {
                if b.get(i + 1) != Some(&b'=') {
                    return Err(err("expected :=".into(), i, i + 1));
                }
                i += 2;
                Tok::Declare
            }
            b'=' => {
                i += 1;
                Tok::Assign
            }
            b'"' => {
                let (value, end) = lex_quoted(src, i)?;
                i = end;
                Tok::Str(value)
            }
            b'`' => {
                let Some(close) = src[i + 1..].find('`') else {
                    return Err(err("unterminated raw quoted string".into(), i, src.len()));
                };
                let value = src[i + 1..i + 1 + close].to_string();
                i += close + 2;
                Tok::Str(value)
            }
            b'\'' => {
                let (value, end) = lex_char(src, i)?;
                i = end;
                Tok::Char(value)
            }
            b'$' => {
                i += 1;
                while let Some(ch) = src[i..].chars().next().filter(|c| is_alnum(*c)) {
                    i += ch.len_utf8();
                }
                Tok::Var(src[s..i].to_string())
            }
            b'.' => {
                if b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i = lex_number(src, i)?;
                    Tok::Number(src[s..i].to_string())
                } else {
                    i += 1;
                    let name_start = i;
                    while let Some(ch) = src[i..].chars().next().filter(|c| is_alnum(*c)) {
                        i += ch.len_utf8();
                    }
                    if i == name_start {
                        Tok::Dot
                    } else {
                        Tok::Field(src[name_start..i].to_string())
                    }
                }
            }
            b'+' | b'-' | b'0'..=b'9' => {
                i = lex_number(src, i)?;
                Tok::Number(src[s..i].to_string())
            }
            _ => {
                let Some(ch) = src[i..].chars().next() else {
                    return Err(err("unclosed action".into(), s, src.len()));
                };
                if !is_alnum(ch) {
                    if src[i..].starts_with("/*") {
                        return Err(err("comment must be the whole action".into(), i, i + 2));
                    }
                    return Err(err(format!("bad character `{ch}` in action"), i, i + ch.len_utf8()));
                }
                while let Some(ch) = src[i..].chars().next().filter(|c| is_alnum(*c)) {
                    i += ch.len_utf8();
                }
                let word = &src[s..i];
                match word {
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    "nil" => Tok::Nil,
                    "if" => Tok::Keyword(Keyword::If),
                    "else" => Tok::Keyword(Keyword::Else),
                    "end" => Tok::Keyword(Keyword::End),
                    "range" => Tok::Keyword(Keyword::Range),
                    "with" => Tok::Keyword(Keyword::With),
                    "define" => Tok::Keyword(Keyword::Define),
                    "template" => Tok::Keyword(Keyword::Template),
                    "block" => Tok::Keyword(Keyword::Block),
                    "break" => Tok::Keyword(Keyword::Break),
                    "continue" => Tok::Keyword(Keyword::Continue),
                    _ => Tok::Ident(word.to_string()),
                }
            }
        };
        items.push(Item {
            tok,
            span: Span::new(s, i),
        });
    }
}

/// A number token: sign, base prefix, digits, `_`, fraction, exponent (Go's syntax; the value
/// is checked by the parser).
fn lex_number(src: &str, start: usize) -> Result<usize, LexError> {
    let b = src.as_bytes();
    let mut i = start;
    if matches!(b.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let hex = src[i..].starts_with("0x") || src[i..].starts_with("0X");
    while let Some(&c) = b.get(i) {
        let exp = if hex {
            matches!(c, b'p' | b'P')
        } else {
            matches!(c, b'e' | b'E')
        };
        if exp && matches!(b.get(i + 1), Some(b'+' | b'-')) {
            i += 2;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
            i += 1;
        } else {
            break;
        }
    }
    if i == start || (i == start + 1 && matches!(b[start], b'+' | b'-')) {
        return Err(LexError {
            message: format!("bad number syntax: `{}`", &src[start..i.max(start + 1).min(src.len())]),
            span: Span::new(start, i.max(start + 1).min(src.len())),
        });
    }
    Ok(i)
}

fn lex_quoted(src: &str, start: usize) -> Result<(String, usize), LexError> {
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices();
    let err = |m: &str, e: usize| LexError {
        message: m.to_string(),
        span: Span::new(start, e),
    };
    while let Some((off, c)) = chars.next() {
        let at = start + 1 + off;
        match c {
            '"' => return Ok((out, at + 1)),
            '\n' => return Err(err("unterminated quoted string", at)),
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    return Err(err("unterminated quoted string", src.len()));
                };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    '\'' => out.push('\''),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v = 0u32;
                        for _ in 0..n {
                            let Some((_, h)) = chars.next() else {
                                return Err(err("unterminated quoted string", src.len()));
                            };
                            let Some(d) = h.to_digit(16) else {
                                return Err(err("invalid escape in quoted string", at + 2));
                            };
                            v = v * 16 + d;
                        }
                        if e == 'x' {
                            // a byte: only ASCII keeps the string valid UTF-8
                            out.push(char::from_u32(v).filter(|_| v < 0x80).unwrap_or('\u{fffd}'));
                        } else {
                            out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                        }
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            let Some((_, h)) = chars.next() else {
                                return Err(err("unterminated quoted string", src.len()));
                            };
                            let Some(d) = h.to_digit(8) else {
                                return Err(err("invalid escape in quoted string", at + 2));
                            };
                            v = v * 8 + d;
                        }
                        out.push(char::from_u32(v).filter(|_| v < 0x80).unwrap_or('\u{fffd}'));
                    }
                    _ => return Err(err("invalid escape in quoted string", at + 2)),
                }
            }
            c => out.push(c),
        }
    }
    Err(err("unterminated quoted string", src.len()))
}

fn lex_char(src: &str, start: usize) -> Result<(i64, usize), LexError> {
    let rest = &src[start + 1..];
    let err = || LexError {
        message: "bad character constant".into(),
        span: Span::new(start, (start + 3).min(src.len())),
    };
    let mut chars = rest.char_indices();
    let (_, c) = chars.next().ok_or_else(err)?;
    let value = if c == '\\' {
        let (_, e) = chars.next().ok_or_else(err)?;
        match e {
            'n' => '\n' as i64,
            't' => '\t' as i64,
            'r' => '\r' as i64,
            '\\' => '\\' as i64,
            '\'' => '\'' as i64,
            '0' => 0,
            _ => return Err(err()),
        }
    } else {
        c as i64
    };
    let (off, q) = chars.next().ok_or_else(err)?;
    if q != '\'' {
        return Err(err());
    }
    Ok((value, start + 1 + off + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src)
            .unwrap()
            .into_iter()
            .map(|i| i.tok)
            .filter(|t| *t != Tok::Space)
            .collect()
    }

    fn texts(src: &str) -> Vec<String> {
        lex(src)
            .unwrap()
            .into_iter()
            .filter(|i| i.tok == Tok::Text)
            .map(|i| i.span.slice(src).to_string())
            .collect()
    }

    #[test]
    fn trim_markers_eat_whitespace_on_their_side() {
        assert_eq!(texts("a  \n {{- 3 -}} \n\t b"), ["a", "b"]);
        assert_eq!(texts("a {{ 3 }} b"), ["a ", " b"]);
        // `{{-3}}` is the number -3, not a trim
        assert_eq!(toks("{{-3}}"), [Tok::Open, Tok::Number("-3".into()), Tok::Close]);
        assert_eq!(texts("x\n  {{- /* note */ -}}\n  y"), ["x", "y"]);
    }

    #[test]
    fn fields_variables_and_literals() {
        assert_eq!(
            toks(r#"{{ $x := .Values.image.tag | default "v\t1" }}"#),
            [
                Tok::Open,
                Tok::Var("$x".into()),
                Tok::Declare,
                Tok::Field("Values".into()),
                Tok::Field("image".into()),
                Tok::Field("tag".into()),
                Tok::Pipe,
                Tok::Ident("default".into()),
                Tok::Str("v\t1".into()),
                Tok::Close
            ]
        );
        assert_eq!(
            toks("{{ range $i, $v := . }}{{ end }}")[1..6],
            [
                Tok::Keyword(Keyword::Range),
                Tok::Var("$i".into()),
                Tok::Comma,
                Tok::Var("$v".into()),
                Tok::Declare
            ]
        );
        assert_eq!(toks("{{ 'a' 1.5e3 0x1F `raw}}` }}")[1..5].len(), 4);
    }

    #[test]
    fn errors_are_located() {
        let e = lex("ok {{ .Values.x ").unwrap_err();
        assert_eq!(e.message, "unclosed action");
        assert!(lex("{{ \"abc }}").is_err());
        assert!(lex("{{/* never closed }}").is_err());
        assert_eq!(lex("{{ a # b }}").unwrap_err().span, Span::new(5, 6));
    }
}
