//! Docker Compose files (`docker-compose*.yml`, `compose*.yaml`): the services of each YAML
//! document, with `<<` merge keys folded in (the `x-` blocks real files share settings
//! through), and the typed reads that the compose rules and the project's build index share:
//! build context, image, ports, environment, volumes, capabilities.
//!
//! A folded-in entry keeps the spans of the block it was copied from, so a finding about it
//! points at the line that wrote it.

use crate::lang::yaml::Stream;
use crate::semantic::port::{compose_port, ComposePort};
use crate::source::node::Entry;
use crate::source::{Node, NodeValue, Span};

/// A parsed compose file.
#[derive(Debug)]
pub struct ComposeFile {
    /// The YAML as parsed (the build index and path-based readers use it).
    pub stream: Stream,
    /// The services of every document, in file order.
    pub services: Vec<Service>,
}

/// One entry of `services:`.
#[derive(Debug)]
pub struct Service {
    pub name: String,
    /// The service's key: where findings about something missing point.
    pub header: Span,
    /// Its settings, `<<` merges folded in.
    pub node: Node,
}

/// Read a YAML stream as a compose file. A document without a `services` map has no services.
pub fn from_stream(stream: Stream) -> ComposeFile {
    let mut services = Vec::new();
    for doc in &stream.documents {
        for e in doc.root.get("services").map(Node::entries).unwrap_or(&[]) {
            services.push(Service {
                name: e.key.clone(),
                header: e.key_span,
                node: fold_merges(&e.value, 0),
            });
        }
    }
    ComposeFile { stream, services }
}

/// Merge keys nest no deeper than this: a file's own nesting bounds it well before.
const MAX_MERGE_DEPTH: usize = 64;

/// `node` with every `<<: *anchor` (or `<<: [*a, *b]`) replaced by the anchor's entries that
/// the map does not set itself (YAML's merge key, which Compose honours).
fn fold_merges(node: &Node, depth: usize) -> Node {
    if depth > MAX_MERGE_DEPTH {
        return node.clone();
    }
    match &node.value {
        NodeValue::Map(entries) => {
            let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
            for e in entries.iter().filter(|e| e.key != "<<") {
                out.push(Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: fold_merges(&e.value, depth + 1),
                });
            }
            for e in entries.iter().filter(|e| e.key == "<<") {
                let sources: Vec<&Node> = match &e.value.value {
                    NodeValue::Seq(items) => items.iter().collect(),
                    _ => vec![&e.value],
                };
                for src in sources {
                    let Node {
                        value: NodeValue::Map(merged),
                        ..
                    } = fold_merges(src, depth + 1)
                    else {
                        continue;
                    };
                    for m in merged {
                        if !out.iter().any(|o| o.key == m.key) {
                            out.push(m);
                        }
                    }
                }
            }
            Node::new(node.span, NodeValue::Map(out))
        }
        NodeValue::Seq(items) => Node::new(
            node.span,
            NodeValue::Seq(items.iter().map(|i| fold_merges(i, depth + 1)).collect()),
        ),
        _ => node.clone(),
    }
}

/// A text value and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    pub text: String,
    pub span: Span,
}

/// `build:` of a service: a context string, or `{context, dockerfile}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRef {
    /// `None` when the map form leaves it out (Compose then builds `.`).
    pub context: Option<Spanned>,
    pub dockerfile: Option<Spanned>,
    /// The `build` key: where a finding about the build as a whole points.
    pub at: Span,
}

/// One variable of `environment:` (map or `KEY=value` list form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    /// `None` when the variable is only named (`- DEBUG`, `DEBUG:`): Compose passes the
    /// shell's value through.
    pub value: Option<Spanned>,
    /// The whole entry.
    pub span: Span,
}

/// One item of `volumes:` (short `src:dst[:mode]` or long `{type, source, target}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// The host path or named volume; `None` for an anonymous volume.
    pub source: Option<String>,
    pub target: Option<String>,
    pub span: Span,
}

/// The literal text of a scalar (numbers and booleans as written).
fn text_of(node: &Node) -> Option<Spanned> {
    match &node.value {
        NodeValue::String(_) | NodeValue::Number { .. } | NodeValue::Bool(_) => Some(Spanned {
            text: node.scalar_text()?,
            span: node.span,
        }),
        _ => None,
    }
}

/// The span of bytes `at..` of a string node's text, when the node is written as it reads
/// (plain, or quoted without escapes); the node's span otherwise.
fn sub_span(node: &Node, text: &str, at: usize) -> Span {
    let len = node.span.len();
    let offset = if len == text.len() {
        Some(0)
    } else if len == text.len() + 2 {
        Some(1)
    } else {
        None
    };
    match offset {
        Some(o) => Span::new(node.span.start + o + at, node.span.start + o + text.len()),
        None => node.span,
    }
}

