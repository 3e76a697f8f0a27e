//! The spanned value tree shared by every structured language (YAML documents, HCL bodies).
//!
//! Every node carries the byte span of its value; map entries also carry the span of their key,
//! so a rule can point at either. HCL expressions that cannot be evaluated become
//! [`NodeValue::Unknown`] with their source text: an unknown value never triggers a value rule.

use super::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: NodeValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    /// A number; `raw` keeps the source spelling (`0o755`, `1e3`, `8080`).
    Number {
        value: f64,
        raw: String,
    },
    String(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    /// A value that could not be computed statically; holds its source text.
    Unknown(String),
}

// a repository's YAML is hundreds of thousands of nodes, all kept while project rules run: a
// variant larger than a `Vec` would make every node pay for it
const _: () = assert!(std::mem::size_of::<Node>() <= 48 && std::mem::size_of::<Entry>() <= 88);

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

/// One step of a path query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
    /// `[*]`: every element of a sequence (or every value of a map).
    Each,
}

/// Parse `spec.template.spec.containers[*].image`, `a[0].b`, `metadata.labels["app.kubernetes.io/name"]`.
pub fn parse_path(path: &str) -> Result<Vec<PathStep>, String> {
    let mut steps = Vec::new();
    let bytes = path.as_bytes();
    let mut i = 0;
    let mut cur = String::new();
    while i < bytes.len() {
        let c = bytes[i] as char;
        match c {
            '.' => {
                if !cur.is_empty() {
                    steps.push(PathStep::Key(std::mem::take(&mut cur)));
                }
                i += 1;
            }
            '[' => {
                if !cur.is_empty() {
                    steps.push(PathStep::Key(std::mem::take(&mut cur)));
                }
                let close = path[i..]
                    .find(']')
                    .map(|p| p + i)
                    .ok_or_else(|| format!("unclosed `[` in path `{path}`"))?;
                let inner = path[i + 1..close].trim();
                if inner == "*" {
                    steps.push(PathStep::Each);
                } else if let Some(q) = inner
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .or_else(|| inner.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
                {
                    steps.push(PathStep::Key(q.to_string()));
                } else if let Ok(n) = inner.parse::<usize>() {
                    steps.push(PathStep::Index(n));
                } else {
                    return Err(format!("bad index `[{inner}]` in path `{path}`"));
                }
                i = close + 1;
            }
            _ => {
                cur.push(c);
                i += c.len_utf8();
                // keep multi-byte characters whole
                while i < bytes.len() && !path.is_char_boundary(i) {
                    i += 1;
                }
                if c.len_utf8() > 1 {
                    cur.pop();
                    let start = i - c.len_utf8();
                    cur.push_str(&path[start..i]);
                }
            }
        }
    }
    if !cur.is_empty() {
        steps.push(PathStep::Key(cur));
    }
    Ok(steps)
}

impl Node {
    pub fn new(span: Span, value: NodeValue) -> Self {
        Node { span, value }
    }

    /// Value of `key` in a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Value of `key` in a map, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            NodeValue::Map(entries) => entries.iter_mut().find(|e| e.key == key).map(|e| &mut e.value),
            _ => None,
        }
    }

    /// The map entry for `key` (with its key span).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            NodeValue::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            NodeValue::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            NodeValue::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            NodeValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            NodeValue::Number { value, .. } => Some(*value),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        let v = self.as_f64()?;
        (v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64)
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, NodeValue::Map(_))
    }
    pub fn is_seq(&self) -> bool {
        matches!(self.value, NodeValue::Seq(_))
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self.value, NodeValue::Unknown(_))
    }

    /// The scalar rendered as text (strings, numbers by their source spelling, booleans).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            NodeValue::String(s) => Some(s.clone()),
            NodeValue::Number { raw, .. } => Some(raw.clone()),
            NodeValue::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Every node reached by a path (see [`parse_path`]); a malformed path reaches nothing.
    pub fn select(&self, path: &str) -> Vec<&Node> {
        match parse_path(path) {
            Ok(steps) => self.select_steps(&steps),
            Err(_) => Vec::new(),
        }
    }

    /// The first node reached by a path.
    pub fn at(&self, path: &str) -> Option<&Node> {
        self.select(path).into_iter().next()
    }

    pub fn select_steps(&self, steps: &[PathStep]) -> Vec<&Node> {
        let mut current: Vec<&Node> = vec![self];
        for step in steps {
            let mut next = Vec::new();
            for n in current {
                match step {
                    PathStep::Key(k) => next.extend(n.get(k)),
                    PathStep::Index(i) => next.extend(n.items().get(*i)),
                    PathStep::Each => match &n.value {
                        NodeValue::Seq(items) => next.extend(items.iter()),
                        NodeValue::Map(entries) => next.extend(entries.iter().map(|e| &e.value)),
                        _ => {}
                    },
                }
            }
            current = next;
            if current.is_empty() {
                break;
            }
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths() {
        assert_eq!(
            parse_path(r#"a.b[*].c[0]["x.y"]"#).unwrap(),
            vec![
                PathStep::Key("a".into()),
                PathStep::Key("b".into()),
                PathStep::Each,
                PathStep::Key("c".into()),
                PathStep::Index(0),
                PathStep::Key("x.y".into()),
            ]
        );
        assert!(parse_path("a[").is_err());
        assert_eq!(parse_path("ü.b").unwrap()[0], PathStep::Key("ü".into()));
    }
}
