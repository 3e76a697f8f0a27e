//! Sprig's string, regular-expression, path and URL functions. Functions that cut or pad a
//! string (`trim*`, `trunc`, `indent`, `nindent`, `quote`...) keep the origins of the bytes they
//! keep.

use std::rc::Rc;

use super::{arity, derived, strval, want_int, want_str, FnError, Res};
use crate::budget::{self, Exceeded};

const MAX_LIST: usize = budget::TEMPLATE_LIST_ENTRIES.get();
const MAX_REGEX_SIZE: usize = budget::TEMPLATE_REGEX_BYTES.get();
const MAX_STRING: usize = budget::TEMPLATE_STRING_BYTES.get();
use crate::render::template::exec::Exec;
use crate::render::template::value::{Map, Str, StrBuf, Val, V};

pub(super) fn call(ex: &mut Exec, name: &str, args: &[Val]) -> Option<Res> {
    let r = match name {
        "trim" => one(name, args, |s| trim_by(s, |c| c.is_whitespace(), true, true)),
        "trimAll" | "trimall" => two(name, args, |cut, s| {
            let set: Vec<char> = cut.as_str().chars().collect();
            Ok(trim_by(s, |c| set.contains(&c), true, true))
        }),
        "trimPrefix" => two(name, args, |p, s| {
            Ok(match s.as_str().strip_prefix(p.as_str()) {
                Some(_) => slice(s, p.len(), s.len()),
                None => s.clone(),
            })
        }),
        "trimSuffix" => two(name, args, |p, s| {
            Ok(match s.as_str().strip_suffix(p.as_str()) {
                Some(rest) => slice(s, 0, rest.len()),
                None => s.clone(),
            })
        }),
        "upper" => one(name, args, |s| same_len(s, s.as_str().to_uppercase())),
        "lower" => one(name, args, |s| same_len(s, s.as_str().to_lowercase())),
        "title" => one(name, args, |s| same_len(s, title(s.as_str()))),
        "untitle" => one(name, args, |s| same_len(s, untitle(s.as_str()))),
        "swapcase" => one(name, args, |s| {
            let t: String = s
                .as_str()
                .chars()
                .map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().next().unwrap_or(c)
                    } else {
                        c.to_uppercase().next().unwrap_or(c)
                    }
                })
                .collect();
            same_len(s, t)
        }),
        "nospace" => one(name, args, |s| {
            derived(
                s,
                &s.as_str().chars().filter(|c| !c.is_whitespace()).collect::<String>(),
            )
        }),
        "snakecase" => one(name, args, |s| derived(s, &words(s.as_str()).join("_"))),
        "kebabcase" => one(name, args, |s| derived(s, &words(s.as_str()).join("-"))),
        "camelcase" => one(name, args, |s| derived(s, &camel(s.as_str()))),
        "initials" => one(name, args, |s| {
            derived(
                s,
                &s.as_str()
                    .split_whitespace()
                    .filter_map(|w| w.chars().next())
                    .collect::<String>(),
            )
        }),
        "shuffle" => one(name, args, |s| s.clone()),
        "trunc" => (|| {
            arity(name, args, 2)?;
            let n = want_int(&args[0])?;
            let s = want_str(&args[1])?;
            let len = s.len() as i64;
            Ok(Val::string(if n < 0 && len + n > 0 {
                slice(s, floor_char(s.as_str(), (len + n) as usize), s.len())
            } else if n >= 0 && len > n {
                slice(s, 0, floor_char(s.as_str(), n as usize))
            } else {
                s.clone()
            }))
        })(),
        "abbrev" => (|| {
            arity(name, args, 2)?;
            let w = want_int(&args[0])?;
            let s = want_str(&args[1])?;
            let chars: Vec<char> = s.as_str().chars().collect();
            if w < 4 || chars.len() as i64 <= w {
                return Ok(Val::string(s.clone()));
            }
            let kept: String = chars[..(w as usize - 3)].iter().collect();
            Ok(Val::string(derived(s, &format!("{kept}..."))))
        })(),
        "abbrevboth" => (|| {
            arity(name, args, 3)?;
            let left = want_int(&args[0])?.max(0) as usize;
            let width = want_int(&args[1])?;
            let s = want_str(&args[2])?;
            let chars: Vec<char> = s.as_str().chars().collect();
            if width < 7 || chars.len() as i64 <= width {
                return Ok(Val::string(s.clone()));
            }
            let w = width as usize;
            let start = left.min(chars.len());
            let out: String = if start <= 4 {
                chars[..w - 3].iter().collect::<String>() + "..."
            } else if start + w - 3 >= chars.len() {
                "...".to_string() + &chars[chars.len() - (w - 3)..].iter().collect::<String>()
            } else {
                "...".to_string() + &chars[start..start + w - 6].iter().collect::<String>() + "..."
            };
            Ok(Val::string(derived(s, &out)))
        })(),
        "substr" => (|| {
            arity(name, args, 3)?;
            let start = want_int(&args[0])?;
            let end = want_int(&args[1])?;
            let s = want_str(&args[2])?;
            let len = s.len() as i64;
            let (a, b) = if start < 0 {
                (0, end)
            } else if end < 0 || end > len {
                (start, len)
            } else {
                (start, end)
            };
            if a > b || a > len || b < 0 {
                return Err(FnError::new(format!("slice bounds out of range [{a}:{b}]")));
            }
            let text = s.as_str();
            Ok(Val::string(slice(
                s,
                floor_char(text, a as usize),
                floor_char(text, b as usize),
            )))
        })(),
        "repeat" => (|| {
            arity(name, args, 2)?;
            let n = want_int(&args[0])?;
            let s = want_str(&args[1])?;
            if n < 0 {
                return Err(FnError::new("strings: negative Repeat count"));
            }
            if s.len().saturating_mul(n as usize) > MAX_STRING {
                return Err(FnError::kind(
                    crate::render::template::exec::ErrorKind::Budget,
                    format!(
                        "`repeat`: {}",
                        Exceeded {
                            limit: &budget::TEMPLATE_STRING_BYTES
                        }
                    ),
                ));
            }
            let mut b = StrBuf::default();
            for _ in 0..n {
                b.push_str(s);
            }
            Ok(Val::string(b.finish()))
        })(),
        "wrap" => (|| {
            arity(name, args, 2)?;
            let w = want_int(&args[0])?;
            let s = want_str(&args[1])?;
            Ok(Val::string(derived(s, &wrap(s.as_str(), w.max(1) as usize, "\n"))))
        })(),
        "wrapWith" => (|| {
            arity(name, args, 3)?;
            let w = want_int(&args[0])?;
            let sep = want_str(&args[1])?;
            let s = want_str(&args[2])?;
            Ok(Val::string(derived(
                s,
                &wrap(s.as_str(), w.max(1) as usize, sep.as_str()),
            )))
        })(),
        "contains" => two_bool(name, args, |sub, s| s.contains(sub)),
        "hasPrefix" => two_bool(name, args, |p, s| s.starts_with(p)),
        "hasSuffix" => two_bool(name, args, |p, s| s.ends_with(p)),
        "quote" | "squote" => {
            let mut b = StrBuf::default();
            let mut first = true;
            for a in args.iter().filter(|a| !a.is_nil()) {
                if !first {
                    b.push_plain(" ");
                }
                first = false;
                let s = strval(a);
                if name == "squote" {
                    b.push_plain("'");
                    b.push_str(&s);
                    b.push_plain("'");
                } else {
                    let quoted = crate::render::template::format::quote(s.as_str());
                    if quoted.len() == s.len() + 2 {
                        b.push_plain("\"");
                        b.push_str(&s);
                        b.push_plain("\"");
                    } else {
                        b.push_str(&derived(&s, &quoted));
                    }
                }
            }
            Ok(Val::string(b.finish()))
        }
        "cat" => {
            let mut b = StrBuf::default();
            let mut first = true;
            for a in args.iter().filter(|a| !a.is_nil()) {
                if !first {
                    b.push_plain(" ");
                }
                first = false;
                b.push_str(&strval(a));
            }
            Ok(Val::string(b.finish()))
        }
        "indent" | "nindent" => (|| {
            arity(name, args, 2)?;
            let n = want_int(&args[0])?;
            let s = want_str(&args[1])?;
            let n = n.max(0) as usize;
            let lines = s.as_str().matches('\n').count() + 1;
            if n.saturating_mul(lines).saturating_add(s.len()) > MAX_STRING {
                return Err(FnError::kind(
                    crate::render::template::exec::ErrorKind::Budget,
                    format!(
                        "`{name}`: {}",
                        Exceeded {
                            limit: &budget::TEMPLATE_STRING_BYTES
                        }
                    ),
                ));
            }
            Ok(Val::string(indent(s, n, name == "nindent")))
        })(),
        "replace" => (|| {
            arity(name, args, 3)?;
            let old = want_str(&args[0])?.as_str();
            let new = want_str(&args[1])?;
            let s = want_str(&args[2])?;
            Ok(Val::string(replace_all(s, old, new)))
        })(),
        "plural" => (|| {
            arity(name, args, 3)?;
            let one = want_str(&args[0])?;
            let many = want_str(&args[1])?;
            let n = want_int(&args[2])?;
            Ok(Val::string(if n == 1 { one.clone() } else { many.clone() }))
        })(),
        "toString" => arity(name, args, 1).map(|_| Val::string(strval(&args[0])).with_origin(args[0].o)),
        "toStrings" => {
            arity(name, args, 1).map(|_| Val::list(strslice(&args[0]).into_iter().map(Val::string).collect()))
        }
        "split" | "splitn" => (|| {
            let (sep, n, s) = if name == "split" {
                arity(name, args, 2)?;
                (want_str(&args[0])?, -1, want_str(&args[1])?)
            } else {
                arity(name, args, 3)?;
                (want_str(&args[0])?, want_int(&args[1])?, want_str(&args[2])?)
            };
            let parts = split(s, sep.as_str(), n)?;
            let mut m = Map::new();
            for (i, p) in parts.into_iter().enumerate() {
                m.insert(format!("_{i}"), Val::string(p));
            }
            Ok(Val::map(m))
        })(),
        "splitList" => (|| {
            arity(name, args, 2)?;
            let parts = split(want_str(&args[1])?, want_str(&args[0])?.as_str(), -1)?;
            Ok(Val::list(parts.into_iter().map(Val::string).collect()))
        })(),
        "join" => (|| {
            arity(name, args, 2)?;
            let sep = want_str(&args[0])?;
            let mut b = StrBuf::default();
            for (i, s) in strslice(&args[1]).into_iter().enumerate() {
                if i > 0 {
                    b.push_str(sep);
                }
                b.push_str(&s);
                if b.len() > MAX_STRING {
                    return Err(FnError::kind(
                        crate::render::template::exec::ErrorKind::Budget,
                        format!(
                            "`join`: {}",
                            Exceeded {
                                limit: &budget::TEMPLATE_STRING_BYTES
                            }
                        ),
                    ));
                }
            }
            Ok(Val::string(b.finish()))
        })(),
        "sortAlpha" => arity(name, args, 1).map(|_| {
            let mut items = strslice(&args[0]);
            items.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            Val::list(items.into_iter().map(Val::string).collect())
        }),
        // regular expressions
        "regexMatch" | "mustRegexMatch" => (|| {
            arity(name, args, 2)?;
            let re = regex(ex, want_str(&args[0])?.as_str())?;
            Ok(Val::bool(re.is_match(want_str(&args[1])?.as_str())))
        })(),
        "regexFind" | "mustRegexFind" => (|| {
            arity(name, args, 2)?;
            let re = regex(ex, want_str(&args[0])?.as_str())?;
            let s = want_str(&args[1])?;
            Ok(Val::string(match re.find(s.as_str()) {
                Some(m) => slice(s, m.start(), m.end()),
                None => Str::default(),
            }))
        })(),
        "regexFindAll" | "mustRegexFindAll" => (|| {
            arity(name, args, 3)?;
            let re = regex(ex, want_str(&args[0])?.as_str())?;
            let s = want_str(&args[1])?;
            let n = want_int(&args[2])?;
            let limit = if n < 0 { MAX_LIST } else { (n as usize).min(MAX_LIST) };
            Ok(Val::list(
                re.find_iter(s.as_str())
                    .take(limit)
                    .map(|m| Val::string(slice(s, m.start(), m.end())))
                    .collect(),
            ))
        })(),
        "regexReplaceAll" | "mustRegexReplaceAll" | "regexReplaceAllLiteral" | "mustRegexReplaceAllLiteral" => (|| {
            arity(name, args, 3)?;
            let re = regex(ex, want_str(&args[0])?.as_str())?;
            let s = want_str(&args[1])?;
            let repl = want_str(&args[2])?.as_str();
            let out = if name.contains("Literal") {
                re.replace_all(s.as_str(), regex::NoExpand(repl)).into_owned()
            } else {
                re.replace_all(s.as_str(), repl).into_owned()
            };
            Ok(Val::string(derived(s, &out)))
        })(
        ),
        "regexSplit" | "mustRegexSplit" => (|| {
            arity(name, args, 3)?;
            let re = regex(ex, want_str(&args[0])?.as_str())?;
            let s = want_str(&args[1])?;
            let n = want_int(&args[2])?;
            if n == 0 {
                return Ok(Val::list(Vec::new()));
            }
            let parts: Vec<Val> = if n < 0 {
                re.split(s.as_str())
                    .take(MAX_LIST)
                    .map(|p| Val::string(derived(s, p)))
                    .collect()
            } else {
                re.splitn(s.as_str(), n as usize)
                    .map(|p| Val::string(derived(s, p)))
                    .collect()
            };
            Ok(Val::list(parts))
        })(),
        "regexQuoteMeta" => one(name, args, |s| derived(s, &regex::escape(s.as_str()))),
        // paths (forward slashes, as Go's `path`)
        "base" => one(name, args, |s| derived(s, &path_base(s.as_str()))),
        "dir" => one(name, args, |s| derived(s, &path_dir(s.as_str()))),
        "clean" => one(name, args, |s| derived(s, &path_clean(s.as_str()))),
        "ext" => one(name, args, |s| {
            let b = path_base(s.as_str());
            derived(s, b.rfind('.').map_or("", |i| &b[i..]))
        }),
        "isAbs" => arity(name, args, 1).and_then(|_| Ok(Val::bool(want_str(&args[0])?.as_str().starts_with('/')))),
        "osBase" => one(name, args, |s| derived(s, &path_base(s.as_str()))),
        "osDir" => one(name, args, |s| derived(s, &path_dir(s.as_str()))),
        "osClean" => one(name, args, |s| derived(s, &path_clean(s.as_str()))),
        "osExt" => one(name, args, |s| {
            let b = path_base(s.as_str());
            derived(s, b.rfind('.').map_or("", |i| &b[i..]))
        }),
        "osIsAbs" => arity(name, args, 1).and_then(|_| Ok(Val::bool(want_str(&args[0])?.as_str().starts_with('/')))),
        "urlParse" => arity(name, args, 1).and_then(|_| Ok(url_parse(want_str(&args[0])?.as_str()))),
        "urlJoin" => arity(name, args, 1).and_then(|_| url_join(&args[0])),
        _ => return None,
    };
    Some(r)
}

