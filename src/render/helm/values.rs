//! Values as Helm computes them: the chart's `values.yaml`, then each values file of the
//! environment on top, then `set` values (maps merge, other values replace, `null` deletes a
//! default); subcharts get their key's map over their own defaults, and `global` is shared.

use std::cell::RefCell;
use std::rc::Rc;

use super::chart::{Chart, Dependency};
const MAX_VALUE_DEPTH: usize = crate::budget::TEMPLATE_VALUE_DEPTH.get();
use crate::render::template::{Map, Val, V};

fn map_of(v: &Val) -> Option<Rc<RefCell<Map>>> {
    match &v.v {
        V::Map(m) => Some(m.clone()),
        _ => None,
    }
}

/// `over` merged onto `base` in place: Helm's coalescing of user values over defaults.
pub fn coalesce(base: &Rc<RefCell<Map>>, over: &Rc<RefCell<Map>>, depth: usize) {
    if depth > MAX_VALUE_DEPTH || Rc::ptr_eq(base, over) {
        return;
    }
    let entries: Vec<(String, Val)> = over.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, v) in entries {
        if v.is_nil() {
            base.borrow_mut().remove(&k);
            continue;
        }
        let existing = base.borrow().get(&k).and_then(map_of);
        match (existing, map_of(&v)) {
            (Some(b), Some(o)) => coalesce(&b, &o, depth + 1),
            _ => {
                base.borrow_mut().insert(k, v);
            }
        }
    }
}

/// An empty map value.
pub fn empty() -> Val {
    Val::map(Map::new())
}

/// `a.b.c` (with `\.` for a literal dot) set to `value` in `root`, creating maps on the way.
pub fn set_path(root: &Rc<RefCell<Map>>, path: &str, value: Val) {
    let mut keys: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'.') => {
                cur.push('.');
                chars.next();
            }
            '.' => keys.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    keys.push(cur);
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut node = root.clone();
    for k in parents {
        let next = node.borrow().get(k).and_then(map_of);
        let next = match next {
            Some(m) => m,
            None => {
                let m = Rc::new(RefCell::new(Map::new()));
                node.borrow_mut().insert(k.clone(), Val::new(V::Map(m.clone())));
                m
            }
        };
        node = next;
    }
    node.borrow_mut().insert(last.clone(), value);
}

/// A `set` value from the configuration (`--set` reads integers as int64).
pub fn from_json(v: &serde_json::Value, depth: usize) -> Val {
    if depth > MAX_VALUE_DEPTH {
        return Val::nil();
    }
    match v {
        serde_json::Value::Null => Val::nil(),
        serde_json::Value::Bool(b) => Val::bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Val::new(V::Int64(i)),
            None => Val::float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Val::str(s.as_str()),
        serde_json::Value::Array(a) => Val::list(a.iter().map(|x| from_json(x, depth + 1)).collect()),
        serde_json::Value::Object(o) => {
            let mut m = Map::new();
            for (k, x) in o {
                m.insert(k.clone(), from_json(x, depth + 1));
            }
            Val::map(m)
        }
    }
}

/// Look `a.b.c` up in a values tree.
pub fn lookup(root: &Rc<RefCell<Map>>, path: &str) -> Option<Val> {
    let mut cur = Val::new(V::Map(root.clone()));
    for k in path.split('.') {
        let next = match &cur.v {
            V::Map(m) => m.borrow().get(k).cloned(),
            _ => None,
        }?;
        cur = next;
    }
    Some(cur)
}

/// Whether a dependency is enabled by the parent's values: its `condition` (the first path
/// that holds a boolean decides), else its `tags` (any tag set true enables, all false
/// disable), else enabled.
pub fn enabled(dep: &Dependency, parent: &Rc<RefCell<Map>>) -> bool {
    if let Some(cond) = &dep.condition {
        for path in cond.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if let Some(Val { v: V::Bool(b), .. }) = lookup(parent, path) {
                return b;
            }
        }
    }
    if !dep.tags.is_empty() {
        let tags = parent.borrow().get("tags").and_then(map_of);
        if let Some(tags) = tags {
            let values: Vec<bool> = dep
                .tags
                .iter()
                .filter_map(|t| match tags.borrow().get(t).map(|v| &v.v) {
                    Some(V::Bool(b)) => Some(*b),
                    _ => None,
                })
                .collect();
            if !values.is_empty() {
                return values.contains(&true);
            }
        }
    }
    true
}

