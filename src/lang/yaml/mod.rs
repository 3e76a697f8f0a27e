//! YAML streams into the spanned [`Node`] tree, document by document.

use std::sync::Arc;

use granit_parser::{Event, Parser, ScalarStyle};

use crate::budget::{self, SharedMeter};
use crate::lang::ParseError;
use crate::source::node::{Entry, Node, NodeValue};
use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    /// Position of the document in its stream (0-based; broken documents count).
    pub index: usize,
    /// Byte range of the document in the file.
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
    /// Syntax errors and duplicate keys; every document that parsed is still returned.
    pub errors: Vec<ParseError>,
}

enum Frame {
    /// Its items are `items[from..]` of the parse's buffer until it ends.
    Seq {
        start: usize,
        from: usize,
        anchor: usize,
        cost: Cost,
    },
    /// Its entries are `entries[from..]` of the parse's buffer until it ends.
    Map {
        start: usize,
        from: usize,
        pending_key: Option<(String, Span)>,
        anchor: usize,
        seen: KeySet,
        cost: Cost,
    },
}

/// What copying a subtree costs: its estimated memory and its height. Kept for every node as
/// it is built, so an anchor or alias is priced without walking its subtree again.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    bytes: u64,
    height: usize,
}

/// Estimated bytes of one node besides its text.
const NODE_BYTES: u64 = 64;

impl Cost {
    fn leaf(text_len: usize) -> Cost {
        Cost {
            bytes: NODE_BYTES + text_len as u64,
            height: 1,
        }
    }
    fn add_child(&mut self, child: Cost, key_len: usize) {
        self.bytes = self.bytes.saturating_add(child.bytes).saturating_add(key_len as u64);
        self.height = self.height.max(child.height + 1);
    }
}

/// What anchors and aliases may still copy: the file's meter (shared by the parts of a split
/// stream) and the run's.
struct Copies<'a> {
    file: &'a SharedMeter,
    run: Option<Arc<budget::Run>>,
    /// Charged to the run so far (refunded when a parallel attempt is thrown away).
    run_charged: std::sync::atomic::AtomicU64,
}

impl Copies<'_> {
    fn charge(&self, bytes: u64) -> Result<(), budget::Exceeded> {
        self.file.charge(bytes)?;
        if let Some(run) = &self.run {
            self.run_charged.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
            run.charge(&budget::YAML_ALIAS_BYTES_PER_RUN, bytes)?;
        }
        Ok(())
    }

    fn refund_run(&self) {
        if let Some(run) = &self.run {
            let n = self.run_charged.swap(0, std::sync::atomic::Ordering::Relaxed);
            run.refund(&budget::YAML_ALIAS_BYTES_PER_RUN, n);
        }
    }
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

/// Upper bound on the nesting of a tree built with aliases: the tree is cloned and dropped
/// recursively, so it must stay far below what a 2 MiB rayon stack can take.
const MAX_TREE_DEPTH: usize = 512;

/// Parse a YAML stream. Never panics; recursion-free.
///
/// A syntax error abandons only the document it is in: the parser resumes at the next `---` at
/// column 0 (granit's `proceed_next_document`, which keeps the original byte offsets), so the
/// documents after a broken one are still returned. Duplicate keys are reported as errors
/// (`duplicate key `x``) and the document is kept, the later value winning as in Kubernetes.
pub fn parse(text: &str) -> Stream {
    let run = budget::current();
    let chunks = split_points(text);
    if chunks.len() < 2 {
        return parse_whole(text, run);
    }
    let file = SharedMeter::new(&budget::YAML_ALIAS_BYTES_PER_FILE);
    let copies = Copies {
        file: &file,
        run: run.clone(),
        run_charged: Default::default(),
    };
    // a large stream (a rendered install bundle) is split at document markers and its parts
    // parsed in parallel; spans and document indexes are shifted back into the whole file
    use rayon::prelude::*;
    let parts: Vec<(Stream, usize)> = chunks
        .par_windows(2)
        .map(|w| {
            let (from, to) = (w[0], w[1]);
            budget::within(run.as_ref(), || {
                parse_from(text.get(from..to).unwrap_or(""), from, &copies)
            })
        })
        .collect();
    if file.exceeded() {
        // which part went over first depends on the threads: parse again in order, so the
        // same alias is reported on every run
        copies.refund_run();
        return parse_whole(text, run);
    }
    let mut out = Stream::default();
    let mut docs_before = 0;
    for (mut part, count) in parts {
        for d in &mut part.documents {
            d.index += docs_before;
        }
        docs_before += count;
        out.documents.append(&mut part.documents);
        out.errors.append(&mut part.errors);
    }
    out
}

