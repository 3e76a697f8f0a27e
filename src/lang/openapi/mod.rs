//! OpenAPI 3 / Swagger 2 documents (YAML or JSON), including WSO2 API Manager / micro-gateway
//! `x-wso2-*` extensions: the operations and the server URLs a gateway routes to.

use crate::lang::yaml::Stream;
use crate::source::node::Node;
use crate::source::Span;

pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// One OpenAPI document.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    /// `openapi: 3.0.1` or `swagger: "2.0"`.
    pub version: String,
    /// The `openapi`/`swagger` entry: where document-level findings point.
    pub header: Span,
    pub operations: Vec<Operation>,
}

/// One operation: a method under a path.
#[derive(Debug, Clone)]
pub struct Operation {
    pub path: String,
    pub method: String,
    /// The method key (`get`), where findings about the operation point.
    pub header: Span,
    /// Index of the path item in `paths` and of the operation within it.
    pub path_index: usize,
    pub op_index: usize,
}

impl Document {
    pub fn is_swagger2(&self) -> bool {
        self.root.get("swagger").is_some()
    }

    /// The operation's node.
    pub fn operation_node(&self, op: &Operation) -> Option<&Node> {
        let item = self.root.get("paths")?.entries().get(op.path_index)?;
        Some(&item.value.entries().get(op.op_index)?.value)
    }

    /// The path item holding an operation.
    pub fn path_item(&self, op: &Operation) -> Option<&Node> {
        Some(&self.root.get("paths")?.entries().get(op.path_index)?.value)
    }
}

/// Whether a document root is an OpenAPI/Swagger definition.
pub fn is_openapi(root: &Node) -> bool {
    let version = root
        .get("openapi")
        .or_else(|| root.get("swagger"))
        .and_then(Node::scalar_text);
    version.is_some_and(|v| v.starts_with('2') || v.starts_with('3'))
        && (root.get("paths").is_some() || root.get("info").is_some())
}

/// The OpenAPI document of a stream; the stream back when it is not one.
pub fn from_stream(stream: Stream) -> Result<Document, Stream> {
    let Some(pos) = stream.documents.iter().position(|d| is_openapi(&d.root)) else {
        return Err(stream);
    };
    let mut docs = stream.documents;
    let root = docs.swap_remove(pos).root;
    let entry = root.entry("openapi").or_else(|| root.entry("swagger"));
    let header = entry
        .map(|e| e.key_span.cover(e.value.span))
        .unwrap_or(Span::empty(root.span.start));
    let version = entry.and_then(|e| e.value.scalar_text()).unwrap_or_default();
    let mut operations = Vec::new();
    for (pi, item) in root
        .get("paths")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        for (oi, op) in item.value.entries().iter().enumerate() {
            let method = op.key.to_ascii_lowercase();
            if METHODS.contains(&method.as_str()) && op.value.is_map() {
                operations.push(Operation {
                    path: item.key.clone(),
                    method,
                    header: op.key_span,
                    path_index: pi,
                    op_index: oi,
                });
            }
        }
    }
    Ok(Document {
        root,
        version,
        header,
        operations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::yaml;

    #[test]
    fn reads_operations_from_yaml_and_json() {
        let y = "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    parameters: []\n    get: {responses: {}}\n    post: {responses: {}}\n";
        let d = from_stream(yaml::parse(y)).unwrap();
        assert_eq!(d.operations.len(), 2);
        assert_eq!(d.operations[1].method, "post");
        assert!(d.operation_node(&d.operations[1]).unwrap().get("responses").is_some());
        let j = r#"{"swagger": "2.0", "info": {"title": "t"}, "paths": {"/a": {"get": {}}}}"#;
        assert!(from_stream(yaml::parse(j)).unwrap().is_swagger2());
        assert!(from_stream(yaml::parse("a: 1\n")).is_err());
    }
}
