//! Sprig's list, dictionary, default and type functions. Dictionaries are references, as Go
//! maps are: `set`, `unset`, `merge` change the map every holder sees.

use std::cell::RefCell;
use std::rc::Rc;

use super::{arity, arity_min, sprig_list, strval, want_int, want_map, want_str, FnError, Res};
use crate::budget::{self, Exceeded};

const MAX_LIST: usize = budget::TEMPLATE_LIST_ENTRIES.get();
const MAX_VALUE_DEPTH: usize = budget::TEMPLATE_VALUE_DEPTH.get();
use crate::render::template::exec::ErrorKind;
use crate::render::template::value::{deep_equal, Map, Val, V};

pub(super) fn call(name: &str, args: &[Val]) -> Option<Res> {
    let r = match name {
        "list" | "tuple" => Ok(Val::list(args.to_vec())),
        "dict" => {
            let mut m = Map::new();
            let mut i = 0;
            while i < args.len() {
                let key = strval(&args[i]).as_str().to_string();
                let mut v = args.get(i + 1).cloned().unwrap_or_else(|| Val::str(""));
                if v.ko.is_none() {
                    v.ko = args[i].o;
                }
                m.insert(key, v);
                i += 2;
            }
            Ok(Val::map(m))
        }
        "get" => (|| {
            arity(name, args, 2)?;
            let key = want_str(&args[1])?.as_str();
            let found = want_map(&args[0])?.and_then(|m| m.borrow().get(key).cloned());
            Ok(found.unwrap_or_else(|| Val::str("")))
        })(),
        "set" => (|| {
            arity(name, args, 3)?;
            let key = want_str(&args[1])?.as_str().to_string();
            let Some(m) = want_map(&args[0])? else {
                return Err(FnError::new("assignment to entry in nil map"));
            };
            m.try_borrow_mut()
                .map_err(|_| FnError::new("map is in use"))?
                .insert(key, args[2].clone());
            Ok(args[0].clone())
        })(),
        "unset" => (|| {
            arity(name, args, 2)?;
            let key = want_str(&args[1])?.as_str();
            if let Some(m) = want_map(&args[0])? {
                m.try_borrow_mut()
                    .map_err(|_| FnError::new("map is in use"))?
                    .remove(key);
            }
            Ok(args[0].clone())
        })(),
        "hasKey" => (|| {
            arity(name, args, 2)?;
            let key = want_str(&args[1])?.as_str();
            Ok(Val::bool(
                want_map(&args[0])?.is_some_and(|m| m.borrow().contains_key(key)),
            ))
        })(),
        "pluck" => (|| {
            arity_min(name, args, 1)?;
            let key = want_str(&args[0])?.as_str();
            let mut out = Vec::new();
            for d in &args[1..] {
                if let Some(m) = want_map(d)? {
                    if let Some(v) = m.borrow().get(key) {
                        out.push(v.clone());
                    }
                }
            }
            Ok(Val::list(out))
        })(),
        "keys" => (|| {
            let mut out = Vec::new();
            for d in args {
                if let Some(m) = want_map(d)? {
                    for (k, v) in m.borrow().iter() {
                        out.push(Val::str(k.as_str()).with_origin(v.ko));
                    }
                }
            }
            // Go's map order is random; charts sort the keys, linea gives them sorted
            Ok(Val::list(out))
        })(),
        "values" => (|| {
            arity(name, args, 1)?;
            Ok(Val::list(
                want_map(&args[0])?
                    .map(|m| m.borrow().values().cloned().collect())
                    .unwrap_or_default(),
            ))
        })(),
        "pick" | "omit" => (|| {
            arity_min(name, args, 1)?;
            let keys: Vec<String> = args[1..]
                .iter()
                .map(|k| want_str(k).map(|s| s.as_str().to_string()))
                .collect::<Result<_, _>>()?;
            let mut out = Map::new();
            if let Some(m) = want_map(&args[0])? {
                for (k, v) in m.borrow().iter() {
                    if keys.contains(k) == (name == "pick") {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            Ok(Val::map(out))
        })(),
        "dig" => (|| {
            arity_min(name, args, 3)?;
            let n = args.len();
            let Some(m) = want_map(&args[n - 1])? else {
                return Ok(args[n - 2].clone());
            };
            let keys = &args[..n - 2];
            let mut cur: Option<Val> = Some(Val::new(V::Map(m)));
            for k in keys {
                let key = want_str(k)?.as_str();
                cur = match cur.as_ref().map(|c| &c.v) {
                    Some(V::Map(m)) => m.borrow().get(key).cloned(),
                    _ => None,
                };
                if cur.is_none() {
                    break;
                }
            }
            Ok(cur.unwrap_or_else(|| args[n - 2].clone()))
        })(),
        "merge" | "mustMerge" | "mergeOverwrite" | "mustMergeOverwrite" => (|| {
            arity_min(name, args, 1)?;
            let overwrite = name.contains("Overwrite");
            let Some(dst) = want_map(&args[0])? else {
                return Err(FnError::new("cannot merge into a nil map"));
            };
            for src in &args[1..] {
                if let Some(src) = want_map(src)? {
                    if Rc::ptr_eq(&dst, &src) {
                        continue;
                    }
                    merge(&dst, &src, overwrite, 0)?;
                }
            }
            Ok(args[0].clone())
        })(),
        "deepCopy" | "mustDeepCopy" => arity(name, args, 1).and_then(|_| {
            args[0].deep_copy(MAX_VALUE_DEPTH).ok_or_else(|| {
                FnError::kind(
                    ErrorKind::Budget,
                    Exceeded {
                        limit: &budget::TEMPLATE_VALUE_DEPTH,
                    }
                    .to_string(),
                )
            })
        }),
        // lists
        "append" | "push" | "mustAppend" | "mustPush" => (|| {
            arity(name, args, 2)?;
            let mut items = sprig_list("push", &args[0])?;
            items.push(args[1].clone());
            Ok(Val::list(items))
        })(),
        "prepend" | "mustPrepend" => (|| {
            arity(name, args, 2)?;
            let mut items = sprig_list("prepend", &args[0])?;
            items.insert(0, args[1].clone());
            Ok(Val::list(items))
        })(),
        "concat" => (|| {
            let mut out = Vec::new();
            for l in args {
                match &l.v {
                    V::NoValue | V::Nil => {}
                    _ => out.extend(
                        sprig_list("concat", l)
                            .map_err(|_| FnError::new(format!("Cannot concat type {} as list", l.type_name())))?,
                    ),
                }
                if out.len() > MAX_LIST {
                    return Err(too_long());
                }
            }
            Ok(Val::list(out))
        })(),
        "first" | "mustFirst" => list1(name, args, |l| Ok(l.first().cloned().unwrap_or_else(Val::nil))),
        "last" | "mustLast" => list1(name, args, |l| Ok(l.last().cloned().unwrap_or_else(Val::nil))),
        "rest" | "mustRest" => list1(name, args, |l| {
            Ok(if l.is_empty() {
                Val::nil()
            } else {
                Val::list(l[1..].to_vec())
            })
        }),
        "initial" | "mustInitial" => list1(name, args, |l| {
            Ok(if l.is_empty() {
                Val::nil()
            } else {
                Val::list(l[..l.len() - 1].to_vec())
            })
        }),
        "reverse" | "mustReverse" => list1(name, args, |l| Ok(Val::list(l.iter().rev().cloned().collect()))),
        "uniq" | "mustUniq" => list1(name, args, |l| {
            let mut out: Vec<Val> = Vec::new();
            for x in l {
                if !out.iter().any(|y| deep_equal(x, y, MAX_VALUE_DEPTH)) {
                    out.push(x.clone());
                }
            }
            Ok(Val::list(out))
        }),
        "compact" | "mustCompact" => list1(name, args, |l| {
            Ok(Val::list(l.iter().filter(|x| !x.is_empty()).cloned().collect()))
        }),
        "without" | "mustWithout" => (|| {
            arity_min(name, args, 1)?;
            let items = sprig_list("find without", &args[0])?;
            let omit = &args[1..];
            Ok(Val::list(
                items
                    .into_iter()
                    .filter(|x| !omit.iter().any(|o| deep_equal(x, o, MAX_VALUE_DEPTH)))
                    .collect(),
            ))
        })(),
        "has" | "mustHas" => (|| {
            arity(name, args, 2)?;
            match &args[1].v {
                V::NoValue | V::Nil => Ok(Val::bool(false)),
                _ => {
                    let items = sprig_list("find has", &args[1])?;
                    Ok(Val::bool(
                        items.iter().any(|x| deep_equal(x, &args[0], MAX_VALUE_DEPTH)),
                    ))
                }
            }
        })(),
        "slice" | "mustSlice" => (|| {
            arity_min(name, args, 1)?;
            let items = match &args[0].v {
                V::Str(s) => {
                    // Go's built-in `slice` on a string
                    let len = s.len() as i64;
                    let a = args.get(1).map(super::numbers::to_int64).unwrap_or(0);
                    let b = args.get(2).map(super::numbers::to_int64).unwrap_or(len);
                    if a < 0 || b > len || a > b {
                        return Err(FnError::new(format!("slice bounds out of range [{a}:{b}]")));
                    }
                    return Ok(Val::string(super::text::slice(s, a as usize, b as usize)));
                }
                _ => sprig_list("slice", &args[0]).map_err(|_| {
                    FnError::new(format!(
                        "list should be type of slice or array but {}",
                        args[0].type_name()
                    ))
                })?,
            };
            let len = items.len() as i64;
            let a = args.get(1).map(super::numbers::to_int64).unwrap_or(0);
            let b = args.get(2).map(super::numbers::to_int64).unwrap_or(len);
            if a < 0 || b > len || a > b {
                return Err(FnError::new(format!("slice bounds out of range [{a}:{b}]")));
            }
            Ok(Val::list(items[a as usize..b as usize].to_vec()))
        })(),
        "chunk" | "mustChunk" => (|| {
            arity(name, args, 2)?;
            let size = want_int(&args[0])?;
            if size <= 0 {
                return Err(FnError::new("chunk size must be positive"));
            }
            let items = sprig_list("chunk", &args[1])?;
            Ok(Val::list(
                items.chunks(size as usize).map(|c| Val::list(c.to_vec())).collect(),
            ))
        })(),
        "until" => (|| {
            arity(name, args, 1)?;
            let n = want_int(&args[0])?;
            until_step(0, n, if n < 0 { -1 } else { 1 })
        })(),
        "untilStep" => (|| {
            arity(name, args, 3)?;
            until_step(want_int(&args[0])?, want_int(&args[1])?, want_int(&args[2])?)
        })(),
        "seq" => (|| {
            let p: Vec<i64> = args.iter().map(want_int).collect::<Result<_, _>>()?;
            let (start, end, step) = match p.as_slice() {
                [] => return Ok(Val::str("")),
                [end] => (1, *end, if *end >= 1 { 1 } else { -1 }),
                [start, end] => (*start, *end, if end >= start { 1 } else { -1 }),
                [start, step, end, ..] => (*start, *end, *step),
            };
            if step == 0 || (step > 0 && start > end) || (step < 0 && start < end) {
                return Ok(Val::str(""));
            }
            let count = ((end - start) / step).unsigned_abs() as usize + 1;
            if count > MAX_LIST {
                return Err(too_long());
            }
            let nums: Vec<String> = (0..count as i64).map(|i| (start + i * step).to_string()).collect();
            Ok(Val::str(nums.join(" ")))
        })(),
        // defaults
        "default" => (|| {
            arity_min(name, args, 1)?;
            match args.get(1) {
                Some(given) if !given.is_empty() => Ok(given.clone()),
                _ => Ok(args[0].clone()),
            }
        })(),
        "empty" => arity(name, args, 1).map(|_| Val::bool(args[0].is_empty())),
        "coalesce" => Ok(args.iter().find(|a| !a.is_empty()).cloned().unwrap_or_else(Val::nil)),
        "all" => Ok(Val::bool(args.iter().all(|a| !a.is_empty()))),
        "any" => Ok(Val::bool(args.iter().any(|a| !a.is_empty()))),
        "ternary" => (|| {
            arity(name, args, 3)?;
            let cond = super::want_bool(&args[2])?;
            Ok(if cond { args[0].clone() } else { args[1].clone() })
        })(),
        // types
        "typeOf" => arity(name, args, 1).map(|_| Val::str(args[0].type_name())),
        "typeIs" => {
            arity(name, args, 2).and_then(|_| Ok(Val::bool(want_str(&args[0])?.as_str() == args[1].type_name())))
        }
        "typeIsLike" => arity(name, args, 2).and_then(|_| {
            let want = want_str(&args[0])?.as_str();
            let t = args[1].type_name();
            Ok(Val::bool(want == t || want == format!("*{t}")))
        }),
        "kindOf" => arity(name, args, 1).map(|_| Val::str(args[0].kind_name())),
        "kindIs" => {
            arity(name, args, 2).and_then(|_| Ok(Val::bool(want_str(&args[0])?.as_str() == args[1].kind_name())))
        }
        "deepEqual" => arity(name, args, 2).map(|_| Val::bool(deep_equal(&args[0], &args[1], MAX_VALUE_DEPTH))),
        _ => return None,
    };
    Some(r)
}

fn too_long() -> FnError {
    FnError::kind(
        ErrorKind::Budget,
        Exceeded {
            limit: &budget::TEMPLATE_LIST_ENTRIES,
        }
        .to_string(),
    )
}

fn list1(name: &str, args: &[Val], f: impl FnOnce(&[Val]) -> Res) -> Res {
    arity(name, args, 1)?;
    let verb = name.trim_start_matches("must").to_ascii_lowercase();
    let items = match &args[0].v {
        V::NoValue | V::Nil => return Err(FnError::new(format!("Cannot find {verb} on type <nil>"))),
        _ => sprig_list(&format!("find {verb}"), &args[0])?,
    };
    f(&items)
}

fn until_step(start: i64, stop: i64, step: i64) -> Res {
    if step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop) {
        return Ok(Val::list(Vec::new()));
    }
    let count = ((stop - start) as i128 / step as i128).unsigned_abs() as usize + 1;
    if count > MAX_LIST {
        return Err(too_long());
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(Val::int(i));
        i += step;
    }
    Ok(Val::list(out))
}

/// mergo's map merge as Sprig uses it: keys missing (or empty) in `dst` come from `src`;
/// maps on both sides merge deeply; with `overwrite`, `src` wins for everything else.
fn merge(dst: &Rc<RefCell<Map>>, src: &Rc<RefCell<Map>>, overwrite: bool, depth: usize) -> Result<(), FnError> {
    if depth > MAX_VALUE_DEPTH {
        return Err(FnError::kind(
            ErrorKind::Budget,
            Exceeded {
                limit: &budget::TEMPLATE_VALUE_DEPTH,
            }
            .to_string(),
        ));
    }
    let entries: Vec<(String, Val)> = src
        .try_borrow()
        .map_err(|_| FnError::new("map is in use"))?
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, sv) in entries {
        let dv = dst
            .try_borrow()
            .map_err(|_| FnError::new("map is in use"))?
            .get(&k)
            .cloned();
        match (dv.as_ref().map(|d| &d.v), &sv.v) {
            (Some(V::Map(dm)), V::Map(sm)) => {
                if !Rc::ptr_eq(dm, sm) {
                    merge(dm, sm, overwrite, depth + 1)?;
                }
            }
            (_, V::NoValue | V::Nil) if !overwrite => {}
            (Some(_), _) if !overwrite && !dv.as_ref().is_some_and(Val::is_empty) => {}
            _ => {
                dst.try_borrow_mut()
                    .map_err(|_| FnError::new("map is in use"))?
                    .insert(k, sv);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(pairs: &[(&str, Val)]) -> Val {
        let mut m = Map::new();
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        Val::map(m)
    }

    fn get(v: &Val, k: &str) -> Val {
        match &v.v {
            V::Map(m) => m.borrow().get(k).cloned().unwrap_or_else(Val::nil),
            _ => Val::nil(),
        }
    }

    #[test]
    fn default_treats_false_zero_and_empty_as_unset() {
        for given in [
            Val::bool(false),
            Val::int(0),
            Val::float(0.0),
            Val::str(""),
            Val::nil(),
            Val::list(vec![]),
        ] {
            let r = call("default", &[Val::str("x"), given]).unwrap().unwrap();
            assert_eq!(r.as_str(), Some("x"));
        }
        let r = call("default", &[Val::str("x"), Val::bool(true)]).unwrap().unwrap();
        assert!(matches!(r.v, V::Bool(true)));
    }

    #[test]
    fn merge_keeps_dst_and_overwrite_prefers_src() {
        let dst = d(&[("a", Val::int(1)), ("n", d(&[("x", Val::int(1))])), ("e", Val::str(""))]);
        let src = d(&[
            ("a", Val::int(2)),
            ("b", Val::int(3)),
            ("n", d(&[("y", Val::int(2))])),
            ("e", Val::str("s")),
        ]);
        call("merge", &[dst.clone(), src.clone()]).unwrap().unwrap();
        assert_eq!(get(&dst, "a").as_int(), Some(1));
        assert_eq!(get(&dst, "b").as_int(), Some(3));
        assert_eq!(get(&dst, "e").as_str(), Some("s"));
        assert_eq!(get(&get(&dst, "n"), "y").as_int(), Some(2));
        let dst2 = d(&[("a", Val::int(1))]);
        call("mergeOverwrite", &[dst2.clone(), src]).unwrap().unwrap();
        assert_eq!(get(&dst2, "a").as_int(), Some(2));
    }

    #[test]
    fn lists_and_dig() {
        let l = Val::list(vec![Val::int(1), Val::int(2), Val::int(1)]);
        let u = call("uniq", std::slice::from_ref(&l)).unwrap().unwrap();
        assert!(matches!(&u.v, V::List(x) if x.len() == 2));
        assert!(call("first", &[Val::nil()]).unwrap().is_err());
        let tree = d(&[("a", d(&[("b", Val::str("deep"))]))]);
        let r = call("dig", &[Val::str("a"), Val::str("b"), Val::str("dflt"), tree.clone()])
            .unwrap()
            .unwrap();
        assert_eq!(r.as_str(), Some("deep"));
        let r = call("dig", &[Val::str("a"), Val::str("z"), Val::str("dflt"), tree])
            .unwrap()
            .unwrap();
        assert_eq!(r.as_str(), Some("dflt"));
        let s = call("seq", &[Val::int(3)]).unwrap().unwrap();
        assert_eq!(s.as_str(), Some("1 2 3"));
        let u = call("until", &[Val::int(3)]).unwrap().unwrap();
        assert!(matches!(&u.v, V::List(x) if x.len() == 3));
    }
}
