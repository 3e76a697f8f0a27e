//! A small JSON reader into the spanned [`Node`] tree: Terraform plans (`terraform show
//! -json`) and `jsondecode()`. Iterative (no recursion on nesting), every value keeps its byte
//! span, object keys keep theirs.

use crate::source::node::Entry;
use crate::source::{Node, NodeValue, Span};

/// Deepest nesting accepted.
const MAX_NESTING: usize = 512;

#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub message: String,
    pub at: usize,
}

fn err<T>(message: &str, at: usize) -> Result<T, JsonError> {
    Err(JsonError {
        message: message.to_string(),
        at,
    })
}

enum Frame {
    Seq {
        start: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        entries: Vec<Entry>,
        key: Option<(String, Span)>,
    },
}

struct Reader<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while self.i < self.b.len() && self.b[self.i] != b'"' && self.b[self.i] != b'\\' && self.b[self.i] >= 0x20 {
                self.i += 1;
            }
            out.push_str(self.s.get(run..self.i).unwrap_or(""));
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let Some(&c) = self.b.get(self.i + 1) else {
                        return err("unterminated string", start);
                    };
                    self.i += 2;
                    match c {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hex = |r: &mut Self| -> Result<u32, JsonError> {
                                let h = r.s.get(r.i..r.i + 4).ok_or(JsonError {
                                    message: "bad \\u escape".into(),
                                    at: r.i,
                                })?;
                                let v = u32::from_str_radix(h, 16).map_err(|_| JsonError {
                                    message: "bad \\u escape".into(),
                                    at: r.i,
                                })?;
                                r.i += 4;
                                Ok(v)
                            };
                            let mut v = hex(self)?;
                            if (0xD800..0xDC00).contains(&v)
                                && self.b.get(self.i) == Some(&b'\\')
                                && self.b.get(self.i + 1) == Some(&b'u')
                            {
                                self.i += 2;
                                let lo = hex(self)?;
                                v = 0x10000 + ((v - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                            }
                            out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                        }
                        _ => return err("bad escape", self.i - 1),
                    }
                }
                _ => return err("unterminated string", start),
            }
        }
    }

    fn scalar(&mut self) -> Result<Node, JsonError> {
        let start = self.i;
        let value = match self.peek() {
            Some(b'"') => NodeValue::String(self.string()?),
            Some(b't') if self.b[self.i..].starts_with(b"true") => {
                self.i += 4;
                NodeValue::Bool(true)
            }
            Some(b'f') if self.b[self.i..].starts_with(b"false") => {
                self.i += 5;
                NodeValue::Bool(false)
            }
            Some(b'n') if self.b[self.i..].starts_with(b"null") => {
                self.i += 4;
                NodeValue::Null
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                while self.i < self.b.len() && matches!(self.b[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    self.i += 1;
                }
                let raw = self.s.get(start..self.i).unwrap_or("");
                match raw.parse::<f64>() {
                    Ok(v) => NodeValue::Number {
                        value: v,
                        raw: raw.to_string(),
                    },
                    Err(_) => return err("bad number", start),
                }
            }
            Some(_) => return err("unexpected character", start),
            None => return err("unexpected end of input", start),
        };
        Ok(Node::new(Span::new(start, self.i), value))
    }
}

