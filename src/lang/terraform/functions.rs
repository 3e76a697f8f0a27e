//! Terraform's deterministic built-in functions on [`Node`] values.
//!
//! Covered: strings (`format`, `formatlist`, `join`, `split`, `replace` with regular
//! expressions, `substr`, `upper`, `lower`, `title`, `trim*`, `chomp`, `indent`, `regex`,
//! `regexall`, `startswith`, `endswith`, `strcontains`, `strrev`), collections (`length`,
//! `element`, `index`, `lookup`, `merge`, `concat`, `contains`, `keys`, `values`, `flatten`,
//! `distinct`, `compact`, `coalesce`, `coalescelist`, `zipmap`, `slice`, `reverse`, `sort`,
//! `range`, `one`, `sum`, `alltrue`, `anytrue`, `chunklist`, `setunion`, `setintersection`,
//! `setsubtract`, `transpose`), numbers (`min`, `max`, `abs`, `ceil`, `floor`, `pow`, `signum`,
//! `parseint`), conversions (`tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap`,
//! `sensitive`, `nonsensitive`), encodings (`jsonencode`, `jsondecode`, `base64encode`,
//! `base64decode`, `urlencode`), paths (`basename`, `dirname`) and networks (`cidrsubnet`,
//! `cidrsubnets`, `cidrhost`, `cidrnetmask`). `try` and `can` are in the evaluator.
//!
//! Everything else — the file system (`file`, `templatefile`), the clock (`timestamp`),
//! randomness (`uuid`), hashes — is unknown. Each call costs steps in proportion to its input.

use std::collections::{HashMap, HashSet};

use regex::Regex;

use super::eval::{as_number, as_text, boolean, error, is_known, known_eq, number, string, unknown, Eval, Scope};
use crate::source::node::Entry;
use crate::source::{Node, NodeValue, Span};

