//! JSON patches (RFC 6902): `add`, `remove`, `replace`, `copy`, `move` and `test` on JSON
//! pointers (RFC 6901, `~0` and `~1` escapes, `-` for the end of a list).

use super::tree::{KNode, KVal, Src};

/// One operation of a patch, read from its YAML or JSON list.
#[derive(Debug, Clone)]
pub struct Op {
    pub op: String,
    pub path: String,
    pub from: Option<String>,
    pub value: Option<KNode>,
    /// The operation (its list item): where a failure is reported.
    pub at: Src,
}

/// The operations of a patch document; an error names what is malformed.
pub fn ops(doc: &KNode) -> Result<Vec<Op>, (Src, String)> {
    let KVal::Seq(items) = &doc.v else {
        return Err((doc.at, "a JSON patch is a list of operations".into()));
    };
    let mut out = Vec::new();
    for item in items {
        let op = item
            .get("op")
            .and_then(KNode::as_str)
            .ok_or((item.at, "JSON patch operation has no `op`".to_string()))?;
        let path = item
            .get("path")
            .and_then(KNode::as_str)
            .ok_or((item.at, format!("JSON patch `{op}` has no `path`")))?;
        out.push(Op {
            op: op.to_string(),
            path: path.to_string(),
            from: item.get("from").and_then(KNode::as_str).map(str::to_string),
            value: item.get("value").cloned(),
            at: item.at,
        });
    }
    Ok(out)
}

fn pointer(p: &str) -> Result<Vec<String>, String> {
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = p.strip_prefix('/') else {
        return Err(format!("JSON pointer `{p}` does not start with `/`"));
    };
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index(token: &str, len: usize, append: bool) -> Option<usize> {
    if append && token == "-" {
        return Some(len);
    }
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    let i: usize = token.parse().ok()?;
    (i < len + usize::from(append)).then_some(i)
}

fn find_mut<'a>(root: &'a mut KNode, tokens: &[String]) -> Option<&'a mut KNode> {
    let mut n = root;
    for t in tokens {
        n = match &mut n.v {
            KVal::Map(es) => &mut es.iter_mut().find(|e| e.key == *t)?.value,
            KVal::Seq(items) => {
                let i = index(t, items.len(), false)?;
                items.get_mut(i)?
            }
            _ => return None,
        };
    }
    Some(n)
}

fn find<'a>(root: &'a KNode, tokens: &[String]) -> Option<&'a KNode> {
    let mut n = root;
    for t in tokens {
        n = match &n.v {
            KVal::Map(_) => n.get(t)?,
            KVal::Seq(items) => items.get(index(t, items.len(), false)?)?,
            _ => return None,
        };
    }
    Some(n)
}

fn add(root: &mut KNode, tokens: &[String], value: KNode, key_at: Src) -> Result<(), String> {
    let Some((last, parent)) = tokens.split_last() else {
        *root = value;
        return Ok(());
    };
    let parent = find_mut(root, parent).ok_or("the parent of the path does not exist")?;
    match &mut parent.v {
        KVal::Map(_) => {
            match parent.get_mut(last) {
                Some(old) if old.is_scalar() && value.is_scalar() => {
                    old.v = value.v;
                    old.set = Some(value.at);
                }
                _ => parent.insert(last, value, key_at),
            }
            Ok(())
        }
        KVal::Seq(items) => {
            let i = index(last, items.len(), true).ok_or("the list index is out of range")?;
            items.insert(i, value);
            Ok(())
        }
        _ => Err("the parent of the path is not a map or a list".into()),
    }
}

fn remove(root: &mut KNode, tokens: &[String]) -> Result<KNode, String> {
    let Some((last, parent)) = tokens.split_last() else {
        return Err("cannot remove the whole document".into());
    };
    let parent = find_mut(root, parent).ok_or("the path does not exist")?;
    match &mut parent.v {
        KVal::Map(_) => parent.remove(last).ok_or_else(|| "the path does not exist".into()),
        KVal::Seq(items) => {
            let i = index(last, items.len(), false).ok_or("the list index is out of range")?;
            Ok(items.remove(i))
        }
        _ => Err("the path does not exist".into()),
    }
}

/// Apply one operation; the error says why it does not apply.
pub fn apply(root: &mut KNode, op: &Op) -> Result<(), String> {
    let tokens = pointer(&op.path)?;
    let value = || op.value.clone().ok_or_else(|| format!("`{}` needs a `value`", op.op));
    let from = || -> Result<Vec<String>, String> {
        pointer(
            op.from
                .as_deref()
                .ok_or_else(|| format!("`{}` needs a `from`", op.op))?,
        )
    };
    match op.op.as_str() {
        "add" => add(root, &tokens, value()?, op.at),
        "remove" => remove(root, &tokens).map(|_| ()),
        "replace" => {
            let v = value()?;
            let target = find_mut(root, &tokens).ok_or("the path to replace does not exist")?;
            if target.is_scalar() && v.is_scalar() {
                if target.v != v.v {
                    target.v = v.v;
                    target.set = Some(v.at);
                }
            } else {
                *target = v;
            }
            Ok(())
        }
        "move" => {
            let f = from()?;
            if tokens.starts_with(&f) && tokens.len() > f.len() {
                return Err("cannot move a value into itself".into());
            }
            let v = remove(root, &f)?;
            add(root, &tokens, v, op.at)
        }
        "copy" => {
            let v = find(root, &from()?)
                .cloned()
                .ok_or("the path to copy from does not exist")?;
            add(root, &tokens, v, op.at)
        }
        "test" => {
            let v = value()?;
            match find(root, &tokens) {
                Some(n) if n.same(&v) => Ok(()),
                Some(_) => Err(format!("test failed: `{}` has another value", op.path)),
                None => Err(format!("test failed: `{}` does not exist", op.path)),
            }
        }
        other => Err(format!("unknown JSON patch operation `{other}`")),
    }
}