/// Parse one JSON document.
pub fn parse(text: &str) -> Result<Node, JsonError> {
    let mut r = Reader {
        b: text.as_bytes(),
        s: text,
        i: 0,
    };
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        r.ws();
        // a value starts here (or a container closes)
        let value = match r.peek() {
            Some(b'[') => {
                if stack.len() >= MAX_NESTING {
                    return err("nested too deeply", r.i);
                }
                stack.push(Frame::Seq {
                    start: r.i,
                    items: Vec::new(),
                });
                r.i += 1;
                r.ws();
                if r.peek() == Some(b']') {
                    None
                } else {
                    continue;
                }
            }
            Some(b'{') => {
                if stack.len() >= MAX_NESTING {
                    return err("nested too deeply", r.i);
                }
                stack.push(Frame::Map {
                    start: r.i,
                    entries: Vec::new(),
                    key: None,
                });
                r.i += 1;
                r.ws();
                if r.peek() == Some(b'}') {
                    None
                } else {
                    // read the first key
                    if r.peek() != Some(b'"') {
                        return err("expected a key", r.i);
                    }
                    let ks = r.i;
                    let k = r.string()?;
                    if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                        *key = Some((k, Span::new(ks, r.i)));
                    }
                    r.ws();
                    if r.peek() != Some(b':') {
                        return err("expected `:`", r.i);
                    }
                    r.i += 1;
                    continue;
                }
            }
            _ => Some(r.scalar()?),
        };
        // attach the value, then close containers and read separators
        let mut value = value;
        loop {
            if value.is_none() {
                // an empty container closing right here
                r.ws();
                match (stack.pop(), r.peek()) {
                    (Some(Frame::Seq { start, items }), Some(b']')) => {
                        r.i += 1;
                        value = Some(Node::new(Span::new(start, r.i), NodeValue::Seq(items)));
                    }
                    (Some(Frame::Map { start, entries, .. }), Some(b'}')) => {
                        r.i += 1;
                        value = Some(Node::new(Span::new(start, r.i), NodeValue::Map(entries)));
                    }
                    _ => return err("unbalanced brackets", r.i),
                }
            }
            let Some(v) = value.take() else { continue };
            match stack.last_mut() {
                None => {
                    r.ws();
                    if r.i < r.b.len() {
                        return err("text after the JSON value", r.i);
                    }
                    return Ok(v);
                }
                Some(Frame::Seq { items, .. }) => {
                    items.push(v);
                    r.ws();
                    match r.peek() {
                        Some(b',') => {
                            r.i += 1;
                            break;
                        }
                        Some(b']') => continue,
                        _ => return err("expected `,` or `]`", r.i),
                    }
                }
                Some(Frame::Map { entries, key, .. }) => {
                    let Some((k, ks)) = key.take() else {
                        return err("value without a key", r.i);
                    };
                    entries.push(Entry {
                        key: k,
                        key_span: ks,
                        value: v,
                    });
                    r.ws();
                    match r.peek() {
                        Some(b',') => {
                            r.i += 1;
                            r.ws();
                            if r.peek() != Some(b'"') {
                                return err("expected a key", r.i);
                            }
                            let s = r.i;
                            let k = r.string()?;
                            *key = Some((k, Span::new(s, r.i)));
                            r.ws();
                            if r.peek() != Some(b':') {
                                return err("expected `:`", r.i);
                            }
                            r.i += 1;
                            break;
                        }
                        Some(b'}') => continue,
                        _ => return err("expected `,` or `}`", r.i),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_spans() {
        let text = r#"{"a": [1, true, null, "x\u003cy"], "b": {}, "c": [], "d": {"e": -2.5e1}}"#;
        let n = parse(text).expect("valid");
        let a = n.get("a").expect("a");
        assert_eq!(a.items().len(), 4);
        assert_eq!(a.items()[3].as_str(), Some("x<y"));
        assert_eq!(a.items()[0].span.slice(text), "1");
        assert!(n.get("b").expect("b").entries().is_empty());
        assert!(n.get("c").expect("c").items().is_empty());
        assert_eq!(n.at("d.e").and_then(|v| v.as_f64()), Some(-25.0));
        assert_eq!(n.entry("d").expect("d").key_span.slice(text), "\"d\"");
    }

    #[test]
    fn errors_and_depth_are_bounded() {
        assert!(parse("{\"a\": }").is_err());
        assert!(parse("[1, 2").is_err());
        assert!(parse("{} x").is_err());
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let ok = format!("{}{}", "[".repeat(400), "]".repeat(400));
        assert!(parse(&ok).is_ok());
    }
}
