//! The functions templates call: Go's built-ins, Helm's (`include`, `tpl`, `required`,
//! `toYaml`...) and the Sprig functions charts use. Arguments are checked the way Go's
//! `text/template` checks them against the Go signatures: a `string` parameter given a number
//! or a missing value is an error, an `interface{}` parameter takes anything.
//!
//! Random, time and UUID functions are deterministic: a lint run must give the same findings
//! every time.

mod certs;
pub(crate) mod codec;
mod collections;
mod fixed;
mod numbers;
mod semver;
mod text;

use std::cell::RefCell;
use std::rc::Rc;

use super::exec::{ErrorKind, Exec, FnError};
use super::format;
use super::value::{Map, Obj, Origin, Str, StrBuf, Val, V};
use crate::source::Span;

pub(super) type Res = Result<Val, FnError>;

pub use semver::semver_compare;

/// Every function name Helm offers (Sprig's, Go's and Helm's own), so that a name linea does
/// not implement is told apart from a name no chart can call.
const KNOWN: &[&str] = &[
    // Go
    "and",
    "call",
    "html",
    "index",
    "slice",
    "js",
    "len",
    "not",
    "or",
    "print",
    "printf",
    "println",
    "urlquery",
    "eq",
    "ge",
    "gt",
    "le",
    "lt",
    "ne",
    // Helm
    "include",
    "tpl",
    "required",
    "fail",
    "lookup",
    "toYaml",
    "toYamlPretty",
    "mustToYaml",
    "fromYaml",
    "fromYamlArray",
    "toJson",
    "mustToJson",
    "fromJson",
    "fromJsonArray",
    "toToml",
    "fromToml",
    // Sprig
    "hello",
    "ago",
    "date",
    "date_in_zone",
    "date_modify",
    "dateInZone",
    "dateModify",
    "duration",
    "durationRound",
    "htmlDate",
    "htmlDateInZone",
    "must_date_modify",
    "mustDateModify",
    "mustToDate",
    "now",
    "toDate",
    "unixEpoch",
    "abbrev",
    "abbrevboth",
    "trunc",
    "trim",
    "upper",
    "lower",
    "title",
    "untitle",
    "substr",
    "repeat",
    "trimall",
    "trimAll",
    "trimSuffix",
    "trimPrefix",
    "nospace",
    "initials",
    "randAlphaNum",
    "randAlpha",
    "randAscii",
    "randNumeric",
    "swapcase",
    "shuffle",
    "snakecase",
    "camelcase",
    "kebabcase",
    "wrap",
    "wrapWith",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "quote",
    "squote",
    "cat",
    "indent",
    "nindent",
    "replace",
    "plural",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "adler32sum",
    "toString",
    "atoi",
    "int64",
    "int",
    "float64",
    "seq",
    "toDecimal",
    "split",
    "splitList",
    "splitn",
    "toStrings",
    "until",
    "untilStep",
    "add1",
    "add",
    "sub",
    "div",
    "mod",
    "mul",
    "randInt",
    "add1f",
    "addf",
    "subf",
    "divf",
    "mulf",
    "biggest",
    "max",
    "min",
    "maxf",
    "minf",
    "ceil",
    "floor",
    "round",
    "join",
    "sortAlpha",
    "default",
    "empty",
    "coalesce",
    "all",
    "any",
    "compact",
    "mustCompact",
    "toPrettyJson",
    "mustToPrettyJson",
    "toRawJson",
    "mustToRawJson",
    "mustFromJson",
    "ternary",
    "deepCopy",
    "mustDeepCopy",
    "typeOf",
    "typeIs",
    "typeIsLike",
    "kindOf",
    "kindIs",
    "deepEqual",
    "env",
    "expandenv",
    "getHostByName",
    "base",
    "dir",
    "clean",
    "ext",
    "isAbs",
    "osBase",
    "osClean",
    "osDir",
    "osExt",
    "osIsAbs",
    "b64enc",
    "b64dec",
    "b32enc",
    "b32dec",
    "tuple",
    "list",
    "dict",
    "get",
    "set",
    "unset",
    "hasKey",
    "pluck",
    "keys",
    "pick",
    "omit",
    "merge",
    "mergeOverwrite",
    "mustMerge",
    "mustMergeOverwrite",
    "values",
    "append",
    "push",
    "mustAppend",
    "mustPush",
    "prepend",
    "mustPrepend",
    "first",
    "mustFirst",
    "rest",
    "mustRest",
    "last",
    "mustLast",
    "initial",
    "mustInitial",
    "reverse",
    "mustReverse",
    "uniq",
    "mustUniq",
    "without",
    "mustWithout",
    "has",
    "mustHas",
    "mustSlice",
    "concat",
    "dig",
    "chunk",
    "mustChunk",
    "bcrypt",
    "htpasswd",
    "genPrivateKey",
    "derivePassword",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
    "randBytes",
    "uuidv4",
    "semver",
    "semverCompare",
    "regexMatch",
    "mustRegexMatch",
    "regexFindAll",
    "mustRegexFindAll",
    "regexFind",
    "mustRegexFind",
    "regexReplaceAll",
    "mustRegexReplaceAll",
    "regexReplaceAllLiteral",
    "mustRegexReplaceAllLiteral",
    "regexSplit",
    "mustRegexSplit",
    "regexQuoteMeta",
    "urlParse",
    "urlJoin",
];

