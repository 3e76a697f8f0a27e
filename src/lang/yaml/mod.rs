//! YAML streams into the spanned [`Node`] tree, document by document.

use granit_parser::{Event, Parser, ScalarStyle};

use crate::lang::ParseError;
use crate::source::node::{Entry, Node, NodeValue};
use crate::source::Span;

/// Upper bound on nodes produced by alias expansion in one document (alias bombs).
const ALIAS_BUDGET: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    /// Position of the document in its stream (0-based).
    pub index: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    /// Syntax errors; the documents before the error are still returned.
    pub errors: Vec<ParseError>,
}

enum Frame {
    Seq {
        start: usize,
        items: Vec<Node>,
        anchor: usize,
    },
    Map {
        start: usize,
        entries: Vec<Entry>,
        pending_key: Option<(String, Span)>,
        anchor: usize,
    },
}

fn byte_span(text: &str, span: &granit_parser::Span) -> Span {
    match span.byte_range() {
        Some(r) => Span::new(r.start.min(text.len()), r.end.min(text.len())),
        None => Span::empty(0),
    }
}

/// Resolve a plain scalar by the YAML 1.2 core schema.
pub fn resolve_plain(s: &str) -> NodeValue {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return NodeValue::Null,
        "true" | "True" | "TRUE" => return NodeValue::Bool(true),
        "false" | "False" | "FALSE" => return NodeValue::Bool(false),
        _ => {}
    }
    let looks_numeric = s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.');
    if looks_numeric {
        if let Some(hex) = s.strip_prefix("0x") {
            if let Ok(v) = i64::from_str_radix(hex, 16) {
                return NodeValue::Number {
                    value: v as f64,
                    raw: s.to_string(),
                };
            }
        }
        if let Some(oct) = s.strip_prefix("0o") {
            if let Ok(v) = i64::from_str_radix(oct, 8) {
                return NodeValue::Number {
                    value: v as f64,
                    raw: s.to_string(),
                };
            }
        }
        let numeric_chars = s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
        if numeric_chars {
            if let Ok(v) = s.parse::<f64>() {
                return NodeValue::Number {
                    value: v,
                    raw: s.to_string(),
                };
            }
        }
    }
    NodeValue::String(s.to_string())
}

fn count_nodes(n: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            NodeValue::Seq(items) => stack.extend(items.iter()),
            NodeValue::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    count
}

/// Parse a YAML stream. Never panics; recursion-free.
pub fn parse(text: &str) -> Stream {
    let mut out = Stream::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: Vec<(usize, Node)> = Vec::new();
    let mut alias_nodes = 0usize;
    let mut doc_index = 0usize;
    let mut root: Option<Node> = None;

    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) => {
                let m = e.marker();
                let at = m.byte_offset().unwrap_or(0).min(text.len());
                out.errors
                    .push(ParseError::new(e.info().to_string(), Span::new(at, at)));
                break;
            }
        };
        let sp = byte_span(text, &span);
        let node = match event {
            Event::DocumentStart(..) => {
                stack.clear();
                anchors.clear();
                alias_nodes = 0;
                root = None;
                continue;
            }
            Event::DocumentEnd => {
                out.documents.push(Document {
                    root: root.take().unwrap_or(Node::new(sp, NodeValue::Null)),
                    index: doc_index,
                });
                doc_index += 1;
                continue;
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let v = if style == ScalarStyle::Plain {
                    resolve_plain(&value)
                } else {
                    NodeValue::String(value.into_owned())
                };
                let n = Node::new(sp, v);
                if anchor != 0 {
                    anchors.push((anchor, n.clone()));
                }
                n
            }
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Frame::Seq {
                    start: sp.start,
                    items: Vec::new(),
                    anchor,
                });
                continue;
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Frame::Map {
                    start: sp.start,
                    entries: Vec::new(),
                    pending_key: None,
                    anchor,
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq { start, items, anchor }) => {
                    let n = Node::new(Span::new(start, sp.end.max(start)), NodeValue::Seq(items));
                    if anchor != 0 {
                        anchors.push((anchor, n.clone()));
                    }
                    n
                }
                _ => continue,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    start, entries, anchor, ..
                }) => {
                    let n = Node::new(Span::new(start, sp.end.max(start)), NodeValue::Map(entries));
                    if anchor != 0 {
                        anchors.push((anchor, n.clone()));
                    }
                    n
                }
                _ => continue,
            },
            Event::Alias(id) => {
                let target = anchors.iter().rev().find(|(a, _)| *a == id).map(|(_, n)| n);
                match target {
                    Some(t) => {
                        alias_nodes += count_nodes(t);
                        if alias_nodes > ALIAS_BUDGET {
                            out.errors.push(ParseError::new(
                                format!("alias expansion exceeds {ALIAS_BUDGET} nodes"),
                                sp,
                            ));
                            return out;
                        }
                        let mut n = t.clone();
                        n.span = sp;
                        n
                    }
                    None => Node::new(sp, NodeValue::Null),
                }
            }
            _ => continue,
        };
        // attach the finished node to its parent
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, pending_key, ..
            }) => match pending_key.take() {
                None => {
                    let key = node.scalar_text().unwrap_or_default();
                    *pending_key = Some((key, node.span));
                }
                Some((key, key_span)) => entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                }),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_with_spans() {
        let text = "a: 1\nb: [x, \"y\"]\n---\nkind: Pod\n";
        let s = parse(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.documents.len(), 2);
        let b = s.documents[0].root.get("b").unwrap();
        assert_eq!(b.items()[1].span.slice(text), "\"y\"");
        assert_eq!(s.documents[1].root.get("kind").unwrap().as_str(), Some("Pod"));
        let e = s.documents[1].root.entry("kind").unwrap();
        assert_eq!(e.key_span.slice(text), "kind");
    }

    #[test]
    fn reports_errors_with_location() {
        let s = parse("a: [1, 2\n");
        assert_eq!(s.errors.len(), 1);
    }
}
