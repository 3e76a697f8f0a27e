//! Strategic merge patches, as `kubectl patch --type strategic` and kustomize apply them to
//! the built-in kinds: maps merge key by key, `null` removes a key, lists of containers,
//! ports, env, volumes and mounts merge item by item on their merge key, other lists are
//! replaced, and the `$patch: delete` / `$patch: replace`, `$retainKeys` and
//! `$deleteFromPrimitiveList` directives are honoured.

use super::tree::{KNode, KVal};

/// The merge key of the list under `key`, for the lists Kubernetes merges item by item.
fn merge_key(key: &str, base: &[KNode], patch: &[KNode]) -> Option<&'static str> {
    Some(match key {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "readinessGates"
        | "resourceClaims" => {
            if key == "readinessGates" {
                "conditionType"
            } else {
                "name"
            }
        }
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "ports" => {
            let has = |k: &str| base.iter().chain(patch).any(|i| i.get(k).is_some());
            if has("containerPort") {
                "containerPort"
            } else {
                "port"
            }
        }
        _ => return None,
    })
}

fn directive(n: &KNode) -> Option<&str> {
    n.get("$patch").and_then(KNode::as_str)
}

/// A patch value with its directives removed, to be inserted as is.
pub fn strip(n: &KNode) -> KNode {
    let mut n = n.clone();
    n.walk_mut(&mut |m| {
        if let KVal::Map(es) = &mut m.v {
            es.retain(|e| !e.key.starts_with('$'));
        }
        if let KVal::Seq(items) = &mut m.v {
            items.retain(|i| directive(i).is_none_or(|d| d != "delete"));
        }
    });
    n
}

/// Whether a patch says to delete the whole object.
pub fn deletes(patch: &KNode) -> bool {
    directive(patch) == Some("delete")
}

/// Merge `patch` into `base` (both maps).
pub fn merge(base: &mut KNode, patch: &KNode) {
    if directive(patch) == Some("replace") {
        *base = strip(patch);
        return;
    }
    let (KVal::Map(_), KVal::Map(pes)) = (&base.v, &patch.v) else {
        replace(base, patch);
        return;
    };
    let mut retain: Option<Vec<String>> = None;
    for pe in pes {
        if pe.key == "$retainKeys" {
            retain = Some(pe.value.items().iter().filter_map(KNode::text).collect());
            continue;
        }
        if let Some(list) = pe.key.strip_prefix("$deleteFromPrimitiveList/") {
            if let Some(KNode {
                v: KVal::Seq(items), ..
            }) = base.get_mut(list)
            {
                items.retain(|i| !pe.value.items().iter().any(|d| d.same(i)));
            }
            continue;
        }
        if pe.key.starts_with('$') {
            continue;
        }
        let pv = &pe.value;
        if matches!(pv.v, KVal::Null) || (pv.is_map() && directive(pv) == Some("delete")) {
            base.remove(&pe.key);
            continue;
        }
        match base.get_mut(&pe.key) {
            None => base.insert(&pe.key, strip(pv), pe.key_at),
            Some(bv) => match (&mut bv.v, &pv.v) {
                (KVal::Map(_), KVal::Map(_)) => merge(bv, pv),
                (KVal::Seq(bitems), KVal::Seq(pitems)) => merge_list(&pe.key, bitems, pitems),
                _ => replace(bv, pv),
            },
        }
    }
    if let (Some(keep), KVal::Map(es)) = (retain, &mut base.v) {
        es.retain(|e| keep.contains(&e.key));
    }
}

/// A value replaced by the patch's: a scalar keeps where it was written and records the patch
/// line that set it; anything else is the patch's.
fn replace(base: &mut KNode, patch: &KNode) {
    if base.is_scalar() && patch.is_scalar() {
        if base.v != patch.v {
            base.v = patch.v.clone();
            base.set = Some(patch.at);
        }
    } else {
        *base = strip(patch);
    }
}

fn merge_list(key: &str, base: &mut Vec<KNode>, patch: &[KNode]) {
    if patch
        .iter()
        .any(|i| directive(i) == Some("replace") && i.entries().len() == 1)
    {
        *base = patch
            .iter()
            .filter(|i| !(directive(i).is_some() && i.entries().len() == 1))
            .map(strip)
            .collect();
        return;
    }
    let Some(mk) = merge_key(key, base, patch) else {
        *base = patch.iter().map(strip).collect();
        return;
    };
    for p in patch {
        let Some(kv) = p.get(mk) else {
            if directive(p).is_none() {
                base.push(strip(p));
            }
            continue;
        };
        let found = base.iter().position(|b| b.get(mk).is_some_and(|v| v.same(kv)));
        match (found, directive(p)) {
            (Some(i), Some("delete")) => {
                base.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), _) => merge(&mut base[i], p),
            (None, _) => base.push(strip(p)),
        }
    }
}