/// Whether `name` is a function of Helm's template language.
pub fn is_known(name: &str) -> bool {
    KNOWN.contains(&name)
}

/// Every function name Helm offers, in the order above.
pub fn known() -> &'static [&'static str] {
    KNOWN
}

/// Whether linea implements `name`: asks the dispatch itself (with no arguments, which an
/// implemented function answers with an arity error at worst), so that the statistics of
/// `.ci/helm-stats.sh` and the tests never trust a list kept by hand.
pub fn is_implemented(name: &str) -> bool {
    if !is_known(name) {
        return false;
    }
    // `and` and `or` are evaluated lazily by the executor, before the dispatch
    if matches!(name, "and" | "or") {
        return true;
    }
    let set = super::Set::default();
    let host = super::NoFiles;
    let mut ex = Exec::new(&set, &host);
    call(&mut ex, name, Vec::new(), &Val::nil(), Span::empty(0)).is_some()
}

pub(super) fn arity(name: &str, args: &[Val], want: usize) -> Result<(), FnError> {
    if args.len() != want {
        return Err(FnError::new(format!(
            "wrong number of args for {name}: want {want} got {}",
            args.len()
        )));
    }
    Ok(())
}

pub(super) fn arity_min(name: &str, args: &[Val], min: usize) -> Result<(), FnError> {
    if args.len() < min {
        return Err(FnError::new(format!(
            "wrong number of args for {name}: want at least {min} got {}",
            args.len()
        )));
    }
    Ok(())
}

/// A `string` parameter.
pub(super) fn want_str(v: &Val) -> Result<&Str, FnError> {
    match &v.v {
        V::Str(s) => Ok(s),
        V::NoValue | V::Nil => Err(FnError::new("invalid value; expected string")),
        _ => Err(FnError::new(format!(
            "wrong type for value; expected string; got {}",
            v.type_name()
        ))),
    }
}

/// A `string` parameter that keeps where it came from: a values entry's string carries its
/// line on the [`Val`], and a function whose result derives from the string needs it on the
/// bytes.
pub(super) fn want_traced_str(v: &Val) -> Result<Str, FnError> {
    Ok(want_str(v)?.with_value(v.o))
}

/// An `int` parameter (Go converts neither floats nor strings).
pub(super) fn want_int(v: &Val) -> Result<i64, FnError> {
    match &v.v {
        V::Int(i) | V::Int64(i) => Ok(*i),
        V::NoValue | V::Nil => Err(FnError::new("invalid value; expected int")),
        _ => Err(FnError::new(format!(
            "wrong type for value; expected int; got {}",
            v.type_name()
        ))),
    }
}

pub(super) fn want_bool(v: &Val) -> Result<bool, FnError> {
    match &v.v {
        V::Bool(b) => Ok(*b),
        V::NoValue | V::Nil => Err(FnError::new("invalid value; expected bool")),
        _ => Err(FnError::new(format!(
            "wrong type for value; expected bool; got {}",
            v.type_name()
        ))),
    }
}

/// A `map[string]interface{}` parameter; nil is an empty (nil) map.
pub(super) fn want_map(v: &Val) -> Result<Option<Rc<RefCell<Map>>>, FnError> {
    match &v.v {
        V::Map(m) => Ok(Some(m.clone())),
        V::NoValue | V::Nil => Ok(None),
        _ => Err(FnError::new(format!(
            "wrong type for value; expected map[string]interface {{}}; got {}",
            v.type_name()
        ))),
    }
}