impl Service {
    /// A setting of the service.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.node.get(key)
    }

    /// The key of a setting: for findings about the setting itself.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.node.entry(key).map(|e| e.key_span)
    }

    /// `image:`, when it is a string.
    pub fn image(&self) -> Option<Spanned> {
        self.get("image").and_then(text_of)
    }

    /// `build:`.
    pub fn build(&self) -> Option<BuildRef> {
        let entry = self.node.entry("build")?;
        let b = &entry.value;
        if b.is_map() {
            Some(BuildRef {
                context: b.get("context").and_then(text_of),
                dockerfile: b.get("dockerfile").and_then(text_of),
                at: entry.key_span,
            })
        } else {
            Some(BuildRef {
                context: Some(text_of(b)?),
                dockerfile: None,
                at: entry.key_span,
            })
        }
    }

    /// `ports:` items; `None` for an item whose value is not known (a variable).
    pub fn ports(&self) -> Vec<(&Node, Option<ComposePort>)> {
        let items = self.get("ports").map(Node::items).unwrap_or(&[]);
        items.iter().map(|n| (n, compose_port(n))).collect()
    }

    /// `environment:` variables, map or list form.
    pub fn environment(&self) -> Vec<EnvVar> {
        let Some(env) = self.get("environment") else {
            return Vec::new();
        };
        match &env.value {
            NodeValue::Map(entries) => entries
                .iter()
                .map(|e| EnvVar {
                    name: e.key.clone(),
                    value: text_of(&e.value),
                    span: Span::new(e.key_span.start, e.value.span.end.max(e.key_span.end)),
                })
                .collect(),
            NodeValue::Seq(items) => items
                .iter()
                .filter_map(|n| {
                    let text = n.as_str()?;
                    let (name, value) = match text.split_once('=') {
                        Some((k, v)) => {
                            let at = k.len() + 1;
                            let value = Spanned {
                                text: v.to_string(),
                                span: sub_span(n, text, at),
                            };
                            (k, Some(value))
                        }
                        None => (text, None),
                    };
                    Some(EnvVar {
                        name: name.trim().to_string(),
                        value,
                        span: n.span,
                    })
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `volumes:` items.
    pub fn volumes(&self) -> Vec<Volume> {
        let items = self.get("volumes").map(Node::items).unwrap_or(&[]);
        items
            .iter()
            .filter_map(|n| match &n.value {
                NodeValue::Map(_) => Some(Volume {
                    source: n.get("source").and_then(Node::as_str).map(str::to_string),
                    target: n.get("target").and_then(Node::as_str).map(str::to_string),
                    span: n.span,
                }),
                NodeValue::String(s) => {
                    let mut parts = s.splitn(3, ':');
                    let first = parts.next().unwrap_or_default();
                    let (source, target) = match parts.next() {
                        Some(t) => (Some(first.to_string()), Some(t.to_string())),
                        None => (None, Some(first.to_string())),
                    };
                    Some(Volume {
                        source,
                        target,
                        span: n.span,
                    })
                }
                _ => None,
            })
            .collect()
    }

    /// `cap_add:` items as written.
    pub fn cap_add(&self) -> Vec<Spanned> {
        let items = self.get("cap_add").map(Node::items).unwrap_or(&[]);
        items.iter().filter_map(text_of).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ComposeFile {
        from_stream(crate::lang::yaml::parse(text))
    }

    #[test]
    fn services_with_merge_keys_folded_in() {
        let text = "x-common: &common\n  restart: always\n  privileged: true\n  environment: &env\n    TZ: UTC\nservices:\n  api:\n    <<: *common\n    image: shop/api:1.2\n    restart: \"no\"\n    environment:\n      <<: *env\n      DB_PASSWORD: hunter22\n";
        let f = file(text);
        assert_eq!(f.services.len(), 1);
        let api = &f.services[0];
        assert_eq!(api.name, "api");
        assert_eq!(api.get("restart").and_then(Node::as_str), Some("no"));
        assert_eq!(api.get("privileged").and_then(Node::as_bool), Some(true));
        let names: Vec<String> = api.environment().into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["DB_PASSWORD", "TZ"]);
        // the merged setting points at the anchor's line
        let at = api.get("privileged").map(|n| n.span.start).unwrap_or_default();
        assert!(at < text.find("services:").unwrap_or_default());
    }

    #[test]
    fn environment_list_and_map_forms() {
        let text = "services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD=s3cr3t-pw\n      - \"PGDATA=/var/lib/postgresql/data\"\n      - DEBUG\n  web:\n    environment:\n      SECRET_KEY: abc\n      EMPTY:\n";
        let f = file(text);
        let db = f.services[0].environment();
        assert_eq!(db.len(), 3);
        let pw = db[0]
            .value
            .as_ref()
            .map(|v| (v.text.as_str(), &text[v.span.start..v.span.end]));
        assert_eq!(pw, Some(("s3cr3t-pw", "s3cr3t-pw")));
        let pg = db[1].value.as_ref().map(|v| &text[v.span.start..v.span.end]);
        assert_eq!(pg, Some("/var/lib/postgresql/data"));
        assert_eq!(db[2].value, None);
        let web = f.services[1].environment();
        assert_eq!(web[0].value.as_ref().map(|v| v.text.as_str()), Some("abc"));
        assert_eq!(web[1].value, None);
    }

    #[test]
    fn build_volumes_and_ports() {
        let text = "services:\n  api:\n    build:\n      context: ./api\n      dockerfile: Dockerfile.prod\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n      - type: bind\n        source: ./data\n        target: /data\n      - /cache\n    ports:\n      - \"127.0.0.1:8000:8000\"\n      - \"${PORT}:80\"\n  worker:\n    build: ./worker\n";
        let f = file(text);
        let api = &f.services[0];
        let b = api.build().expect("build");
        assert_eq!(b.context.map(|c| c.text), Some("./api".into()));
        assert_eq!(b.dockerfile.map(|c| c.text), Some("Dockerfile.prod".into()));
        let v = api.volumes();
        assert_eq!(v[0].source.as_deref(), Some("/var/run/docker.sock"));
        assert_eq!(v[1].source.as_deref(), Some("./data"));
        assert_eq!((v[2].source.as_deref(), v[2].target.as_deref()), (None, Some("/cache")));
        let p = api.ports();
        assert_eq!(p[0].1.as_ref().and_then(|p| p.host_ip.as_deref()), Some("127.0.0.1"));
        assert!(p[1].1.is_none());
        let w = f.services[1].build().and_then(|b| b.context).map(|c| c.text);
        assert_eq!(w.as_deref(), Some("./worker"));
    }
}
