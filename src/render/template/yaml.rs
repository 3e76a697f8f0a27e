//! YAML as Helm reads and writes it.
//!
//! Reading (values files, `fromYaml`): Helm goes through sigs.k8s.io/yaml, which decodes with
//! YAML 1.1 rules (`yes`/`no`/`on`/`off`/`y`/`n` are booleans, `<<` merges) and then through
//! JSON, so every number becomes a float64. Every value keeps the span it was written at.
//!
//! Writing (`toYaml`): block style as yaml.v2 emits it: keys in yaml.v2's natural order
//! (letters after other characters, digit runs compared as numbers), sequences in mappings not
//! indented, strings that would read back as another type double-quoted, other unsafe strings
//! single-quoted, multi-line strings as literal blocks. Long lines are not folded (yaml.v2
//! folds at 80 columns; the folded and unfolded forms read back as the same value).

use std::cmp::Ordering;
use std::rc::Rc;

use super::format::format_g;
use super::value::{Loc, Map, Origin, Str, StrBuf, Val, V};
use crate::source::node::{Node, NodeValue};

/// A values tree from a parsed YAML node; `file` is the origin file index of `text`.
pub fn from_node(node: &Node, text: &str, file: u32, depth: usize) -> Val {
    let loc = Some(Loc::new(file, node.span.start, node.span.end));
    let v = if depth > crate::budget::TEMPLATE_VALUE_DEPTH.get() {
        V::Nil
    } else {
        match &node.value {
            NodeValue::Null => V::Nil,
            NodeValue::Bool(b) => V::Bool(*b),
            NodeValue::Number { value, .. } => V::Float(*value),
            NodeValue::String(s) => {
                let first = text.as_bytes().get(node.span.start).copied();
                let plain = !matches!(first, Some(b'"' | b'\'' | b'|' | b'>'));
                if plain {
                    resolve_yaml11(s)
                } else {
                    V::Str(Str::plain(s.as_str()))
                }
            }
            NodeValue::Unknown(s) => V::Str(Str::plain(s.as_str())),
            NodeValue::Seq(items) => V::List(Rc::new(
                items.iter().map(|i| from_node(i, text, file, depth + 1)).collect(),
            )),
            NodeValue::Map(entries) => {
                let mut m = Map::new();
                let mut merges = Vec::new();
                for e in entries {
                    if e.key == "<<" {
                        merges.push(&e.value);
                        continue;
                    }
                    let mut v = from_node(&e.value, text, file, depth + 1);
                    v.ko = Some(Loc::new(file, e.key_span.start, e.key_span.end));
                    m.insert(e.key.clone(), v);
                }
                // `<<: *base` (or a list of them): keys not written here come from the bases
                for merge in merges {
                    let bases: Vec<&Node> = match &merge.value {
                        NodeValue::Seq(items) => items.iter().collect(),
                        _ => vec![merge],
                    };
                    for base in bases {
                        if let V::Map(b) = from_node(base, text, file, depth + 1).v {
                            for (k, v) in b.borrow().iter() {
                                m.entry(k.clone()).or_insert_with(|| v.clone());
                            }
                        }
                    }
                }
                V::Map(Rc::new(std::cell::RefCell::new(m)))
            }
        }
    };
    Val { v, o: loc, ko: None }
}

/// A plain scalar as yaml.v2 reads it (the YAML 1.2 reading already made numbers and
/// `true`/`false`/`null`; this adds YAML 1.1's booleans and `_` in numbers).
fn resolve_yaml11(s: &str) -> V {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return V::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return V::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return V::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return V::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return V::Float(f64::NAN),
        _ => {}
    }
    if s.contains('_')
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+')
    {
        let clean: String = s.chars().filter(|c| *c != '_').collect();
        if let Some(i) = super::parse::parse_int(&clean) {
            return V::Float(i as f64);
        }
        if let Some(f) = super::parse::parse_float(&clean) {
            return V::Float(f);
        }
    }
    V::Str(Str::plain(s))
}