fn one(name: &str, args: &[Val], f: impl FnOnce(&Str) -> Str) -> Res {
    arity(name, args, 1)?;
    Ok(Val::string(f(want_str(&args[0])?)))
}

fn two(name: &str, args: &[Val], f: impl FnOnce(&Str, &Str) -> Result<Str, FnError>) -> Res {
    arity(name, args, 2)?;
    Ok(Val::string(f(want_str(&args[0])?, want_str(&args[1])?)?))
}

fn two_bool(name: &str, args: &[Val], f: impl FnOnce(&str, &str) -> bool) -> Res {
    arity(name, args, 2)?;
    Ok(Val::bool(f(want_str(&args[0])?.as_str(), want_str(&args[1])?.as_str())))
}

/// `s[start..end]` with its origins.
pub(super) fn slice(s: &Str, start: usize, end: usize) -> Str {
    let mut b = StrBuf::default();
    b.push_slice(s, start, end);
    b.finish()
}

/// A case change that kept every byte length keeps the origins; otherwise the whole.
fn same_len(s: &Str, t: String) -> Str {
    if t.len() != s.len() {
        return derived(s, &t);
    }
    let mut b = StrBuf::default();
    b.push_str(s);
    let mut out = b.finish();
    // same byte layout: keep the segments, take the new text
    if out.as_str() != t {
        let segs: Vec<_> = out.segs().to_vec();
        let mut nb = StrBuf::default();
        let mut pos = 0;
        for g in &segs {
            if g.start as usize > pos {
                nb.push_plain(&t[pos..g.start as usize]);
            }
            nb.push(&t[g.start as usize..g.end as usize], g.origin);
            pos = g.end as usize;
        }
        nb.push_plain(&t[pos..]);
        out = nb.finish();
    }
    out
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn trim_by(s: &Str, cut: impl Fn(char) -> bool, left: bool, right: bool) -> Str {
    let t = s.as_str();
    let start = if left {
        t.len() - t.trim_start_matches(&cut).len()
    } else {
        0
    };
    let end = if right { t.trim_end_matches(&cut).len() } else { t.len() };
    if start >= end {
        return Str::default();
    }
    slice(s, start, end)
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = !(c.is_alphanumeric() || c == '_');
    }
    out
}