/// Parse a stream in one piece, on this thread.
fn parse_whole(text: &str, run: Option<Arc<budget::Run>>) -> Stream {
    let file = SharedMeter::new(&budget::YAML_ALIAS_BYTES_PER_FILE);
    let copies = Copies {
        file: &file,
        run,
        run_charged: Default::default(),
    };
    parse_from(text, 0, &copies).0
}

/// Streams below this size are parsed in one piece.
const SPLIT_ABOVE: usize = 512 * 1024;
/// Aim for parts of about this size.
const PART_SIZE: usize = 256 * 1024;

/// Byte offsets splitting a large stream into parts at document start markers (`---` at
/// column 0, which YAML forbids inside any scalar), first 0 and last the length; just `[0]`
/// when the stream is small or uses directives (`%YAML`, which bind to the next document).
fn split_points(text: &str) -> Vec<usize> {
    if text.len() < SPLIT_ABOVE || text.starts_with('%') || text.contains("\n%") {
        return vec![0];
    }
    let bytes = text.as_bytes();
    let mut points = vec![0];
    let mut last = 0;
    for (i, _) in text.match_indices("\n---") {
        let at = i + 1;
        let marker = matches!(bytes.get(at + 3), None | Some(b' ' | b'\t' | b'\n' | b'\r'));
        if marker && at - last >= PART_SIZE {
            points.push(at);
            last = at;
        }
    }
    if points.len() > 1 {
        points.push(text.len());
    }
    points
}