/// Sprig's `strval`: strings as they are, anything else as `%v` prints it.
pub(super) fn strval(v: &Val) -> Str {
    match &v.v {
        V::Str(s) => s.clone(),
        _ => Str::with_origin(
            &format::sprint(v),
            Origin {
                value: v.o,
                ..Origin::default()
            },
        ),
    }
}

/// A derived string: the whole result keeps the one values entry `from` came from, or that
/// it was written by hand ([`Str::provenance`]).
pub(super) fn derived(from: &Str, text: &str) -> Str {
    if text == from.as_str() {
        return from.clone();
    }
    Str::with_origin(text, from.provenance())
}

/// Helm replaces `<no value>` in what templates render with nothing.
pub fn remove_no_value(s: &Str) -> Str {
    const NO_VALUE: &str = "<no value>";
    if !s.as_str().contains(NO_VALUE) {
        return s.clone();
    }
    let mut b = StrBuf::default();
    let mut last = 0;
    for (i, _) in s.as_str().match_indices(NO_VALUE) {
        b.push_slice(s, last, i);
        last = i + NO_VALUE.len();
    }
    b.push_slice(s, last, s.len());
    b.finish()
}

fn list_items(v: &Val) -> Option<Vec<Val>> {
    match &v.v {
        V::List(l) => Some(l.as_ref().clone()),
        V::Obj(o) => match &**o {
            Obj::ApiVersions(list) => Some(list.iter().map(|s| Val::str(s.as_str())).collect()),
            _ => None,
        },
        _ => None,
    }
}

/// Call function `name`; `None` when there is no such function.
pub fn call(ex: &mut Exec, name: &str, args: Vec<Val>, dot: &Val, span: Span) -> Option<Res> {
    let _ = dot;
    let r = match name {
        // Helm
        "include" => include(ex, args, span),
        "tpl" => tpl(ex, args, span),
        "required" => required(args),
        "fail" => fail(args),
        "lookup" => {
            if args.len() != 4 {
                return Some(arity(name, &args, 4).map(|_| Val::nil()));
            }
            Ok(Val::map(Map::new()))
        }
        "toYaml" | "toYamlPretty" | "mustToYaml" => {
            arity(name, &args, 1).and_then(|_| match super::yaml::to_yaml(&args[0]) {
                Ok(s) => Ok(Val::string(s)),
                Err(e) if name == "mustToYaml" => Err(FnError::new(e)),
                Err(_) => Ok(Val::str("")),
            })
        }
        "fromYaml" => arity(name, &args, 1).and_then(|_| Ok(super::yaml::from_yaml(want_str(&args[0])?, false))),
        "fromYamlArray" => arity(name, &args, 1).and_then(|_| Ok(super::yaml::from_yaml(want_str(&args[0])?, true))),
        "toJson" | "mustToJson" | "toPrettyJson" | "mustToPrettyJson" | "toRawJson" | "mustToRawJson" => {
            arity(name, &args, 1).and_then(|_| {
                let style = super::json::Style {
                    indent: name.contains("Pretty").then_some("  "),
                    escape_html: !name.contains("Raw"),
                };
                match super::json::to_json(&args[0], &style) {
                    Ok(s) => Ok(Val::string(s)),
                    Err(e) if name.starts_with("must") => Err(FnError::new(e)),
                    Err(_) => Ok(Val::str("")),
                }
            })
        }
        "fromJson" | "fromJsonArray" | "mustFromJson" => arity(name, &args, 1).and_then(|_| {
            let text = want_str(&args[0])?;
            let parsed = super::json::from_json(text.as_str());
            match (name, parsed) {
                ("mustFromJson", Ok(v)) => Ok(v),
                ("mustFromJson", Err(e)) => Err(FnError::new(e)),
                ("fromJson", Ok(v)) if matches!(v.v, V::Map(_)) => Ok(v),
                ("fromJsonArray", Ok(v)) if matches!(v.v, V::List(_)) => Ok(v),
                ("fromJson", r) => {
                    let mut m = Map::new();
                    let msg = r.err().unwrap_or_else(|| "json: cannot unmarshal into map".into());
                    m.insert("Error".into(), Val::str(msg));
                    Ok(Val::map(m))
                }
                (_, r) => {
                    let msg = r.err().unwrap_or_else(|| "json: cannot unmarshal into array".into());
                    Ok(Val::list(vec![Val::str(msg)]))
                }
            }
        }),
        "toToml" => arity(name, &args, 1).map(|_| Val::str(codec::to_toml(&args[0]))),
        "fromToml" => arity(name, &args, 1).and_then(|_| Ok(codec::from_toml(want_str(&args[0])?.as_str()))),
        // Go
        "not" => arity(name, &args, 1).map(|_| Val::bool(!args[0].truth())),
        "len" => arity(name, &args, 1).and_then(|_| length(&args[0])),
        "index" => index(args),
        "print" => {
            let mut b = StrBuf::default();
            format::sprint_args(&args, &mut b);
            Ok(Val::string(b.finish()))
        }
        "println" => {
            let mut b = StrBuf::default();
            format::sprintln_args(&args, &mut b);
            Ok(Val::string(b.finish()))
        }
        "printf" => {
            arity_min(name, &args, 1).and_then(|_| Ok(Val::string(format::sprintf(want_str(&args[0])?, &args[1..]))))
        }
        "eq" => eq(args).map(Val::bool),
        "ne" => arity(name, &args, 2).and_then(|_| eq(args).map(|b| Val::bool(!b))),
        "lt" | "le" | "gt" | "ge" => arity(name, &args, 2).and_then(|_| compare(name, &args[0], &args[1])),
        "html" => Ok(Val::str(text::html_escape(&joined(&args)))),
        "js" => Ok(Val::str(text::js_escape(&joined(&args)))),
        "urlquery" => Ok(Val::str(text::query_escape(&joined(&args)))),
        _ => {
            if let Some(r) = text::call(ex, name, &args) {
                r
            } else if let Some(r) = collections::call(name, &args) {
                r
            } else if let Some(r) = numbers::call(name, &args) {
                r
            } else if let Some(r) = codec::call(name, &args) {
                r
            } else if let Some(r) = semver::call(name, &args) {
                r
            } else if let Some(r) = certs::call(ex, name, &args) {
                r
            } else {
                fixed::call(ex, name, &args)?
            }
        }
    };
    Some(r)
}