fn untitle(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_space = true;
    for c in s.chars() {
        if prev_space {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        prev_space = c.is_whitespace();
    }
    out
}

/// Words of an identifier-like string, lower-cased: `fooBar baz_qux` → foo, bar, baz, qux.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && i > 0
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_lowercase())));
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn camel(s: &str) -> String {
    s.split(['_', ' ', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn wrap(s: &str, width: usize, sep: &str) -> String {
    let mut out = String::new();
    for (li, line) in s.split('\n').enumerate() {
        if li > 0 {
            out.push('\n');
        }
        let mut col = 0;
        for (wi, word) in line.split(' ').filter(|w| !w.is_empty()).enumerate() {
            let len = word.chars().count();
            if wi > 0 {
                if col + 1 + len > width {
                    out.push_str(sep);
                    col = 0;
                } else {
                    out.push(' ');
                    col += 1;
                }
            }
            out.push_str(word);
            col += len;
        }
    }
    out
}

/// `indent n s`: `n` spaces before every line (empty ones too, as Sprig does); `nindent` adds
/// a newline first. The text keeps its origins line by line.
pub(super) fn indent(s: &Str, n: usize, newline: bool) -> Str {
    let pad = " ".repeat(n);
    let mut b = StrBuf::default();
    if newline {
        b.push_plain("\n");
    }
    let text = s.as_str();
    let mut pos = 0;
    loop {
        b.push_plain(&pad);
        match text[pos..].find('\n') {
            Some(i) => {
                b.push_slice(s, pos, pos + i + 1);
                pos += i + 1;
            }
            None => {
                b.push_slice(s, pos, text.len());
                break;
            }
        }
    }
    b.finish()
}

fn replace_all(s: &Str, old: &str, new: &Str) -> Str {
    if old.is_empty() {
        let t = s.as_str().replace(old, new.as_str());
        return derived(s, &t);
    }
    let mut b = StrBuf::default();
    let mut last = 0;
    for (i, _) in s.as_str().match_indices(old) {
        b.push_slice(s, last, i);
        b.push_str(new);
        last = i + old.len();
        if b.len() > MAX_STRING {
            break;
        }
    }
    b.push_slice(s, last, s.len());
    b.finish()
}

fn split(s: &Str, sep: &str, n: i64) -> Result<Vec<Str>, FnError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let text = s.as_str();
    let mut out = Vec::new();
    if sep.is_empty() {
        // Go splits into UTF-8 sequences
        for (i, c) in text.char_indices() {
            out.push(slice(s, i, i + c.len_utf8()));
            if out.len() >= MAX_LIST {
                break;
            }
        }
        return Ok(out);
    }
    let mut pos = 0;
    for (i, _) in text.match_indices(sep) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        out.push(slice(s, pos, i));
        pos = i + sep.len();
        if out.len() >= MAX_LIST {
            return Err(FnError::kind(
                crate::render::template::exec::ErrorKind::Budget,
                format!(
                    "`split`: {}",
                    Exceeded {
                        limit: &budget::TEMPLATE_LIST_ENTRIES
                    }
                ),
            ));
        }
    }
    out.push(slice(s, pos, text.len()));
    Ok(out)
}

/// Sprig's `strslice`: the strings of a list (nils skipped), or of a single value.
pub(super) fn strslice(v: &Val) -> Vec<Str> {
    match &v.v {
        V::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        V::NoValue | V::Nil => Vec::new(),
        _ => match super::list_items(v) {
            Some(items) => items.iter().filter(|x| !x.is_nil()).map(strval).collect(),
            None => vec![strval(v)],
        },
    }
}

fn regex(ex: &mut Exec, pattern: &str) -> Result<Rc<regex::Regex>, FnError> {
    if let Some(r) = ex.regexes.get(pattern) {
        return Ok(r.clone());
    }
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(MAX_REGEX_SIZE)
        .build()
        .map_err(|e| FnError::new(format!("error parsing regexp `{pattern}`: {e}")))?;
    let re = Rc::new(re);
    if ex.regexes.len() < 1024 {
        ex.regexes.insert(pattern.to_string(), re.clone());
    }
    Ok(re)
}

fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(dir)
}