/// `fromYaml`: the first document of `text` (a map), or `{"Error": ...}` as Helm returns.
pub fn from_yaml(text: &Str, array: bool) -> Val {
    let stream = crate::lang::yaml::parse(text.as_str());
    if let Some(e) = stream.errors.first() {
        let mut m = Map::new();
        m.insert(
            "Error".into(),
            Val::str(format!("error converting YAML to JSON: {}", e.message)),
        );
        return if array {
            Val::list(vec![Val::string(Str::plain(e.message.as_str()))])
        } else {
            Val::map(m)
        };
    }
    let Some(doc) = stream.documents.first() else {
        return if array {
            Val::list(Vec::new())
        } else {
            Val::map(Map::new())
        };
    };
    let mut v = from_node(&doc.root, text.as_str(), u32::MAX, 0);
    relocate(&mut v, text, 0);
    match (&v.v, array) {
        (V::Map(_), false) | (V::List(_), true) => v,
        (V::Nil, false) => Val::map(Map::new()),
        (V::Nil, true) => Val::list(Vec::new()),
        (_, false) => {
            let mut m = Map::new();
            m.insert(
                "Error".into(),
                Val::str(
                    "error unmarshaling JSON: json: cannot unmarshal into Go value of type map[string]interface {}",
                ),
            );
            Val::map(m)
        }
        (_, true) => Val::list(vec![Val::str(
            "error unmarshaling JSON: json: cannot unmarshal into Go value of type []interface {}",
        )]),
    }
}