/// The work a call does, for the step budget: elements and bytes of its arguments.
fn cost(args: &[Node]) -> u64 {
    let mut total = 1u64;
    let mut stack: Vec<&Node> = args.iter().collect();
    while let Some(n) = stack.pop() {
        total += 1;
        match &n.value {
            NodeValue::String(s) => total += s.len() as u64 / 64,
            NodeValue::Seq(items) => stack.extend(items.iter()),
            NodeValue::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
        if total > 1 << 32 {
            break;
        }
    }
    total
}

fn list_of(n: &Node) -> Option<&[Node]> {
    match &n.value {
        NodeValue::Seq(items) => Some(items),
        _ => None,
    }
}

fn text_arg(n: &Node) -> Result<String, ()> {
    as_text(n).ok_or(())
}

/// Result of a call whose arguments are all known scalars or collections.
pub(super) fn call(scope: &Scope<'_>, name: &str, args: Vec<Node>, span: Span, text: &str) -> Eval {
    if !scope.step(cost(&args), span) {
        return Ok(unknown(span, text));
    }
    let unk = || Ok(unknown(span, text));
    // functions that look inside collections decide for themselves about unknown elements;
    // the rest need every argument known at its top level
    if args.iter().any(|a| a.is_unknown())
        && !matches!(name, "coalesce" | "length" | "concat" | "tolist" | "tomap" | "toset")
    {
        return unk();
    }
    let s = |scope: &Scope<'_>, v: String| Ok(scope.make_string(span, v, text));
    let arg = |i: usize| args.get(i);
    match (name, args.len()) {
        // ---- conversions
        ("tolist" | "toset" | "tomap" | "sensitive" | "nonsensitive", 1) => {
            let mut v = args.into_iter().next().unwrap_or_else(|| unknown(span, text));
            if name == "toset" {
                if let NodeValue::Seq(items) = &mut v.value {
                    dedupe(items);
                }
            }
            if !matches!(v.value, NodeValue::Seq(_) | NodeValue::Map(_)) {
                v.span = span;
            }
            Ok(v)
        }
        ("tostring", 1) => match &args[0].value {
            NodeValue::Null => Ok(Node::new(span, NodeValue::Null)),
            _ => match as_text(&args[0]) {
                Some(t) => s(scope, t),
                None => error("`tostring` of a collection"),
            },
        },
        ("tonumber", 1) => match &args[0].value {
            NodeValue::Null => Ok(Node::new(span, NodeValue::Null)),
            _ => match as_number(&args[0]) {
                Some(v) => Ok(number(span, v)),
                None => error("not a number"),
            },
        },
        ("tobool", 1) => match &args[0].value {
            NodeValue::Null => Ok(Node::new(span, NodeValue::Null)),
            NodeValue::Bool(b) => Ok(boolean(span, *b)),
            NodeValue::String(x) if x == "true" || x == "false" => Ok(boolean(span, x == "true")),
            _ => error("not a bool"),
        },
        // ---- strings
        ("upper" | "lower" | "title" | "trimspace" | "chomp" | "strrev", 1) => {
            let Ok(v) = text_arg(&args[0]) else {
                return error("needs a string");
            };
            let out = match name {
                "upper" => v.to_uppercase(),
                "lower" => v.to_lowercase(),
                "title" => title(&v),
                "trimspace" => v.trim().to_string(),
                "chomp" => v.trim_end_matches(['\n', '\r']).to_string(),
                _ => v.chars().rev().collect(),
            };
            s(scope, out)
        }
        ("trim" | "trimprefix" | "trimsuffix" | "startswith" | "endswith" | "strcontains", 2) => {
            let (Ok(v), Ok(p)) = (text_arg(&args[0]), text_arg(&args[1])) else {
                return error("needs strings");
            };
            match name {
                "trim" => s(scope, v.trim_matches(|c| p.contains(c)).to_string()),
                "trimprefix" => s(scope, v.strip_prefix(p.as_str()).unwrap_or(&v).to_string()),
                "trimsuffix" => s(scope, v.strip_suffix(p.as_str()).unwrap_or(&v).to_string()),
                "startswith" => Ok(boolean(span, v.starts_with(&p))),
                "endswith" => Ok(boolean(span, v.ends_with(&p))),
                _ => Ok(boolean(span, v.contains(&p))),
            }
        }
        ("replace", 3) => {
            let (Ok(v), Ok(from), Ok(to)) = (text_arg(&args[0]), text_arg(&args[1]), text_arg(&args[2])) else {
                return error("`replace` needs strings");
            };
            if from.len() >= 2 && from.starts_with('/') && from.ends_with('/') {
                let Ok(re) = Regex::new(&from[1..from.len() - 1]) else {
                    return error("invalid regular expression");
                };
                return s(scope, re.replace_all(&v, to.as_str()).into_owned());
            }
            if from.is_empty() {
                return s(scope, v);
            }
            // the result's size is known before it is built
            let n = v.matches(from.as_str()).count();
            let len = v.len() - n * from.len() + n * to.len();
            if len > super::eval::limits::MAX_STRING_BYTES {
                return Ok(scope.too_big(span, text, &crate::budget::TERRAFORM_STRING_BYTES));
            }
            s(scope, v.replace(from.as_str(), &to))
        }
        ("substr", 3) => {
            let (Ok(v), Some(off), Some(len)) = (text_arg(&args[0]), as_number(&args[1]), as_number(&args[2])) else {
                return error("`substr` needs a string and numbers");
            };
            let chars: Vec<char> = v.chars().collect();
            let n = chars.len() as i64;
            let mut off = off as i64;
            if off < 0 {
                off += n;
            }
            if off < 0 || off > n {
                return error("offset out of range");
            }
            let end = if len < 0.0 { n } else { (off + len as i64).min(n) };
            s(scope, chars[off as usize..end.max(off) as usize].iter().collect())
        }
        ("split", 2) => {
            let (Ok(sep), Ok(v)) = (text_arg(&args[0]), text_arg(&args[1])) else {
                return error("`split` needs strings");
            };
            let parts: Vec<Node> = if sep.is_empty() {
                v.chars().map(|c| string(span, c.to_string())).collect()
            } else {
                v.split(sep.as_str()).map(|p| string(span, p.to_string())).collect()
            };
            Ok(scope.make_seq(span, parts, text))
        }
        ("join", n) if n >= 2 => {
            let Ok(sep) = text_arg(&args[0]) else {
                return error("`join` needs a separator");
            };
            let mut out = String::new();
            let mut first = true;
            for l in &args[1..] {
                let Some(items) = list_of(l) else {
                    return error("`join` needs lists");
                };
                for i in items {
                    if i.is_unknown() {
                        return unk();
                    }
                    let Some(t) = as_text(i) else {
                        return error("`join` of a value that is not a string");
                    };
                    if !first {
                        out.push_str(&sep);
                    }
                    first = false;
                    out.push_str(&t);
                    if out.len() > super::eval::limits::MAX_STRING_BYTES {
                        return Ok(scope.too_big(span, text, &crate::budget::TERRAFORM_STRING_BYTES));
                    }
                }
            }
            s(scope, out)
        }
        ("format", n) if n >= 1 => {
            if !args.iter().all(is_known) {
                return unk();
            }
            let Ok(spec) = text_arg(&args[0]) else {
                return error("`format` needs a format string");
            };
            match format(&spec, &args[1..]) {
                Ok(v) => s(scope, v),
                Err(e) => error(e),
            }
        }
        ("formatlist", n) if n >= 1 => {
            if !args.iter().all(is_known) {
                return unk();
            }
            let Ok(spec) = text_arg(&args[0]) else {
                return error("`formatlist` needs a format string");
            };
            let len = args[1..].iter().filter_map(list_of).map(|l| l.len()).max().unwrap_or(1);
            let mut out = Vec::new();
            for i in 0..len {
                let row: Vec<Node> = args[1..]
                    .iter()
                    .map(|a| match list_of(a) {
                        Some(l) => l.get(i).cloned().unwrap_or_else(|| Node::new(span, NodeValue::Null)),
                        None => a.clone(),
                    })
                    .collect();
                match format(&spec, &row) {
                    Ok(v) => out.push(scope.make_string(span, v, text)),
                    Err(e) => return error(e),
                }
            }
            Ok(scope.make_seq(span, out, text))
        }
        ("indent", 2) => {
            let (Some(n), Ok(v)) = (as_number(&args[0]), text_arg(&args[1])) else {
                return error("`indent` needs a number and a string");
            };
            let pad = " ".repeat((n.max(0.0) as usize).min(1024));
            let mut out = String::new();
            for (i, line) in v.split('\n').enumerate() {
                if i > 0 {
                    out.push('\n');
                    if !line.is_empty() {
                        out.push_str(&pad);
                    }
                }
                out.push_str(line);
            }
            s(scope, out)
        }
        ("regex" | "regexall", 2) => {
            let (Ok(p), Ok(v)) = (text_arg(&args[0]), text_arg(&args[1])) else {
                return error("needs strings");
            };
            let Ok(re) = Regex::new(&p) else {
                return error("invalid regular expression");
            };
            let capture = |c: regex::Captures<'_>| -> Node {
                let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
                if names.is_empty() {
                    return string(span, c.get(0).map(|m| m.as_str()).unwrap_or("").to_string());
                }
                if names.iter().all(|n| n.is_some()) {
                    let entries = names
                        .iter()
                        .flatten()
                        .map(|n| Entry {
                            key: n.to_string(),
                            key_span: span,
                            value: match c.name(n) {
                                Some(m) => string(span, m.as_str().to_string()),
                                None => Node::new(span, NodeValue::Null),
                            },
                        })
                        .collect();
                    return Node::new(span, NodeValue::Map(entries));
                }
                let items = (1..c.len())
                    .map(|i| match c.get(i) {
                        Some(m) => string(span, m.as_str().to_string()),
                        None => Node::new(span, NodeValue::Null),
                    })
                    .collect();
                Node::new(span, NodeValue::Seq(items))
            };
            if name == "regex" {
                match re.captures(&v) {
                    Some(c) => Ok(capture(c)),
                    None => error("no match"),
                }
            } else {
                let all: Vec<Node> = re.captures_iter(&v).map(capture).collect();
                Ok(scope.make_seq(span, all, text))
            }
        }
        // ---- collections
        ("length", 1) => match &args[0].value {
            NodeValue::Seq(items) => Ok(number(span, items.len() as f64)),
            NodeValue::Map(entries) => Ok(number(span, entries.len() as f64)),
            NodeValue::String(v) => Ok(number(span, v.chars().count() as f64)),
            NodeValue::Unknown(_) => unk(),
            _ => error("`length` of a value that is not a collection or string"),
        },
        ("element", 2) => {
            let (Some(items), Some(i)) = (list_of(&args[0]), as_number(&args[1])) else {
                return error("`element` needs a list and an index");
            };
            if items.is_empty() || i < 0.0 {
                return error("`element` of an empty list or a negative index");
            }
            Ok(items[(i as usize) % items.len()].clone())
        }
        ("index", 2) => {
            let Some(items) = list_of(&args[0]) else {
                return error("`index` needs a list");
            };
            let mut unsure = false;
            for (i, x) in items.iter().enumerate() {
                match known_eq(x, &args[1]) {
                    Some(true) => return Ok(number(span, i as f64)),
                    None => unsure = true,
                    Some(false) => {}
                }
            }
            if unsure {
                unk()
            } else {
                error("value not in the list")
            }
        }
        ("lookup", 2 | 3) => {
            let NodeValue::Map(entries) = &args[0].value else {
                return error("`lookup` needs a map");
            };
            let Some(k) = as_text(&args[1]) else {
                return error("`lookup` needs a string key");
            };
            match entries.iter().find(|e| e.key == k) {
                Some(e) => Ok(e.value.clone()),
                None => match args.into_iter().nth(2) {
                    Some(d) => Ok(d),
                    None => error(format!("no key `{k}`")),
                },
            }
        }
        ("merge", _) => {
            let mut out: Vec<Entry> = Vec::new();
            let mut index: HashMap<String, usize> = HashMap::new();
            for a in args {
                match a.value {
                    NodeValue::Map(entries) => {
                        for e in entries {
                            match index.get(&e.key) {
                                Some(&i) => out[i] = e,
                                None => {
                                    index.insert(e.key.clone(), out.len());
                                    out.push(e);
                                }
                            }
                        }
                    }
                    NodeValue::Null => {}
                    _ => return error("`merge` of a value that is not a map"),
                }
            }
            Ok(scope.make_map(span, out, text))
        }
        ("concat", _) => {
            let mut out = Vec::new();
            for a in args {
                match a.value {
                    NodeValue::Seq(items) => out.extend(items),
                    NodeValue::Unknown(_) => return unk(),
                    _ => return error("`concat` of a value that is not a list"),
                }
            }
            Ok(scope.make_seq(span, out, text))
        }
        ("contains", 2) => {
            let Some(items) = list_of(&args[0]) else {
                return error("`contains` needs a list");
            };
            let mut unsure = false;
            for x in items {
                match known_eq(x, &args[1]) {
                    Some(true) => return Ok(boolean(span, true)),
                    None => unsure = true,
                    Some(false) => {}
                }
            }
            if unsure {
                unk()
            } else {
                Ok(boolean(span, false))
            }
        }
        ("keys" | "values", 1) => {
            let NodeValue::Map(entries) = &args[0].value else {
                return error("needs a map");
            };
            let mut sorted: Vec<&Entry> = entries.iter().collect();
            sorted.sort_by(|a, b| a.key.cmp(&b.key));
            let items = sorted
                .into_iter()
                .map(|e| {
                    if name == "keys" {
                        string(e.key_span, e.key.clone())
                    } else {
                        e.value.clone()
                    }
                })
                .collect();
            Ok(Node::new(span, NodeValue::Seq(items)))
        }
        ("flatten", 1) => {
            let Some(items) = list_of(&args[0]) else {
                return error("`flatten` needs a list");
            };
            let mut out = Vec::new();
            let mut stack: Vec<&Node> = items.iter().rev().collect();
            while let Some(n) = stack.pop() {
                match &n.value {
                    NodeValue::Seq(inner) => stack.extend(inner.iter().rev()),
                    NodeValue::Unknown(_) => return unk(),
                    _ => out.push(n.clone()),
                }
            }
            Ok(scope.make_seq(span, out, text))
        }
        ("distinct", 1) => {
            let Some(items) = list_of(&args[0]) else {
                return error("`distinct` needs a list");
            };
            if !items.iter().all(is_known) {
                return unk();
            }
            let mut items = items.to_vec();
            dedupe(&mut items);
            Ok(Node::new(span, NodeValue::Seq(items)))
        }
        ("compact", 1) => {
            let Some(items) = list_of(&args[0]) else {
                return error("`compact` needs a list");
            };
            if items.iter().any(|i| i.is_unknown()) {
                return unk();
            }
            let out = items
                .iter()
                .filter(|i| !i.is_null() && i.as_str() != Some(""))
                .cloned()
                .collect();
            Ok(Node::new(span, NodeValue::Seq(out)))
        }
        ("coalesce", _) => {
            for a in args {
                match &a.value {
                    NodeValue::Unknown(_) => return unk(),
                    NodeValue::Null => {}
                    NodeValue::String(v) if v.is_empty() => {}
                    _ => return Ok(a),
                }
            }
            error("no non-null argument to `coalesce`")
        }
        ("coalescelist", _) => {
            for a in args {
                match &a.value {
                    NodeValue::Seq(items) if items.is_empty() => {}
                    NodeValue::Seq(_) => return Ok(a),
                    NodeValue::Null => {}
                    _ => return error("`coalescelist` needs lists"),
                }
            }
            error("no non-empty list")
        }
        ("zipmap", 2) => {
            let (Some(ks), Some(vs)) = (list_of(&args[0]), list_of(&args[1])) else {
                return error("`zipmap` needs two lists");
            };
            if ks.len() != vs.len() {
                return error("`zipmap` lists differ in length");
            }
            let mut out: Vec<Entry> = Vec::new();
            let mut index: HashMap<String, usize> = HashMap::new();
            for (k, v) in ks.iter().zip(vs) {
                let Some(key) = as_text(k) else {
                    return if k.is_unknown() {
                        unk()
                    } else {
                        error("`zipmap` key is not a string")
                    };
                };
                let e = Entry {
                    key: key.clone(),
                    key_span: k.span,
                    value: v.clone(),
                };
                match index.get(&key) {
                    Some(&i) => out[i] = e,
                    None => {
                        index.insert(key, out.len());
                        out.push(e);
                    }
                }
            }
            Ok(Node::new(span, NodeValue::Map(out)))
        }
        ("slice", 3) => {
            let (Some(items), Some(a), Some(b)) = (list_of(&args[0]), as_number(&args[1]), as_number(&args[2])) else {
                return error("`slice` needs a list and two indexes");
            };
            if a < 0.0 || b < a || b as usize > items.len() {
                return error("`slice` indexes out of range");
            }
            Ok(Node::new(span, NodeValue::Seq(items[a as usize..b as usize].to_vec())))
        }
        ("reverse", 1) => {
            let Some(items) = list_of(&args[0]) else {
                return error("`reverse` needs a list");
            };
            Ok(Node::new(span, NodeValue::Seq(items.iter().rev().cloned().collect())))
        }
        ("sort", 1) => {
            let Some(items) = list_of(&args[0]) else {
                return error("`sort` needs a list");
            };
            let mut texts = Vec::with_capacity(items.len());
            for i in items {
                match as_text(i) {
                    Some(t) => texts.push((t, i.span)),
                    None if i.is_unknown() => return unk(),
                    None => return error("`sort` needs strings"),
                }
            }
            texts.sort();
            Ok(Node::new(
                span,
                NodeValue::Seq(texts.into_iter().map(|(t, sp)| string(sp, t)).collect()),
            ))
        }
        ("range", 1..=3) => {
            let nums: Option<Vec<f64>> = args.iter().map(as_number).collect();
            let Some(nums) = nums else {
                return error("`range` needs numbers");
            };
            let (start, limit, step) = match nums.as_slice() {
                [l] => (0.0, *l, 1.0),
                [s, l] => (*s, *l, if l >= s { 1.0 } else { -1.0 }),
                [s, l, st] => (*s, *l, *st),
                _ => return unk(),
            };
            if step == 0.0 {
                return error("`range` step is zero");
            }
            let count = ((limit - start) / step).ceil();
            if !(0.0..=super::eval::limits::MAX_ELEMENTS as f64).contains(&count) {
                if count < 0.0 {
                    return Ok(Node::new(span, NodeValue::Seq(Vec::new())));
                }
                return Ok(scope.too_big(span, text, &crate::budget::TERRAFORM_ELEMENTS));
            }
            if !scope.step(count as u64, span) {
                return unk();
            }
            let items = (0..count as usize)
                .map(|i| number(span, start + step * i as f64))
                .collect();
            Ok(Node::new(span, NodeValue::Seq(items)))
        }
        ("one", 1) => match &args[0].value {
            NodeValue::Seq(items) => match items.len() {
                0 => Ok(Node::new(span, NodeValue::Null)),
                1 => Ok(items[0].clone()),
                _ => error("`one` of a list with several elements"),
            },
            NodeValue::Null => Ok(Node::new(span, NodeValue::Null)),
            _ => error("`one` needs a list"),
        },
        ("sum", 1) => {
            let Some(items) = list_of(&args[0]) else {
                return error("`sum` needs a list");
            };
            let mut total = 0.0;
            for i in items {
                match as_number(i) {
                    Some(v) => total += v,
                    None if i.is_unknown() => return unk(),
                    None => return error("`sum` needs numbers"),
                }
            }
            Ok(number(span, total))
        }
        ("alltrue" | "anytrue", 1) => {
            let Some(items) = list_of(&args[0]) else {
                return error("needs a list");
            };
            let all = name == "alltrue";
            let mut unsure = false;
            for i in items {
                match super::eval::truthy(i) {
                    Some(b) if b != all => return Ok(boolean(span, !all)),
                    Some(_) => {}
                    None if i.is_unknown() => unsure = true,
                    None => return error("needs bools"),
                }
            }
            if unsure {
                unk()
            } else {
                Ok(boolean(span, all))
            }
        }
        ("chunklist", 2) => {
            let (Some(items), Some(size)) = (list_of(&args[0]), as_number(&args[1])) else {
                return error("`chunklist` needs a list and a size");
            };
            if size < 0.0 {
                return error("`chunklist` size is negative");
            }
            if size == 0.0 {
                return Ok(Node::new(
                    span,
                    NodeValue::Seq(vec![Node::new(span, NodeValue::Seq(items.to_vec()))]),
                ));
            }
            let chunks = items
                .chunks(size as usize)
                .map(|c| Node::new(span, NodeValue::Seq(c.to_vec())))
                .collect();
            Ok(Node::new(span, NodeValue::Seq(chunks)))
        }
        ("setunion" | "setintersection" | "setsubtract", n) if n >= 1 => {
            let mut lists = Vec::new();
            for a in &args {
                match list_of(a) {
                    Some(l) if l.iter().all(is_known) => lists.push(l),
                    Some(_) => return unk(),
                    None => return error("needs sets"),
                }
            }
            let member = |l: &[Node], x: &Node| l.iter().any(|y| known_eq(x, y) == Some(true));
            let mut out: Vec<Node> = match name {
                "setunion" => lists.iter().flat_map(|l| l.iter().cloned()).collect(),
                "setintersection" => lists[0]
                    .iter()
                    .filter(|x| lists[1..].iter().all(|l| member(l, x)))
                    .cloned()
                    .collect(),
                _ => lists[0]
                    .iter()
                    .filter(|x| !lists[1..].iter().any(|l| member(l, x)))
                    .cloned()
                    .collect(),
            };
            dedupe(&mut out);
            Ok(scope.make_seq(span, out, text))
        }
        ("transpose", 1) => {
            let NodeValue::Map(entries) = &args[0].value else {
                return error("`transpose` needs a map of lists");
            };
            let mut out: Vec<Entry> = Vec::new();
            let mut index: HashMap<String, usize> = HashMap::new();
            for e in entries {
                let Some(items) = list_of(&e.value) else {
                    return error("`transpose` needs a map of lists");
                };
                for i in items {
                    let Some(k) = as_text(i) else { return unk() };
                    let v = string(e.key_span, e.key.clone());
                    match index.get(&k) {
                        Some(&j) => {
                            if let NodeValue::Seq(l) = &mut out[j].value.value {
                                l.push(v);
                            }
                        }
                        None => {
                            index.insert(k.clone(), out.len());
                            out.push(Entry {
                                key: k,
                                key_span: i.span,
                                value: Node::new(span, NodeValue::Seq(vec![v])),
                            });
                        }
                    }
                }
            }
            Ok(scope.make_map(span, out, text))
        }
        // ---- numbers
        ("min" | "max", n) if n >= 1 => {
            let nums: Option<Vec<f64>> = args.iter().map(as_number).collect();
            let Some(nums) = nums else {
                return error("needs numbers");
            };
            let v = if name == "min" {
                nums.into_iter().fold(f64::INFINITY, f64::min)
            } else {
                nums.into_iter().fold(f64::NEG_INFINITY, f64::max)
            };
            Ok(number(span, v))
        }
        ("abs" | "ceil" | "floor" | "signum", 1) => {
            let Some(v) = as_number(&args[0]) else {
                return error("needs a number");
            };
            Ok(number(
                span,
                match name {
                    "abs" => v.abs(),
                    "ceil" => v.ceil(),
                    "floor" => v.floor(),
                    _ if v == 0.0 => 0.0,
                    _ => v.signum(),
                },
            ))
        }
        ("pow", 2) => match (as_number(&args[0]), as_number(&args[1])) {
            (Some(a), Some(b)) if a.powf(b).is_finite() => Ok(number(span, a.powf(b))),
            (Some(_), Some(_)) => unk(),
            _ => error("`pow` needs numbers"),
        },
        ("parseint", 2) => {
            let (Ok(v), Some(base)) = (text_arg(&args[0]), as_number(&args[1])) else {
                return error("`parseint` needs a string and a base");
            };
            match i64::from_str_radix(&v, base as u32) {
                Ok(n) if (2.0..=62.0).contains(&base) => Ok(number(span, n as f64)),
                _ => error("not an integer in that base"),
            }
        }
        // ---- encodings and paths
        ("jsonencode", 1) => {
            if !is_known(&args[0]) {
                return unk();
            }
            let mut out = String::new();
            json_encode(&args[0], &mut out);
            s(scope, out)
        }
        ("jsondecode", 1) => {
            let Ok(v) = text_arg(&args[0]) else {
                return error("`jsondecode` needs a string");
            };
            match super::json::parse(&v) {
                Ok(n) => Ok(super::eval::respan(n, span)),
                Err(_) => error("invalid JSON"),
            }
        }
        ("base64encode", 1) => match text_arg(&args[0]) {
            Ok(v) => s(scope, base64_encode(v.as_bytes())),
            Err(_) => error("needs a string"),
        },
        ("base64decode", 1) => match text_arg(&args[0]).ok().and_then(|v| base64_decode(&v)) {
            Some(b) => match String::from_utf8(b) {
                Ok(v) => s(scope, v),
                Err(_) => error("not UTF-8"),
            },
            None => error("invalid base64"),
        },
        ("urlencode", 1) => match text_arg(&args[0]) {
            Ok(v) => s(scope, url_encode(&v)),
            Err(_) => error("needs a string"),
        },
        ("basename" | "dirname", 1) => {
            let Ok(v) = text_arg(&args[0]) else {
                return error("needs a string");
            };
            let trimmed = v.trim_end_matches('/');
            let out = match (name, trimmed.rfind('/')) {
                ("basename", Some(i)) => trimmed[i + 1..].to_string(),
                ("basename", None) => trimmed.to_string(),
                (_, Some(0)) => "/".to_string(),
                (_, Some(i)) => trimmed[..i].to_string(),
                (_, None) => ".".to_string(),
            };
            s(scope, out)
        }
        // ---- networks
        ("cidrsubnet", 3) => {
            let (Ok(prefix), Some(bits), Some(num)) = (text_arg(&args[0]), as_number(&args[1]), as_number(&args[2]))
            else {
                return error("`cidrsubnet` needs a prefix and numbers");
            };
            match cidr::subnet(&prefix, bits as u32, num as u128) {
                Some(v) => s(scope, v),
                None => error("invalid `cidrsubnet` arguments"),
            }
        }
        ("cidrsubnets", n) if n >= 1 => {
            let Ok(prefix) = text_arg(&args[0]) else {
                return error("`cidrsubnets` needs a prefix");
            };
            let bits: Option<Vec<u32>> = args[1..].iter().map(|a| as_number(a).map(|v| v as u32)).collect();
            match bits.and_then(|b| cidr::subnets(&prefix, &b)) {
                Some(list) => Ok(Node::new(
                    span,
                    NodeValue::Seq(list.into_iter().map(|v| string(span, v)).collect()),
                )),
                None => error("invalid `cidrsubnets` arguments"),
            }
        }
        ("cidrhost", 2) => {
            let (Ok(prefix), Some(num)) = (text_arg(&args[0]), as_number(&args[1])) else {
                return error("`cidrhost` needs a prefix and a number");
            };
            match cidr::host(&prefix, num as i128) {
                Some(v) => s(scope, v),
                None => error("invalid `cidrhost` arguments"),
            }
        }
        ("cidrnetmask", 1) => match text_arg(&args[0]).ok().and_then(|p| cidr::netmask(&p)) {
            Some(v) => s(scope, v),
            None => error("invalid `cidrnetmask` argument"),
        },
        _ => {
            let _ = arg(0);
            unk()
        }
    }
}