/// The subcharts of `chart` that its values enable, with the key their values live under.
pub fn enabled_subcharts<'c>(chart: &'c Chart, values: &Rc<RefCell<Map>>) -> Vec<(&'c Chart, String)> {
    let mut out = Vec::new();
    for sub in &chart.subcharts {
        let dep = chart.dependencies.iter().find(|d| d.name == sub.name);
        match dep {
            // a chart in `charts/` that `dependencies` does not list is always rendered
            None => out.push((sub, sub.name.clone())),
            Some(_) => {
                // one unpacked chart may be listed several times under different aliases
                for d in chart.dependencies.iter().filter(|d| d.name == sub.name) {
                    if enabled(d, values) {
                        out.push((sub, d.key().to_string()));
                    }
                }
            }
        }
    }
    out
}

/// Scope the values of `chart`'s enabled subcharts (recursively): each gets its key's map
/// over its own defaults, with the parent's `global` over its own.
pub fn scope_subcharts(chart: &Chart, values: &Rc<RefCell<Map>>, defaults: &dyn Fn(&Chart) -> Val, depth: usize) {
    if depth > 16 {
        return;
    }
    let global = values.borrow().get("global").and_then(map_of);
    for (sub, key) in enabled_subcharts(chart, values) {
        let own = map_of(&defaults(sub)).unwrap_or_default();
        let user = values.borrow().get(&key).and_then(map_of);
        if let Some(user) = &user {
            coalesce(&own, user, 0);
        }
        // globals: the parent's win over the subchart's own
        let sub_global = own.borrow().get("global").and_then(map_of);
        let merged = match (sub_global, &global) {
            (Some(sg), Some(pg)) => {
                coalesce(&sg, pg, 0);
                Some(sg)
            }
            (None, Some(pg)) => Some(pg.clone()),
            (sg, None) => sg,
        };
        if let Some(g) = merged {
            own.borrow_mut().insert("global".into(), Val::new(V::Map(g)));
        }
        scope_subcharts(sub, &own, defaults, depth + 1);
        values.borrow_mut().insert(key, Val::new(V::Map(own)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(text: &str) -> Rc<RefCell<Map>> {
        let stream = crate::lang::yaml::parse(text);
        let v = crate::render::template::yaml::from_node(&stream.documents[0].root, text, 0, 0);
        map_of(&v).unwrap()
    }

    #[test]
    fn user_values_merge_over_defaults_and_null_deletes() {
        let base = vals("image: {repository: nginx, tag: '1.0'}\nreplicas: 1\nprobe: {path: /}\n");
        let over = vals("image: {tag: '2.0'}\nprobe: null\n");
        coalesce(&base, &over, 0);
        assert_eq!(
            lookup(&base, "image.repository")
                .and_then(|v| v.as_str().map(String::from))
                .as_deref(),
            Some("nginx")
        );
        assert_eq!(
            lookup(&base, "image.tag")
                .and_then(|v| v.as_str().map(String::from))
                .as_deref(),
            Some("2.0")
        );
        assert!(lookup(&base, "probe").is_none());
        set_path(&base, "image.pull\\.policy", Val::str("Always"));
        assert!(
            lookup(&base, "image").is_some_and(|v| matches!(&v.v, V::Map(m) if m.borrow().contains_key("pull.policy")))
        );
    }

    #[test]
    fn conditions_then_tags() {
        let dep = Dependency {
            name: "redis".into(),
            condition: Some("redis.enabled,global.redis.enabled".into()),
            tags: vec!["cache".into()],
            ..Dependency::default()
        };
        assert!(!enabled(&dep, &vals("redis: {enabled: false}\ntags: {cache: true}\n")));
        assert!(enabled(&dep, &vals("global: {redis: {enabled: true}}\n")));
        assert!(!enabled(&dep, &vals("tags: {cache: false}\n")));
        assert!(enabled(&dep, &vals("other: 1\n")));
    }
}