/// Add `offset` to every span of a parsed part.
fn shift(stream: &mut Stream, offset: usize) {
    if offset == 0 {
        return;
    }
    let by = |s: &mut Span| {
        s.start += offset;
        s.end += offset;
    };
    for e in &mut stream.errors {
        by(&mut e.span);
    }
    let mut stack: Vec<&mut Node> = Vec::new();
    for d in &mut stream.documents {
        by(&mut d.span);
        stack.push(&mut d.root);
    }
    while let Some(n) = stack.pop() {
        by(&mut n.span);
        match &mut n.value {
            NodeValue::Seq(items) => stack.extend(items.iter_mut()),
            NodeValue::Map(entries) => {
                for e in entries.iter_mut() {
                    by(&mut e.key_span);
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
}

/// Parse `text`, which starts at byte `offset` of its file; also returns how many documents
/// (broken ones included) it held.
fn parse_from(text: &str, offset: usize, copies: &Copies<'_>) -> (Stream, usize) {
    let (mut stream, count) = parse_part(text, copies);
    shift(&mut stream, offset);
    (stream, count)
}

fn parse_part(text: &str, copies: &Copies<'_>) -> (Stream, usize) {
    let mut out = Stream::default();
    let mut stack: Vec<Frame> = Vec::new();
    // the children of the open collections, innermost last: one buffer for the whole parse, so
    // each collection is allocated once at its exact size when it ends
    let mut items: Vec<Node> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    // anchored nodes by anchor id, with what copying them costs; `None` when keeping the copy
    // went over the budget (aliases to it are then unknown)
    let mut anchors: Vec<(usize, Option<(Node, Cost)>)> = Vec::new();
    // one PARSE004 per part: every later alias over the budget is unknown without a new finding
    let mut reported = false;
    let mut doc_index = 0usize;
    let mut doc_start = 0usize;
    let mut root: Option<Node> = None;
    // comments are not part of the tree; buffering them costs lookahead, and a long run of
    // commented-out lines (a chart's values.yaml) would exceed granit's buffer
    let mut options = granit_parser::Options::default();
    options.set_emit_comments(false);
    let mut parser = Parser::new_from_str_with_options(text, options);

    // an anchor keeps a copy of its node: that copy is charged like an alias's
    let keep_anchor = |anchors: &mut Vec<(usize, Option<(Node, Cost)>)>,
                       anchor: usize,
                       n: &Node,
                       cost: Cost,
                       errors: &mut Vec<ParseError>,
                       reported: &mut bool| {
        if anchor == 0 {
            return;
        }
        match copies.charge(cost.bytes) {
            Ok(()) => anchors.push((anchor, Some((n.clone(), cost)))),
            Err(e) => {
                if !*reported {
                    errors.push(ParseError::budget(e.to_string(), n.span));
                    *reported = true;
                }
                anchors.push((anchor, None));
            }
        }
    };

    while let Some(item) = parser.next_event() {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) => {
                let m = e.marker();
                let at = m.byte_offset().unwrap_or(0).min(text.len());
                out.errors
                    .push(ParseError::new(e.info().to_string(), Span::new(at, at)));
                // abandon the partial document and resume at the next document marker
                stack.clear();
                items.clear();
                entries.clear();
                anchors.clear();
                root = None;
                doc_index += 1;
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    _ => break,
                }
            }
        };
        let sp = byte_span(text, &span);
        let (node, cost) = match event {
            Event::DocumentStart(..) => {
                stack.clear();
                items.clear();
                entries.clear();
                anchors.clear();
                root = None;
                doc_start = sp.start;
                continue;
            }
            Event::DocumentEnd => {
                let end = sp.end.max(doc_start);
                out.documents.push(Document {
                    root: root
                        .take()
                        .unwrap_or(Node::new(Span::empty(doc_start), NodeValue::Null)),
                    index: doc_index,
                    span: Span::new(doc_start, end),
                });
                doc_index += 1;
                continue;
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let cost = Cost::leaf(value.len());
                let v = if style == ScalarStyle::Plain {
                    resolve_plain(&value)
                } else {
                    NodeValue::String(value.into_owned())
                };
                let n = Node::new(sp, v);
                keep_anchor(&mut anchors, anchor, &n, cost, &mut out.errors, &mut reported);
                (n, cost)
            }
            Event::SequenceStart(_, anchor, _) => {
                stack.push(Frame::Seq {
                    start: sp.start,
                    from: items.len(),
                    anchor,
                    cost: Cost::leaf(0),
                });
                continue;
            }
            Event::MappingStart(_, anchor, _) => {
                stack.push(Frame::Map {
                    start: sp.start,
                    from: entries.len(),
                    pending_key: None,
                    anchor,
                    seen: KeySet::default(),
                    cost: Cost::leaf(0),
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq {
                    start,
                    from,
                    anchor,
                    cost,
                }) => {
                    let own: Vec<Node> = items.drain(from.min(items.len())..).collect();
                    let end = collection_end(sp, own.last().map(|n| n.span.end), start);
                    let n = Node::new(Span::new(start, end), NodeValue::Seq(own));
                    keep_anchor(&mut anchors, anchor, &n, cost, &mut out.errors, &mut reported);
                    (n, cost)
                }
                _ => continue,
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
                    start,
                    from,
                    anchor,
                    cost,
                    ..
                }) => {
                    let own: Vec<Entry> = entries.drain(from.min(entries.len())..).collect();
                    // a duplicate key replaces its first entry in place: the last value is not always last
                    let end = collection_end(sp, own.iter().map(|e| e.value.span.end).max(), start);
                    let n = Node::new(Span::new(start, end), NodeValue::Map(own));
                    keep_anchor(&mut anchors, anchor, &n, cost, &mut out.errors, &mut reported);
                    (n, cost)
                }
                _ => continue,
            },
            Event::Alias(id) => {
                let target = anchors.iter().rev().find(|(a, _)| *a == id).map(|(_, n)| n);
                match target {
                    Some(Some((t, cost))) => {
                        let too_deep = stack.len() + cost.height > MAX_TREE_DEPTH;
                        let verdict = if too_deep {
                            Err(format!("alias expansion nests deeper than {MAX_TREE_DEPTH} levels"))
                        } else {
                            copies.charge(cost.bytes).map_err(|e| e.to_string())
                        };
                        match verdict {
                            Ok(()) => {
                                let mut n = t.clone();
                                n.span = sp;
                                (n, *cost)
                            }
                            Err(message) => {
                                if !reported {
                                    out.errors.push(ParseError::budget(message, sp));
                                    reported = true;
                                }
                                (unknown_alias(text, sp), Cost::leaf(sp.len()))
                            }
                        }
                    }
                    // the anchor's own copy went over the budget (already reported)
                    Some(None) => (unknown_alias(text, sp), Cost::leaf(sp.len())),
                    None => (Node::new(sp, NodeValue::Null), Cost::leaf(0)),
                }
            }
            _ => continue,
        };
        // attach the finished node to its parent
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { cost: c, .. }) => {
                c.add_child(cost, 0);
                items.push(node);
            }
            Some(Frame::Map {
                from,
                pending_key,
                seen,
                cost: c,
                ..
            }) => match pending_key.take() {
                None => {
                    let key = node.scalar_text().unwrap_or_default();
                    *pending_key = Some((key, node.span));
                }
                Some((key, key_span)) => {
                    c.add_child(cost, key.len());
                    let from = (*from).min(entries.len());
                    match seen.insert(&key, &entries[from..]) {
                        Some(i) => {
                            out.errors
                                .push(ParseError::new(format!("duplicate key `{key}`"), key_span));
                            // the later value wins, as in Kubernetes and most YAML loaders
                            if let Some(e) = entries.get_mut(from + i) {
                                e.key_span = key_span;
                                e.value = node;
                            }
                        }
                        None => entries.push(Entry {
                            key,
                            key_span,
                            value: node,
                        }),
                    }
                }
            },
        }
    }
    (out, doc_index)
}