/// What `html`/`js`/`urlquery` see: their arguments printed together.
fn joined(args: &[Val]) -> String {
    if let [one] = args {
        if let V::Str(s) = &one.v {
            return s.as_str().to_string();
        }
    }
    let mut b = StrBuf::default();
    format::sprint_args(args, &mut b);
    b.finish().as_str().to_string()
}

fn include(ex: &mut Exec, args: Vec<Val>, span: Span) -> Res {
    arity("include", &args, 2)?;
    let name = want_str(&args[0])?.as_str().to_string();
    let data = args.into_iter().nth(1).unwrap_or_else(Val::nil);
    Ok(Val::string(ex.include(&name, data, span)?))
}

fn tpl(ex: &mut Exec, args: Vec<Val>, span: Span) -> Res {
    arity("tpl", &args, 2)?;
    let text = want_str(&args[0])?.clone();
    let data = &args[1];
    if !matches!(data.v, V::Map(_)) {
        return Err(FnError::new(format!(
            "wrong type for value; expected chartutil.Values; got {}",
            data.type_name()
        )));
    }
    Ok(Val::string(ex.tpl(&text, data.clone(), span)?))
}

fn required(args: Vec<Val>) -> Res {
    arity("required", &args, 2)?;
    let warn = want_str(&args[0])?.as_str().to_string();
    let v = &args[1];
    let missing = match &v.v {
        V::NoValue | V::Nil => true,
        V::Str(s) => s.is_empty(),
        _ => false,
    };
    if missing {
        return Err(FnError::kind(ErrorKind::Required, warn));
    }
    Ok(args.into_iter().nth(1).unwrap_or_else(Val::nil))
}

fn fail(args: Vec<Val>) -> Res {
    arity("fail", &args, 1)?;
    Err(FnError::kind(ErrorKind::Fail, want_str(&args[0])?.as_str().to_string()))
}

fn length(v: &Val) -> Res {
    Ok(Val::int(match &v.v {
        V::Str(s) => s.len() as i64,
        V::List(l) => l.len() as i64,
        V::Map(m) => m.borrow().len() as i64,
        V::Obj(o) => match &**o {
            Obj::Files(p) => p.len() as i64,
            Obj::ApiVersions(l) => l.len() as i64,
            Obj::KubeVersion { .. } => return Err(FnError::new("len of type *chartutil.KubeVersion")),
        },
        V::NoValue | V::Nil => return Err(FnError::new("len of nil pointer")),
        _ => return Err(FnError::new(format!("len of type {}", v.type_name()))),
    }))
}

