//! `semver` and `semverCompare` with the constraint language charts use (Masterminds semver
//! v3): `>=`, `<`, `=`, `!=`, `~`, `^`, wildcards (`1.2.x`, `*`), hyphen ranges, `,`/space for
//! "and", `||` for "or"; a version with a pre-release (`1.29.1-gke.100`) satisfies only
//! constraints that name a pre-release themselves (hence the `>=1.19-0` idiom).

use std::cmp::Ordering;

use super::{arity, want_str, FnError, Res};
use crate::render::template::value::{Map, Val};

#[derive(Debug, Clone, PartialEq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<String>,
    meta: String,
}

fn parse_version(s: &str) -> Option<Version> {
    let s = s.trim();
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let (s, meta) = s.split_once('+').unwrap_or((s, ""));
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, p),
        None => (s, ""),
    };
    let mut nums = core.split('.');
    let num = |p: Option<&str>| -> Option<u64> {
        match p {
            None => Some(0),
            Some(x) if !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()) => x.parse().ok(),
            Some(_) => None,
        }
    };
    let major = num(Some(nums.next()?))?;
    let minor = num(nums.next())?;
    let patch = num(nums.next())?;
    if nums.next().is_some() {
        return None;
    }
    let valid_ident = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let pre: Vec<String> = if pre.is_empty() {
        Vec::new()
    } else {
        pre.split('.').map(str::to_string).collect()
    };
    if pre.iter().any(|p| !valid_ident(p)) || (!meta.is_empty() && meta.split('.').any(|m| !valid_ident(m))) {
        return None;
    }
    Some(Version {
        major,
        minor,
        patch,
        pre,
        meta: meta.to_string(),
    })
}

fn cmp_pre(a: &[String], b: &[String]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    for (x, y) in a.iter().zip(b) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(p), Ok(q)) => p.cmp(&q),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

fn cmp(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| cmp_pre(&a.pre, &b.pre))
}

/// A constraint's version: missing or wildcard parts are `None`.
#[derive(Debug, Clone)]
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: Vec<String>,
}

fn parse_partial(s: &str) -> Option<Partial> {
    let s = s.trim().strip_prefix(['v', 'V']).unwrap_or(s.trim());
    let (s, _meta) = s.split_once('+').unwrap_or((s, ""));
    let (core, pre) = s.split_once('-').unwrap_or((s, ""));
    let mut parts = core.split('.');
    let part = |p: Option<&str>| -> Result<Option<u64>, ()> {
        match p {
            None | Some("x" | "X" | "*") => Ok(None),
            Some(x) if !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()) => x.parse().map(Some).map_err(|_| ()),
            Some(_) => Err(()),
        }
    };
    let major = part(parts.next()).ok()?;
    let minor = part(parts.next()).ok()?;
    let patch = part(parts.next()).ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(Partial {
        major,
        minor: if major.is_none() { None } else { minor },
        patch: if minor.is_none() { None } else { patch },
        pre: if pre.is_empty() {
            Vec::new()
        } else {
            pre.split('.').map(str::to_string).collect()
        },
    })
}

fn ver(major: u64, minor: u64, patch: u64, pre: &[String]) -> Version {
    Version {
        major,
        minor,
        patch,
        pre: pre.to_vec(),
        meta: String::new(),
    }
}

impl Partial {
    fn low(&self) -> Version {
        ver(
            self.major.unwrap_or(0),
            self.minor.unwrap_or(0),
            self.patch.unwrap_or(0),
            &self.pre,
        )
    }
    /// The first version above everything this partial version covers (None: no bound).
    fn next(&self) -> Option<Version> {
        match (self.major, self.minor, self.patch) {
            (None, _, _) => None,
            (Some(m), None, _) => Some(ver(m + 1, 0, 0, &[])),
            (Some(m), Some(n), None) => Some(ver(m, n + 1, 0, &[])),
            (Some(m), Some(n), Some(p)) => Some(ver(m, n, p + 1, &[])),
        }
    }
    fn exact(&self) -> bool {
        self.patch.is_some()
    }
}

#[derive(Debug, Clone)]
struct Term {
    op: String,
    v: Partial,
}

fn term_matches(t: &Term, v: &Version) -> bool {
    // a pre-release only satisfies a constraint that itself names one
    if !v.pre.is_empty() && t.v.pre.is_empty() {
        return false;
    }
    let low = t.v.low();
    let in_range = |lo: &Version, hi: Option<Version>| {
        cmp(v, lo) != Ordering::Less && hi.is_none_or(|h| cmp(v, &h) == Ordering::Less)
    };
    match t.op.as_str() {
        "" | "=" => {
            if t.v.exact() {
                cmp(v, &low) == Ordering::Equal
            } else {
                in_range(&low, t.v.next())
            }
        }
        "!=" => {
            if t.v.exact() {
                cmp(v, &low) != Ordering::Equal
            } else {
                !in_range(&low, t.v.next())
            }
        }
        ">" => {
            if t.v.exact() {
                cmp(v, &low) == Ordering::Greater
            } else {
                t.v.next().is_some_and(|n| cmp(v, &n) != Ordering::Less)
            }
        }
        ">=" | "=>" => cmp(v, &low) != Ordering::Less,
        "<" => cmp(v, &low) == Ordering::Less,
        "<=" | "=<" => {
            if t.v.exact() {
                cmp(v, &low) != Ordering::Greater
            } else {
                t.v.next().is_none_or(|n| cmp(v, &n) == Ordering::Less)
            }
        }
        "~" | "~>" => {
            let hi = match (t.v.major, t.v.minor) {
                (None, _) => None,
                (Some(m), None) => Some(ver(m + 1, 0, 0, &[])),
                (Some(m), Some(n)) => Some(ver(m, n + 1, 0, &[])),
            };
            in_range(&low, hi)
        }
        "^" => {
            let hi = match (t.v.major, t.v.minor, t.v.patch) {
                (None, _, _) => None,
                (Some(0), None, _) => Some(ver(1, 0, 0, &[])),
                (Some(0), Some(0), None) => Some(ver(0, 1, 0, &[])),
                (Some(0), Some(0), Some(p)) => Some(ver(0, 0, p + 1, &[])),
                (Some(0), Some(n), _) => Some(ver(0, n + 1, 0, &[])),
                (Some(m), _, _) => Some(ver(m + 1, 0, 0, &[])),
            };
            in_range(&low, hi)
        }
        _ => false,
    }
}