/// Remove later duplicates, keeping order.
fn dedupe(items: &mut Vec<Node>) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out: Vec<Node> = Vec::with_capacity(items.len());
    for i in items.drain(..) {
        let tag = match &i.value {
            NodeValue::String(_) => 's',
            NodeValue::Number { .. } => 'n',
            NodeValue::Bool(_) => 'b',
            _ => '?',
        };
        let key = match i.scalar_text().filter(|_| tag != '?') {
            Some(t) => format!("{tag}:{t}"),
            None => {
                if !out.iter().any(|o| known_eq(o, &i) == Some(true)) {
                    out.push(i);
                }
                continue;
            }
        };
        if seen.insert(key) {
            out.push(i);
        }
    }
    *items = out;
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    out
}

/// `format`'s verbs: `%s %d %f %v %q %t %x %X %o %b %e %%`, with flags, width and precision.
fn format(spec: &str, args: &[Node]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if "-+ 0#".contains(f) {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = Some(p.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            return Err("format ends in `%`".into());
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(a) = args.get(next) else {
            return Err("too few arguments to `format`".into());
        };
        next += 1;
        let body = match verb {
            's' => as_text(a).ok_or("`%s` of a collection")?,
            'v' => match &a.value {
                NodeValue::Seq(_) | NodeValue::Map(_) => {
                    let mut j = String::new();
                    json_encode(a, &mut j);
                    j
                }
                _ => as_text(a).unwrap_or_else(|| "null".into()),
            },
            'q' => {
                let mut j = String::new();
                json_encode(&string(a.span, as_text(a).ok_or("`%q` of a collection")?), &mut j);
                j
            }
            't' => match super::eval::truthy(a) {
                Some(b) => b.to_string(),
                None => return Err("`%t` needs a bool".into()),
            },
            'd' | 'x' | 'X' | 'o' | 'b' => {
                let v = as_number(a).ok_or("integer verb needs a number")?;
                if v.fract() != 0.0 {
                    return Err("integer verb needs a whole number".into());
                }
                let i = v as i64;
                let mut t = match verb {
                    'd' => i.abs().to_string(),
                    'x' => format!("{:x}", i.abs()),
                    'X' => format!("{:X}", i.abs()),
                    'o' => format!("{:o}", i.abs()),
                    _ => format!("{:b}", i.abs()),
                };
                if i < 0 {
                    t.insert(0, '-');
                } else if flags.contains('+') {
                    t.insert(0, '+');
                }
                t
            }
            'f' | 'e' | 'g' => {
                let v = as_number(a).ok_or("float verb needs a number")?;
                let p = precision.unwrap_or(6);
                let mut t = match verb {
                    'e' => format!("{v:.p$e}"),
                    'g' => super::eval::number_text(v),
                    _ => format!("{v:.p$}"),
                };
                if v >= 0.0 && flags.contains('+') {
                    t.insert(0, '+');
                }
                t
            }
            _ => return Err(format!("unsupported verb `%{verb}`")),
        };
        let body = match (verb, precision) {
            ('s', Some(p)) => body.chars().take(p).collect(),
            _ => body,
        };
        let w: usize = width.parse().unwrap_or(0).min(4096);
        let len = body.chars().count();
        if len >= w {
            out.push_str(&body);
        } else if flags.contains('-') {
            out.push_str(&body);
            out.push_str(&" ".repeat(w - len));
        } else if flags.contains('0') && !matches!(verb, 's' | 'q' | 'v' | 't') {
            let (sign, digits) = match body.strip_prefix(['-', '+']) {
                Some(d) => (&body[..1], d),
                None => ("", body.as_str()),
            };
            out.push_str(sign);
            out.push_str(&"0".repeat(w - len));
            out.push_str(digits);
        } else {
            out.push_str(&" ".repeat(w - len));
            out.push_str(&body);
        }
        if out.len() > super::eval::limits::MAX_STRING_BYTES {
            return Err("format result too long".into());
        }
    }
    Ok(out)
}

/// JSON as Terraform writes it: object keys sorted, `<`, `>` and `&` escaped.
pub(super) fn json_encode(n: &Node, out: &mut String) {
    enum Item<'a> {
        Node(&'a Node),
        Raw(&'static str),
        Key(&'a str),
    }
    let mut stack = vec![Item::Node(n)];
    while let Some(item) = stack.pop() {
        if out.len() > super::eval::limits::MAX_STRING_BYTES {
            return;
        }
        match item {
            Item::Raw(s) => out.push_str(s),
            Item::Key(k) => {
                json_string(k, out);
                out.push(':');
            }
            Item::Node(n) => match &n.value {
                NodeValue::Null | NodeValue::Unknown(_) => out.push_str("null"),
                NodeValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                NodeValue::Number { value, .. } => out.push_str(&super::eval::number_text(*value)),
                NodeValue::String(s) => json_string(s, out),
                NodeValue::Seq(items) => {
                    out.push('[');
                    stack.push(Item::Raw("]"));
                    for (i, x) in items.iter().enumerate().rev() {
                        stack.push(Item::Node(x));
                        if i > 0 {
                            stack.push(Item::Raw(","));
                        }
                    }
                }
                NodeValue::Map(entries) => {
                    out.push('{');
                    stack.push(Item::Raw("}"));
                    let mut sorted: Vec<&Entry> = entries.iter().collect();
                    sorted.sort_by(|a, b| a.key.cmp(&b.key));
                    for (i, e) in sorted.iter().enumerate().rev() {
                        stack.push(Item::Node(&e.value));
                        stack.push(Item::Key(&e.key));
                        if i > 0 {
                            stack.push(Item::Raw(","));
                        }
                    }
                }
            },
        }
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// IPv4 and IPv6 prefix arithmetic.
mod cidr {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    struct Prefix {
        addr: u128,
        len: u32,
        bits: u32,
    }

    fn parse(p: &str) -> Option<Prefix> {
        let (a, l) = p.split_once('/')?;
        let len: u32 = l.parse().ok()?;
        let (addr, bits) = match a.parse::<IpAddr>().ok()? {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        };
        (len <= bits).then_some(Prefix { addr, len, bits })
    }

    fn mask(len: u32, bits: u32) -> u128 {
        if len == 0 {
            return 0;
        }
        let all: u128 = if bits == 128 { u128::MAX } else { (1u128 << bits) - 1 };
        all & !((1u128 << (bits - len)) - 1).min(all)
    }

    fn show(addr: u128, bits: u32) -> String {
        if bits == 32 {
            Ipv4Addr::from(addr as u32).to_string()
        } else {
            Ipv6Addr::from(addr).to_string()
        }
    }

    pub fn subnet(prefix: &str, newbits: u32, num: u128) -> Option<String> {
        let p = parse(prefix)?;
        let len = p.len.checked_add(newbits)?;
        if len > p.bits || (newbits < 128 && num >> newbits != 0) {
            return None;
        }
        let base = p.addr & mask(p.len, p.bits);
        let addr = base | (num << (p.bits - len));
        Some(format!("{}/{len}", show(addr, p.bits)))
    }

    pub fn subnets(prefix: &str, newbits: &[u32]) -> Option<Vec<String>> {
        let p = parse(prefix)?;
        let base = p.addr & mask(p.len, p.bits);
        let mut next = base;
        let mut out = Vec::new();
        for &nb in newbits {
            let len = p.len.checked_add(nb)?;
            if len > p.bits {
                return None;
            }
            let size = 1u128.checked_shl(p.bits - len)?;
            // align to the new prefix
            let start = next.div_ceil(size).checked_mul(size)?;
            if mask(p.len, p.bits) & start != base {
                return None;
            }
            out.push(format!("{}/{len}", show(start, p.bits)));
            next = start.checked_add(size)?;
        }
        Some(out)
    }

    pub fn host(prefix: &str, num: i128) -> Option<String> {
        let p = parse(prefix)?;
        let base = p.addr & mask(p.len, p.bits);
        let size = 1i128.checked_shl(p.bits - p.len).unwrap_or(i128::MAX);
        let n = if num < 0 { size.checked_add(num)? } else { num };
        if n < 0 || n >= size {
            return None;
        }
        Some(show(base + n as u128, p.bits))
    }

    pub fn netmask(prefix: &str) -> Option<String> {
        let p = parse(prefix)?;
        (p.bits == 32).then(|| show(mask(p.len, p.bits), 32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_arithmetic() {
        assert_eq!(cidr::subnet("10.0.0.0/16", 8, 2).as_deref(), Some("10.0.2.0/24"));
        assert_eq!(cidr::subnet("10.0.0.0/16", 4, 15).as_deref(), Some("10.0.240.0/20"));
        assert_eq!(cidr::subnet("10.0.0.0/16", 8, 256), None);
        assert_eq!(
            cidr::subnet("fd00:fd12:3456:7890::/56", 16, 162).as_deref(),
            Some("fd00:fd12:3456:7800:a200::/72")
        );
        assert_eq!(cidr::host("10.12.112.0/20", 16).as_deref(), Some("10.12.112.16"));
        assert_eq!(cidr::host("10.12.112.0/20", 268).as_deref(), Some("10.12.113.12"));
        assert_eq!(cidr::netmask("172.16.0.0/12").as_deref(), Some("255.240.0.0"));
        assert_eq!(
            cidr::subnets("10.1.0.0/16", &[4, 4, 8, 4]),
            Some(vec![
                "10.1.0.0/20".into(),
                "10.1.16.0/20".into(),
                "10.1.32.0/24".into(),
                "10.1.48.0/20".into()
            ])
        );
    }

    #[test]
    fn format_verbs() {
        let n = |v: f64| number(Span::default(), v);
        let st = |v: &str| string(Span::default(), v.into());
        assert_eq!(format("Hello, %s!", &[st("Ander")]).as_deref(), Ok("Hello, Ander!"));
        assert_eq!(
            format("There are %d lights", &[n(4.0)]).as_deref(),
            Ok("There are 4 lights")
        );
        assert_eq!(
            format("%03d-%-4s|%5.2f", &[n(7.0), st("ab"), n(12.3456)]).as_deref(),
            Ok("007-ab  |12.35")
        );
        assert_eq!(
            format("%q %t %%", &[st("a\"b"), boolean(Span::default(), true)]).as_deref(),
            Ok("\"a\\\"b\" true %")
        );
        assert!(format("%s %s", &[st("one")]).is_err());
    }

    #[test]
    fn base64_round_trip() {
        assert_eq!(base64_encode(b"Hello World"), "SGVsbG8gV29ybGQ=");
        assert_eq!(base64_decode("SGVsbG8gV29ybGQ=").as_deref(), Some(&b"Hello World"[..]));
    }
}