pub(super) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `url.QueryEscape`.
pub(super) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `urlParse`: Sprig's map of a URL's parts.
fn url_parse(s: &str) -> Val {
    let mut m = Map::new();
    let (scheme, rest) = match s.split_once("://") {
        Some((sc, r)) if !sc.is_empty() && sc.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) => {
            (sc, r)
        }
        _ => ("", s),
    };
    let (rest, fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = if scheme.is_empty() {
        ("", rest)
    } else {
        match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let (userinfo, host) = match authority.rsplit_once('@') {
        Some((u, h)) => (u, h),
        None => ("", authority),
    };
    for (k, v) in [
        ("scheme", scheme),
        ("host", host),
        ("hostname", host.rsplit_once(':').map_or(host, |(h, _)| h)),
        ("path", path),
        ("query", query),
        ("opaque", ""),
        ("fragment", fragment),
        ("userinfo", userinfo),
    ] {
        m.insert(k.into(), Val::str(v));
    }
    Val::map(m)
}

fn url_join(v: &Val) -> Res {
    let Some(m) = super::want_map(v)? else {
        return Ok(Val::str(""));
    };
    let m = m.borrow();
    let get = |k: &str| m.get(k).map(|x| strval(x).as_str().to_string()).unwrap_or_default();
    let mut out = String::new();
    let scheme = get("scheme");
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push_str("://");
    }
    let user = get("userinfo");
    if !user.is_empty() {
        out.push_str(&user);
        out.push('@');
    }
    out.push_str(&get("host"));
    out.push_str(&get("path"));
    let q = get("query");
    if !q.is_empty() {
        out.push('?');
        out.push_str(&q);
    }
    let f = get("fragment");
    if !f.is_empty() {
        out.push('#');
        out.push_str(&f);
    }
    Ok(Val::str(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::template::value::{Loc, Origin};

    #[test]
    fn nindent_pads_every_line_and_keeps_origins() {
        let mut b = StrBuf::default();
        b.push(
            "a: 1\nb: 2",
            Origin {
                at: Some(Loc::new(3, 100, 110)),
                linear: true,
                ..Origin::default()
            },
        );
        let s = indent(&b.finish(), 4, true);
        assert_eq!(s.as_str(), "\n    a: 1\n    b: 2");
        let second = s.segs().iter().find(|g| g.start == 14).unwrap();
        assert_eq!(second.origin.at, Some(Loc::new(3, 105, 109)));
        assert_eq!(indent(&Str::plain("x\n\ny"), 2, false).as_str(), "  x\n  \n  y");
    }

    #[test]
    fn words_cases() {
        assert_eq!(words("fooBar_baz HTTPServer"), ["foo", "bar", "baz", "http", "server"]);
        assert_eq!(camel("http_server"), "HttpServer");
        assert_eq!(title("hello world-wide"), "Hello World-Wide");
        assert_eq!(path_clean("a/./b/../c/"), "a/c");
        assert_eq!(path_dir("a/b/c.yaml"), "a/b");
        assert_eq!(path_base("a/b/c.yaml"), "c.yaml");
    }
}