const OPS: [&str; 11] = ["!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^"];

/// Parse one "and" group into terms.
fn parse_group(g: &str) -> Option<Vec<Term>> {
    // hyphen range `1.2 - 1.4.5`
    if let Some((a, b)) = g.split_once(" - ") {
        return Some(vec![
            Term {
                op: ">=".into(),
                v: parse_partial(a)?,
            },
            Term {
                op: "<=".into(),
                v: parse_partial(b)?,
            },
        ]);
    }
    let mut tokens: Vec<String> = Vec::new();
    for piece in g.split([',', ' ', '\t']).filter(|p| !p.is_empty()) {
        // an operator written apart from its version (`>= 1.2`)
        if let Some(last) = tokens.last_mut() {
            if OPS.contains(&last.as_str()) {
                last.push_str(piece);
                continue;
            }
        }
        tokens.push(piece.to_string());
    }
    let mut terms = Vec::new();
    for t in tokens {
        let op = OPS.iter().find(|o| t.starts_with(**o)).copied().unwrap_or("");
        let v = parse_partial(&t[op.len()..])?;
        terms.push(Term { op: op.to_string(), v });
    }
    (!terms.is_empty()).then_some(terms)
}

/// Whether `version` satisfies `constraint`.
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let v = parse_version(version).ok_or_else(|| format!("Invalid Semantic Version: `{version}`"))?;
    let mut any = false;
    for group in constraint.split("||") {
        let terms = parse_group(group.trim()).ok_or_else(|| format!("improper constraint: {constraint}"))?;
        if terms.iter().all(|t| term_matches(t, &v)) {
            any = true;
        }
    }
    Ok(any)
}

pub(super) fn call(name: &str, args: &[Val]) -> Option<Res> {
    let r = match name {
        "semverCompare" => (|| {
            arity(name, args, 2)?;
            let c = want_str(&args[0])?.as_str();
            let v = want_str(&args[1])?.as_str();
            semver_compare(c, v).map(Val::bool).map_err(FnError::new)
        })(),
        "semver" => (|| {
            arity(name, args, 1)?;
            let s = want_str(&args[0])?.as_str();
            let v = parse_version(s).ok_or_else(|| FnError::new("Invalid Semantic Version"))?;
            let mut m = Map::new();
            m.insert(
                "Major".into(),
                Val::new(crate::render::template::value::V::Int64(v.major as i64)),
            );
            m.insert(
                "Minor".into(),
                Val::new(crate::render::template::value::V::Int64(v.minor as i64)),
            );
            m.insert(
                "Patch".into(),
                Val::new(crate::render::template::value::V::Int64(v.patch as i64)),
            );
            m.insert("Prerelease".into(), Val::str(v.pre.join(".")));
            m.insert("Metadata".into(), Val::str(v.meta.as_str()));
            m.insert("Original".into(), Val::str(s));
            Ok(Val::map(m))
        })(),
        _ => return None,
    };
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(c: &str, v: &str) -> bool {
        semver_compare(c, v).unwrap()
    }

    #[test]
    fn constraints_as_charts_write_them() {
        assert!(ok(">=1.19-0", "v1.31.0"));
        assert!(ok(">=1.19-0", "v1.29.1-gke.1589018"));
        assert!(!ok(">=1.19", "v1.29.1-gke.1589018"));
        assert!(ok(">= 1.21.0-0, < 1.32.0-0", "1.31.0"));
        assert!(!ok("<1.19-0", "v1.31.0"));
        assert!(ok("^1.2.3", "1.9.0") && !ok("^1.2.3", "2.0.0"));
        assert!(ok("~1.2", "1.2.9") && !ok("~1.2", "1.3.0"));
        assert!(ok("1.2.x", "1.2.7") && !ok("1.2.x", "1.3.0"));
        assert!(ok(">1.2", "1.3.0") && !ok(">1.2", "1.2.9"));
        assert!(ok("<=1.2", "1.2.9"));
        assert!(ok("1.0 - 1.4", "1.3.0"));
        assert!(ok("<1.0 || >=2.0", "2.1.0"));
        assert!(ok("*", "3.0.0"));
        assert!(semver_compare(">=1.19", "not-a-version").is_err());
    }
}