/// Values parsed from a string point into the string; move their origins to where the
/// string's bytes came from (a values file when it was `toYaml` of values). A string parsed
/// from written or generated bytes (a helper's text, `randAlphaNum`) stays so.
fn relocate(v: &mut Val, s: &Str, depth: usize) {
    let seg_at = |o: Option<Loc>| {
        let o = o.filter(|o| o.file == u32::MAX)?;
        s.segs()
            .iter()
            .find(|g| g.start <= o.start && o.start < g.end.max(g.start + 1))
    };
    let map_loc = |o: Option<Loc>| -> Option<Loc> {
        match o {
            Some(l) if l.file != u32::MAX => Some(l),
            _ => seg_at(o)?.origin.value,
        }
    };
    if let (V::Str(text), Some(g)) = (&mut v.v, seg_at(v.o)) {
        let (generated, written) = (g.origin.generated, g.origin.literal || g.origin.linear);
        if g.origin.value.is_none() && (generated || written) && text.segs().is_empty() {
            *text = Str::with_origin(
                text.as_str(),
                Origin {
                    generated,
                    literal: !generated,
                    ..Origin::default()
                },
            );
        }
    }
    v.o = map_loc(v.o);
    v.ko = map_loc(v.ko);
    if depth > crate::budget::TEMPLATE_VALUE_DEPTH.get() {
        return;
    }
    match &mut v.v {
        V::List(l) => {
            let items = Rc::make_mut(l);
            for i in items.iter_mut() {
                relocate(i, s, depth + 1);
            }
        }
        V::Map(m) => {
            if let Ok(mut m) = m.try_borrow_mut() {
                for x in m.values_mut() {
                    relocate(x, s, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// yaml.v2's key order: a "natural" sort where letters come after other characters and runs
/// of digits compare as numbers.
pub fn key_cmp(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl { Ordering::Less } else { Ordering::Greater };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.saturating_mul(10).saturating_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.saturating_mul(10).saturating_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// Whether yaml.v2 would read the plain scalar `s` as something other than a string.
fn resolves_to_non_string(s: &str) -> bool {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return true,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True" | "TRUE" | "false"
        | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => return true,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN"
        | ".NAN" | "<<" => return true,
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return false;
    }
    let clean: String = s.chars().filter(|c| *c != '_').collect();
    if super::parse::parse_int(&clean).is_some() {
        return true;
    }
    // yaml.v2's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
    if is_yaml_float(s) {
        return true;
    }
    is_base60(s) || is_timestamp(s)
}

fn is_yaml_float(s: &str) -> bool {
    let b = s.strip_prefix(['-', '+']).unwrap_or(s).as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if int_digits == 0 && frac == 0 {
            return false;
        }
        i += frac;
    } else if int_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

fn is_base60(s: &str) -> bool {
    // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
    let b = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (main, _frac) = b.split_once('.').unwrap_or((b, ""));
    let mut parts = main.split(':');
    let Some(first) = parts.next() else { return false };
    if !first.bytes().next().is_some_and(|c| c.is_ascii_digit())
        || !first.bytes().all(|c| c.is_ascii_digit() || c == b'_')
    {
        return false;
    }
    let mut n = 0;
    for p in parts {
        n += 1;
        let ok = matches!(p.len(), 1 | 2)
            && p.bytes().all(|c| c.is_ascii_digit())
            && (p.len() == 1 || p.as_bytes()[0] <= b'5');
        if !ok {
            return false;
        }
    }
    n > 0
}

fn is_timestamp(s: &str) -> bool {
    // yaml.v2 reads `2006-01-02` and `2006-01-02T15:04:05...` forms as timestamps
    let b = s.as_bytes();
    b.len() >= 8
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b.get(5).is_some_and(u8::is_ascii_digit)
        && {
            let rest = &s[5..];
            let mut parts = rest.splitn(2, '-');
            let month = parts.next().unwrap_or("");
            let tail = parts.next().unwrap_or("");
            let day: String = tail.chars().take_while(char::is_ascii_digit).collect();
            (1..=2).contains(&month.len())
                && month.bytes().all(|c| c.is_ascii_digit())
                && (1..=2).contains(&day.len())
                && (tail.len() == day.len()
                    || matches!(tail.as_bytes().get(day.len()), Some(b'T' | b't' | b' ' | b'\t')))
        }
}

fn printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{feff}'
}

#[derive(PartialEq, Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// The style libyaml's emitter ends up with for a string in block context.
fn style_of(s: &str) -> Style {
    if s.is_empty() || resolves_to_non_string(s) || is_base60(s) {
        return Style::Double;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_indicators = false;
    let mut special = false;
    let mut line_breaks = false;
    let mut space_break = false;
    let mut break_space = false;
    let leading_space = chars[0] == ' ';
    let leading_break = chars[0] == '\n';
    let trailing_space = *chars.last().unwrap_or(&'x') == ' ';
    let trailing_break = *chars.last().unwrap_or(&'x') == '\n';
    if s.starts_with("---") || s.starts_with("...") {
        block_indicators = true;
    }
    for (i, &c) in chars.iter().enumerate() {
        let next_ws = chars.get(i + 1).is_none_or(|n| matches!(n, ' ' | '\t' | '\n'));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    block_indicators = true
                }
                '?' | ':' | '-' if next_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if next_ws => block_indicators = true,
                '#' if matches!(chars[i - 1], ' ' | '\t' | '\n') => block_indicators = true,
                _ => {}
            }
        }
        if !printable(c) {
            special = true;
        }
        if c == '\n' {
            line_breaks = true;
            if i > 0 && chars[i - 1] == ' ' {
                space_break = true;
            }
            if chars.get(i + 1) == Some(&' ') {
                break_space = true;
            }
        }
    }
    if line_breaks {
        if special || space_break || trailing_space {
            return Style::Double;
        }
        return Style::Literal;
    }
    if special {
        return Style::Double;
    }
    let plain_ok = !(block_indicators || leading_space || leading_break || trailing_space || trailing_break);
    if plain_ok {
        return Style::Plain;
    }
    if break_space {
        return Style::Double;
    }
    Style::Single
}

fn double_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if !printable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02X}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04X}"));
                } else {
                    out.push_str(&format!("\\U{n:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The origin a scalar's text gets.
fn value_origin(v: &Val) -> Origin {
    Origin {
        value: v.o,
        ..Origin::default()
    }
}

/// A string scalar at `indent` (the indentation of its key or dash).
fn emit_str(v: &Val, s: &Str, indent: usize, out: &mut StrBuf) {
    let text = s.as_str();
    let owned = if s.segs().is_empty() {
        Str::with_origin(text, value_origin(v))
    } else {
        s.clone()
    };
    match style_of(text) {
        Style::Plain => out.push_str(&owned),
        Style::Single => {
            if text.contains('\'') {
                out.push(&format!("'{}'", text.replace('\'', "''")), single_origin(v, &owned));
            } else {
                out.push_plain("'");
                out.push_str(&owned);
                out.push_plain("'");
            }
        }
        Style::Double => out.push(&double_quote(text), single_origin(v, &owned)),
        Style::Literal => {
            let trailing = text.len() - text.trim_end_matches('\n').len();
            let chomp = match trailing {
                0 => "-",
                1 => "",
                _ => "+",
            };
            let hint = if text.starts_with([' ', '\n']) { "2" } else { "" };
            out.push_plain(&format!("|{hint}{chomp}"));
            let pad = " ".repeat(indent + 2);
            // one final newline is the chomping indicator's; any more are empty lines
            let body_end = text.len() - usize::from(trailing > 0);
            let mut pos = 0;
            loop {
                let line_end = text[pos..body_end].find('\n').map_or(body_end, |i| pos + i);
                out.push_plain("\n");
                if line_end > pos {
                    out.push_plain(&pad);
                    out.push_slice(&owned, pos, line_end);
                }
                if line_end >= body_end {
                    break;
                }
                pos = line_end + 1;
            }
        }
    }
}

fn single_origin(v: &Val, s: &Str) -> Origin {
    Origin {
        at: s
            .segs()
            .first()
            .and_then(|g| g.origin.at)
            .filter(|_| s.segs().len() == 1),
        ..s.whole_origin(v)
    }
}

fn emit_key(k: &str, ko: Option<Loc>, out: &mut StrBuf) {
    let text = match style_of(k) {
        Style::Plain => k.to_string(),
        Style::Single => format!("'{}'", k.replace('\'', "''")),
        Style::Double | Style::Literal => double_quote(k),
    };
    out.push(
        &text,
        Origin {
            value: ko,
            ..Origin::default()
        },
    );
}

/// A scalar (or empty collection) on the current line.
fn emit_scalar(v: &Val, indent: usize, out: &mut StrBuf) {
    let text = match &v.v {
        V::NoValue | V::Nil => "null".to_string(),
        V::Bool(b) => b.to_string(),
        V::Int(i) | V::Int64(i) => i.to_string(),
        V::Float(f) => float_text(*f),
        V::Str(s) => return emit_str(v, s, indent, out),
        V::List(_) => "[]".to_string(),
        V::Map(_) => "{}".to_string(),
        V::Obj(_) => super::format::sprint(v),
    };
    out.push(&text, value_origin(v));
}

/// A float as it comes out of Helm's JSON round trip: integral values below 1e21 as integers,
/// others in Go's shortest `%g`.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    format_g(f, None, false)
}

fn is_block(v: &Val) -> bool {
    match &v.v {
        V::List(l) => !l.is_empty(),
        V::Map(m) => m.try_borrow().is_ok_and(|m| !m.is_empty()),
        _ => false,
    }
}

fn sorted(m: &Map) -> Vec<(&String, &Val)> {
    let mut entries: Vec<(&String, &Val)> = m.iter().collect();
    entries.sort_by(|a, b| key_cmp(a.0, b.0));
    entries
}

/// Emit a block collection whose first line starts at the current position (after `- ` or at
/// the start of a line) with `indent` for its following lines.
fn emit_block(v: &Val, indent: usize, first_inline: bool, out: &mut StrBuf, depth: usize) -> Result<(), String> {
    if depth > crate::budget::TEMPLATE_VALUE_DEPTH.get() {
        return Err(crate::budget::Exceeded {
            limit: &crate::budget::TEMPLATE_VALUE_DEPTH,
        }
        .to_string());
    }
    let pad = " ".repeat(indent);
    match &v.v {
        V::Map(m) => {
            let m = m.try_borrow().map_err(|_| "map is being changed".to_string())?;
            for (i, (k, x)) in sorted(&m).into_iter().enumerate() {
                if i > 0 || !first_inline {
                    out.push_plain(&pad);
                }
                emit_key(k, x.ko, out);
                out.push_plain(":");
                match &x.v {
                    V::Map(_) if is_block(x) => {
                        out.push_plain("\n");
                        emit_block(x, indent + 2, false, out, depth + 1)?;
                    }
                    V::List(_) if is_block(x) => {
                        out.push_plain("\n");
                        emit_block(x, indent, false, out, depth + 1)?;
                    }
                    _ => {
                        out.push_plain(" ");
                        emit_scalar(x, indent, out);
                        out.push_plain("\n");
                    }
                }
            }
        }
        V::List(l) => {
            for (i, x) in l.iter().enumerate() {
                if i > 0 || !first_inline {
                    out.push_plain(&pad);
                }
                out.push_plain("- ");
                if is_block(x) {
                    emit_block(x, indent + 2, true, out, depth + 1)?;
                } else {
                    emit_scalar(x, indent, out);
                    out.push_plain("\n");
                }
            }
        }
        _ => {
            emit_scalar(v, indent, out);
            out.push_plain("\n");
        }
    }
    Ok(())
}

/// `toYaml`: the YAML text of a value without its final newline (Helm trims it).
pub fn to_yaml(v: &Val) -> Result<Str, String> {
    let mut out = StrBuf::default();
    emit_block(v, 0, false, &mut out, 0)?;
    let s = out.finish();
    let text = s.as_str();
    let end = text.strip_suffix('\n').map_or(text.len(), str::len);
    let mut b = StrBuf::default();
    b.push_slice(&s, 0, end);
    Ok(b.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Val {
        let stream = crate::lang::yaml::parse(text);
        from_node(&stream.documents[0].root, text, 0, 0)
    }

    fn y(text: &str) -> String {
        to_yaml(&values(text)).unwrap().as_str().to_string()
    }

    #[test]
    fn numbers_are_floats_and_yaml11_booleans_apply() {
        let v = values("a: 1\nb: 1.0\nc: 1e3\nd: yes\ne: \"yes\"\nf: 1_000\ng: off\n");
        let V::Map(m) = &v.v else { panic!() };
        let m = m.borrow();
        assert!(matches!(m["a"].v, V::Float(f) if f == 1.0));
        assert!(matches!(m["c"].v, V::Float(f) if f == 1000.0));
        assert!(matches!(m["d"].v, V::Bool(true)));
        assert!(matches!(&m["e"].v, V::Str(s) if s.as_str() == "yes"));
        assert!(matches!(m["f"].v, V::Float(f) if f == 1000.0));
        assert!(matches!(m["g"].v, V::Bool(false)));
        assert_eq!(m["a"].o, Some(Loc::new(0, 3, 4)));
        assert_eq!(m["a"].ko, Some(Loc::new(0, 0, 1)));
    }

    #[test]
    fn to_yaml_sorts_keys_like_yaml_v2() {
        assert_eq!(y("b: 1\na: 2\nA: 3\n_x: 4\n"), "_x: 4\nA: 3\na: 2\nb: 1");
        let mut keys = vec!["a10", "a9", "a", "b1", "_z", "Z"];
        keys.sort_by(|a, b| key_cmp(a, b));
        assert_eq!(keys, ["_z", "Z", "a", "a9", "a10", "b1"]);
    }

    #[test]
    fn to_yaml_block_layout() {
        let text = "resources:\n  limits: {cpu: 100m, memory: 128Mi}\nports:\n- name: http\n  containerPort: 8080\n- 443\nempty: {}\nnone: []\nnested: [[a, b]]\n";
        assert_eq!(
            y(text),
            "empty: {}\nnested:\n- - a\n  - b\nnone: []\nports:\n- containerPort: 8080\n  name: http\n- 443\nresources:\n  limits:\n    cpu: 100m\n    memory: 128Mi"
        );
    }

    #[test]
    fn to_yaml_quotes_what_would_change_type() {
        let text = "a: \"8080\"\nb: \"true\"\nc: \"\"\nd: \"yes\"\ne: \"foo: bar\"\nf: \"*\"\ng: \"it's\"\nh: \"a\\tb\"\ni: \"1.5\"\nj: \"2024-01-02\"\nk: \"- x\"\nl: plain text\nm: \"#x\"\nn: \"1:20\"\n";
        assert_eq!(
            y(text),
            "a: \"8080\"\nb: \"true\"\nc: \"\"\nd: \"yes\"\ne: 'foo: bar'\nf: '*'\ng: it's\nh: \"a\\tb\"\ni: \"1.5\"\nj: \"2024-01-02\"\nk: '- x'\nl: plain text\nm: '#x'\n\"n\": \"1:20\""
        );
    }

    #[test]
    fn to_yaml_literal_blocks_and_numbers() {
        let text = "script: \"line1\\nline2\\n\"\nnotrail: \"a\\nb\"\nbig: 1000000\nf: 1.5\nneg: -3\n";
        assert_eq!(
            y(text),
            "big: 1000000\nf: 1.5\nneg: -3\nnotrail: |-\n  a\n  b\nscript: |\n  line1\n  line2"
        );
        assert_eq!(y("- \"a\\n\\nb\"\n"), "- |-\n  a\n\n  b");
    }

    #[test]
    fn to_yaml_keeps_value_origins() {
        let text = "securityContext:\n  privileged: true\n";
        let v = values(text);
        let s = to_yaml(&v).unwrap();
        let at = s.as_str().find("true").unwrap();
        let seg = s.segs().iter().find(|g| g.start as usize == at).unwrap();
        assert_eq!(seg.origin.value, Some(Loc::new(0, 31, 35)));
    }

    #[test]
    fn from_yaml_maps_errors_like_helm() {
        let v = from_yaml(&Str::plain("a: [1"), false);
        let V::Map(m) = &v.v else { panic!() };
        assert!(m.borrow().contains_key("Error"));
        let v = from_yaml(&Str::plain("- a\n- b\n"), true);
        assert!(matches!(&v.v, V::List(l) if l.len() == 2));
    }
}