fn index(args: Vec<Val>) -> Res {
    arity_min("index", &args, 1)?;
    let mut it = args.into_iter();
    let mut cur = it.next().unwrap_or_else(Val::nil);
    for idx in it {
        cur = match &cur.v {
            V::NoValue | V::Nil => return Err(FnError::new("index of untyped nil")),
            V::List(l) => {
                let i = idx_int(&idx)?;
                if i < 0 || i as usize >= l.len() {
                    return Err(FnError::new(format!("index out of range: {i}")));
                }
                l[i as usize].clone()
            }
            V::Map(m) => {
                let key = match &idx.v {
                    V::Str(s) => s.as_str().to_string(),
                    V::NoValue | V::Nil => return Ok(Val::nil()),
                    _ => {
                        return Err(FnError::new(format!(
                            "value has type {}; should be string",
                            idx.type_name()
                        )))
                    }
                };
                let found = m.borrow().get(&key).cloned();
                found.unwrap_or_else(Val::nil)
            }
            V::Str(s) => {
                let i = idx_int(&idx)?;
                match s.as_str().as_bytes().get(i.max(0) as usize).filter(|_| i >= 0) {
                    Some(b) => Val::new(V::Int(*b as i64)),
                    None => return Err(FnError::new(format!("index out of range: {i}"))),
                }
            }
            _ => return Err(FnError::new(format!("can't index item of type {}", cur.type_name()))),
        };
    }
    Ok(cur)
}