/// An alias that was not expanded (over a budget): unknown, with its text (`*defaults`).
fn unknown_alias(text: &str, sp: Span) -> Node {
    Node::new(sp, NodeValue::Unknown(sp.slice(text).to_string()))
}

/// Where a collection ends: at its closing bracket (flow style), or at its last child (block
/// style, whose end event sits on the next token and would drag trailing blank lines along).
fn collection_end(end_event: Span, last_child: Option<usize>, start: usize) -> usize {
    let end = if end_event.is_empty() {
        last_child.unwrap_or(end_event.end)
    } else {
        end_event.end
    };
    end.max(start)
}

/// Keys seen in one mapping: a linear scan while the mapping is small, a hash index beyond
/// that, so a huge generated mapping (and one full of duplicates) stays linear.
#[derive(Default)]
struct KeySet {
    index: Option<std::collections::HashMap<String, usize>>,
}

impl KeySet {
    /// Record `key`, about to be pushed at the end of `entries`; the index of the entry that
    /// already has it, if any.
    fn insert(&mut self, key: &str, entries: &[Entry]) -> Option<usize> {
        const SMALL: usize = 32;
        if self.index.is_none() && entries.len() >= SMALL {
            self.index = Some(entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)).collect());
        }
        match &mut self.index {
            Some(index) => match index.get(key) {
                Some(&i) => Some(i),
                None => {
                    index.insert(key.to_string(), entries.len());
                    None
                }
            },
            None => entries.iter().position(|e| e.key == key),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_runs_of_comments_parse() {
        // a values.yaml whose map opens with a long commented-out example
        let mut text = String::from("name: demo\ncomponents:\n");
        for i in 0..150 {
            text.push_str(&format!("  # line {i}: commented out\n"));
        }
        text.push_str("  api:\n    enabled: true\n");
        let s = super::parse(&text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
    }

    use super::*;

    #[test]
    fn a_large_stream_parsed_in_parts_equals_the_stream_parsed_whole() {
        let docs = [
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  script: |\n    --- not a marker\n    echo hi\n",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  name: dup\nspec:\n  replicas: 2\n",
            "kind: [broken\n",
            "--- # comment on the marker line\nbase: &b {a: 1}\nderived: *b\n",
            "",
            "...\n",
        ];
        let mut text = String::new();
        let mut i = 0;
        while text.len() < 3 * SPLIT_ABOVE {
            text.push_str("---\n");
            text.push_str(docs[i % docs.len()]);
            i += 1;
        }
        assert!(split_points(&text).len() > 3);
        let whole = parse_whole(&text, None);
        let parts = parse(&text);
        assert_eq!(parts.documents.len(), whole.documents.len());
        assert_eq!(format!("{:?}", parts.errors), format!("{:?}", whole.errors));
        assert_eq!(format!("{:?}", parts.documents), format!("{:?}", whole.documents));
    }

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

    /// Run `f` on a thread with a rayon-sized (2 MiB) stack: deep input must not overflow it.
    fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn broken_document_does_not_hide_the_next_ones() {
        let text = "kind: A\n---\nkind: [B\n---\nkind: C\n---\nkind: D\n";
        let s = parse(text);
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        let kinds: Vec<_> = s
            .documents
            .iter()
            .map(|d| d.root.get("kind").and_then(|k| k.as_str()).unwrap_or("").to_string())
            .collect();
        assert_eq!(kinds, ["A", "C", "D"]);
        // spans stay file offsets after recovery
        let c = s.documents[1].root.get("kind").unwrap();
        assert_eq!(c.span.slice(text), "C");
        assert_eq!(s.documents[1].index, 2);
    }

    #[test]
    fn duplicate_keys_are_reported_and_later_value_wins() {
        let text = "metadata:\n  name: a\n  name: b\n";
        let s = parse(text);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.errors[0].message, "duplicate key `name`");
        assert_eq!(s.errors[0].span.slice(text), "name");
        assert_eq!(s.errors[0].span.start, text.rfind("name").unwrap());
        assert_eq!(s.documents[0].root.at("metadata.name").unwrap().as_str(), Some("b"));
    }

    #[test]
    fn duplicate_keys_in_large_mappings() {
        let mut text: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k7: again\n");
        let s = parse(&text);
        assert_eq!(s.errors.len(), 1);
        assert_eq!(s.documents[0].root.entries().len(), 100);
    }

    #[test]
    fn tabs_and_bad_indentation_are_errors_not_crashes() {
        assert!(!parse("a:\n\tb: 1\n").errors.is_empty());
        assert!(!parse("a:\n  b: 1\n c: 2\n").errors.is_empty());
        assert!(!parse("a: b: c\n").errors.is_empty());
        assert!(!parse("'unterminated\n").errors.is_empty());
    }

    #[test]
    fn unknown_tags_parse_cleanly() {
        let s = parse("a: !vault |\n  secret\nb: !!custom 3\n");
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.documents[0].root.get("a").unwrap().as_str(), Some("secret\n"));
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        text.push_str("---\nkind: After\n");
        let s = small_stack(move || parse(&text));
        assert!(s.errors.iter().any(|e| e.message.contains("alias expansion")));
        // the document after the bomb is still read
        assert!(s.documents.iter().any(|d| d.root.get("kind").is_some()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for text in [
            "- ".repeat(10_000) + "x\n",
            "[".repeat(10_000) + &"]".repeat(10_000),
            "{a: ".repeat(10_000) + &"}".repeat(10_000),
            (0..10_000)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>(),
        ] {
            let s = small_stack(move || parse(&text));
            assert!(!s.errors.is_empty());
        }
        // just under the limit parses, and dropping the tree does not overflow either
        let ok = "- ".repeat(200) + "x\n";
        let s = small_stack(move || parse(&ok));
        assert!(s.errors.is_empty(), "{:?}", s.errors);
    }

    #[test]
    fn large_stream_parses_linearly() {
        let doc = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n---\n";
        let text = doc.repeat(50_000); // ~4.5 MB
        let started = std::time::Instant::now();
        let s = parse(&text);
        assert!(s.errors.is_empty());
        assert_eq!(s.documents.len(), 50_001); // the trailing `---` opens an empty document
        assert!(started.elapsed().as_secs() < 30);
    }

    #[test]
    fn garbage_never_panics() {
        let samples = [
            "\u{0}",
            "---\n---\n...\n",
            "%YAML 9.9\n---\na",
            "? [a\n: b",
            "*x",
            "&a &b c",
            "{",
            "]",
            "-\t-",
        ];
        for t in samples {
            let _ = parse(t);
        }
        let bytes: Vec<u8> = (0..4000u32)
            .map(|i| b"-:[]{}&*!|>'\"#%@ \n\tab,?"[(i * 7919 % 23) as usize])
            .collect();
        let text = String::from_utf8(bytes).unwrap();
        for w in (0..text.len()).step_by(97) {
            let _ = parse(&text[w..]);
        }
    }

    #[test]
    fn block_collections_end_at_their_last_child() {
        let text = "ports:\n  - port: 80\n    name: http\n\n  - {port: 443}\nnext: 1\n";
        let s = parse(text);
        let ports = s.documents[0].root.get("ports").unwrap();
        assert_eq!(ports.items()[0].span.slice(text), "port: 80\n    name: http");
        assert_eq!(ports.items()[1].span.slice(text), "{port: 443}");
        assert!(ports.span.slice(text).ends_with("{port: 443}"));
    }

    #[test]
    fn chained_deep_aliases_are_bounded() {
        // each anchor nests the previous one 200 levels deeper: without a bound the tree would
        // be thousands of levels deep and overflow the stack when cloned or dropped
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("a{i}: &a{i} "));
            text.push_str(&"[".repeat(200));
            if i == 0 {
                text.push('x');
            } else {
                text.push_str(&format!("*a{}", i - 1));
            }
            text.push_str(&"]".repeat(200));
            text.push('\n');
        }
        let s = small_stack(move || parse(&text));
        assert!(
            s.errors.iter().any(|e| e.message.contains("nests deeper")),
            "{:?}",
            s.errors
        );
    }
}