fn idx_int(v: &Val) -> Result<i64, FnError> {
    match &v.v {
        V::Int(i) | V::Int64(i) => Ok(*i),
        V::NoValue | V::Nil => Err(FnError::new("cannot index slice/array with nil")),
        _ => Err(FnError::new(format!(
            "cannot index slice/array with type {}",
            v.type_name()
        ))),
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Basic {
    Bool,
    Int,
    Float,
    Str,
    Other,
    Invalid,
}

fn basic(v: &Val) -> Basic {
    match &v.v {
        V::NoValue | V::Nil => Basic::Invalid,
        V::Bool(_) => Basic::Bool,
        V::Int(_) | V::Int64(_) => Basic::Int,
        V::Float(_) => Basic::Float,
        V::Str(_) => Basic::Str,
        _ => Basic::Other,
    }
}

/// Go's `eq arg1 arg2...`: true when `arg1` equals any other; integers compare across sizes,
/// an integer and a float do not (an error, as in Go); a nil equals only a nil.
fn eq(args: Vec<Val>) -> Result<bool, FnError> {
    arity_min("eq", &args, 2)?;
    let a = &args[0];
    let ka = basic(a);
    for b in &args[1..] {
        let kb = basic(b);
        let truth = if ka != kb {
            if ka != Basic::Invalid && kb != Basic::Invalid {
                return Err(FnError::new("incompatible types for comparison"));
            }
            false
        } else {
            match (&a.v, &b.v) {
                (V::Bool(x), V::Bool(y)) => x == y,
                (V::Int(x) | V::Int64(x), V::Int(y) | V::Int64(y)) => x == y,
                (V::Float(x), V::Float(y)) => x == y,
                (V::Str(x), V::Str(y)) => x.as_str() == y.as_str(),
                _ if ka == Basic::Invalid => true,
                _ => return Err(FnError::new(format!("non-comparable type {}", a.type_name()))),
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn compare(name: &str, a: &Val, b: &Val) -> Res {
    let (ka, kb) = (basic(a), basic(b));
    if matches!(ka, Basic::Bool | Basic::Other | Basic::Invalid)
        || matches!(kb, Basic::Bool | Basic::Other | Basic::Invalid)
    {
        return Err(FnError::new("invalid type for comparison"));
    }
    if ka != kb {
        return Err(FnError::new("incompatible types for comparison"));
    }
    let ord = match (&a.v, &b.v) {
        (V::Int(x) | V::Int64(x), V::Int(y) | V::Int64(y)) => x.partial_cmp(y),
        (V::Float(x), V::Float(y)) => x.partial_cmp(y),
        (V::Str(x), V::Str(y)) => x.as_str().partial_cmp(y.as_str()),
        _ => None,
    };
    use std::cmp::Ordering::*;
    let r = match (name, ord) {
        (_, None) => false,
        ("lt", Some(o)) => o == Less,
        ("le", Some(o)) => o != Greater,
        ("gt", Some(o)) => o == Greater,
        (_, Some(o)) => o != Less,
    };
    Ok(Val::bool(r))
}

/// A method or field of one of Helm's objects.
pub fn method(ex: &mut Exec, o: &Obj, name: &str, args: Vec<Val>) -> Res {
    match o {
        Obj::Files(paths) => files_method(ex, paths, name, args),
        Obj::ApiVersions(list) => match name {
            "Has" => {
                arity("Has", &args, 1)?;
                let want = want_str(&args[0])?.as_str();
                Ok(Val::bool(list.iter().any(|v| v == want)))
            }
            _ => Err(FnError::new(format!(
                "can't evaluate field {name} in type chartutil.VersionSet"
            ))),
        },
        Obj::KubeVersion { version, major, minor } => {
            if !args.is_empty() {
                return Err(FnError::new(format!("{name} is not a method but has arguments")));
            }
            match name {
                "Version" | "GitVersion" | "String" => Ok(Val::str(version.as_str())),
                "Major" => Ok(Val::str(major.as_str())),
                "Minor" => Ok(Val::str(minor.as_str())),
                _ => Err(FnError::new(format!(
                    "can't evaluate field {name} in type *chartutil.KubeVersion"
                ))),
            }
        }
    }
}

fn base_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn files_method(ex: &mut Exec, paths: &Rc<Vec<String>>, name: &str, args: Vec<Val>) -> Res {
    match name {
        "Get" | "GetBytes" => {
            arity(name, &args, 1)?;
            let p = want_str(&args[0])?.as_str().to_string();
            let found = paths.contains(&p);
            Ok(Val::string(if found {
                ex.host.file(&p).unwrap_or_default()
            } else {
                Str::default()
            }))
        }
        "Lines" => {
            arity(name, &args, 1)?;
            let p = want_str(&args[0])?.as_str().to_string();
            if !paths.contains(&p) {
                return Ok(Val::list(Vec::new()));
            }
            let content = ex.host.file(&p).unwrap_or_default();
            let text = content.as_str();
            let body = text.strip_suffix('\n').unwrap_or(text);
            let mut lines = Vec::new();
            let mut pos = 0;
            for part in body.split('\n') {
                let mut b = StrBuf::default();
                b.push_slice(&content, pos, pos + part.len());
                lines.push(Val::string(b.finish()));
                pos += part.len() + 1;
            }
            Ok(Val::list(lines))
        }
        "Glob" => {
            arity(name, &args, 1)?;
            let pattern = want_str(&args[0])?.as_str();
            crate::budget::check_glob(pattern).map_err(|over| {
                FnError::kind(
                    crate::render::template::exec::ErrorKind::Budget,
                    format!("`Glob`: {over}"),
                )
            })?;
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| FnError::new(format!("bad glob `{pattern}`: {e}")))?
                .compile_matcher();
            let matched: Vec<String> = paths.iter().filter(|p| glob.is_match(p.as_str())).cloned().collect();
            Ok(Val::new(V::Obj(Rc::new(Obj::Files(Rc::new(matched))))))
        }
        "AsConfig" | "AsSecrets" => {
            if !args.is_empty() {
                return Err(FnError::new(format!(
                    "wrong number of args for {name}: want 0 got {}",
                    args.len()
                )));
            }
            let mut m = Map::new();
            for p in paths.iter() {
                let content = ex.host.file(p).unwrap_or_default();
                let v = if name == "AsSecrets" {
                    Val::str(codec::b64encode(content.as_str().as_bytes()))
                } else {
                    Val::string(content)
                };
                m.insert(base_name(p).to_string(), v);
            }
            if m.is_empty() {
                return Ok(Val::str(""));
            }
            super::yaml::to_yaml(&Val::map(m))
                .map(Val::string)
                .map_err(FnError::new)
        }
        _ => Err(FnError::new(format!(
            "can't evaluate field {name} in type engine.files"
        ))),
    }
}

/// A list-like argument of a Sprig function (`[]interface{}`), or the error Sprig raises.
pub(super) fn sprig_list(name: &str, v: &Val) -> Result<Vec<Val>, FnError> {
    match list_items(v) {
        Some(items) => Ok(items),
        None => Err(FnError::new(format!("Cannot {name} on type {}", v.type_name()))),
    }
}
