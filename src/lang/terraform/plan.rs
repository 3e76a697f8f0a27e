//! Terraform plans as `terraform show -json` writes them (format version 1.x): the planned
//! values of every resource, and the changes the plan makes.
//!
//! Planned values become the bodies rules read, as an evaluated `.tf` block's would be:
//! attributes the plan leaves `null` and nested blocks it lists none of (`[]`) are absent (as
//! they are when a block does not set them),
//! and attributes known only after apply (`after_unknown`) are unknown, so a rule never judges
//! a value the plan does not know. Every value keeps its span in the plan file.

use std::collections::HashMap;

use super::json;
use crate::lang::ParseError;
use crate::source::node::Entry;
use crate::source::{Node, NodeValue, Span};

/// The plan format versions this reader knows: 1.x.
pub const SUPPORTED_MAJOR: &str = "1";

/// A resource (or data source) with its planned values.
#[derive(Debug, Clone)]
pub struct PlannedResource {
    /// `module.app.azurerm_key_vault.main["x"]`.
    pub address: String,
    /// The `address` value: where findings point when the declaration is not found.
    pub address_span: Span,
    /// The whole resource object.
    pub span: Span,
    /// Names of the module calls leading to the resource, outermost first (`["app"]`).
    pub module_path: Vec<String>,
    /// `managed` or `data`.
    pub mode: String,
    pub type_name: String,
    pub type_span: Span,
    pub name: String,
    pub name_span: Span,
    /// The `count` index or `for_each` key, as text (`0`, `eu`).
    pub index: Option<String>,
    /// The planned values: nulls dropped, values known only after apply unknown.
    pub values: Node,
}

/// One entry of `resource_changes`.
#[derive(Debug, Clone)]
pub struct ResourceChange {
    pub address: String,
    pub address_span: Span,
    pub module_path: Vec<String>,
    pub mode: String,
    pub type_name: String,
    pub name: String,
    pub index: Option<String>,
    /// `["delete", "create"]`...
    pub actions: Vec<String>,
    /// The `actions` array.
    pub actions_span: Span,
    /// The attribute paths that force a replacement, as Terraform writes them
    /// (`[["name"], ["network_rules", 0, "subnet_id"]]`), each rendered `network_rules[0].subnet_id`.
    pub replace_paths: Vec<(String, Span)>,
    /// `replace_because_cannot_update`, `replace_by_request`...
    pub action_reason: Option<String>,
    /// The `name` and `bucket` values before and after the change.
    pub names: Vec<String>,
}

/// A plan file, read.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// `format_version` and its span.
    pub format_version: Option<(String, Span)>,
    /// Whether this reader knows the format (1.x): when not, nothing else is read.
    pub supported: bool,
    pub resources: Vec<PlannedResource>,
    pub changes: Vec<ResourceChange>,
    /// Input variables and their values (`variables.<name>.value`).
    pub variables: Vec<(String, Node)>,
    /// The `source` of each module call in the configuration, by call path (`app`, `app.db`).
    pub module_sources: HashMap<String, String>,
}

/// Whether a parsed JSON document is a plan: an object with a `format_version` and planned
/// values or resource changes. A state file (`values` only) is not.
fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("resource_changes").is_some())
}

/// Read a plan. `None`: the text is not a plan (any other JSON file, or not JSON and not
/// plan-looking). A plan of an unknown format version yields one error and nothing else.
pub fn parse(text: &str) -> Option<(Plan, Vec<ParseError>)> {
    let root = match json::parse(text) {
        Ok(r) => r,
        Err(e) => {
            // broken JSON is only reported when it looks like a plan
            if text.contains("\"planned_values\"") || text.contains("\"resource_changes\"") {
                let at = e.at.min(text.len());
                let end = text[at..].chars().next().map(|c| at + c.len_utf8()).unwrap_or(at);
                return Some((
                    Plan::default(),
                    vec![ParseError::new(
                        format!("invalid JSON: {}", e.message),
                        Span::new(at, end),
                    )],
                ));
            }
            return None;
        }
    };
    if !is_plan(&root) {
        return None;
    }
    let mut plan = Plan::default();
    let fv = root.get("format_version");
    plan.format_version = fv.and_then(|n| n.scalar_text().map(|s| (s, n.span)));
    let major = plan
        .format_version
        .as_ref()
        .and_then(|(v, _)| v.split('.').next().map(str::to_string));
    if major.as_deref() != Some(SUPPORTED_MAJOR) {
        let (shown, span) = match (&plan.format_version, fv) {
            (Some((v, s)), _) => (format!("`{v}`"), *s),
            (None, Some(n)) => ("unreadable".to_string(), n.span),
            (None, None) => ("missing".to_string(), Span::empty(0)),
        };
        return Some((
            plan,
            vec![ParseError::new(
                format!("plan format version {shown} is not supported (linea reads 1.x); the plan is not checked"),
                span,
            )],
        ));
    }
    plan.supported = true;

    // values known only after apply, by address
    let mut unknown: HashMap<&str, &Node> = HashMap::new();
    for rc in root.get("resource_changes").map(|n| n.items()).unwrap_or(&[]) {
        if let (Some(a), Some(u)) = (
            rc.get("address").and_then(|n| n.as_str()),
            rc.at("change.after_unknown"),
        ) {
            unknown.insert(a, u);
        }
        if let Some(c) = change(rc) {
            plan.changes.push(c);
        }
    }
    if let Some(m) = root.at("planned_values.root_module") {
        // child modules nest: walk them without recursion
        let mut stack: Vec<&Node> = vec![m];
        let mut seen = 0usize;
        while let Some(module) = stack.pop() {
            seen += 1;
            if seen > 10_000 {
                break;
            }
            let module_path = module
                .get("address")
                .and_then(|n| n.as_str())
                .map(module_names)
                .unwrap_or_default();
            for r in module.get("resources").map(|n| n.items()).unwrap_or(&[]) {
                if let Some(p) = resource(r, &module_path, &unknown) {
                    plan.resources.push(p);
                }
            }
            for c in module
                .get("child_modules")
                .map(|n| n.items())
                .unwrap_or(&[])
                .iter()
                .rev()
            {
                stack.push(c);
            }
        }
    }
    for e in root.get("variables").map(|n| n.entries()).unwrap_or(&[]) {
        if let Some(v) = e.value.get("value") {
            plan.variables.push((e.key.clone(), v.clone()));
        }
    }
    if let Some(m) = root.at("configuration.root_module") {
        let mut stack: Vec<(String, &Node)> = vec![(String::new(), m)];
        while let Some((prefix, module)) = stack.pop() {
            if plan.module_sources.len() > 10_000 {
                break;
            }
            for call in module.get("module_calls").map(|n| n.entries()).unwrap_or(&[]) {
                let path = match prefix.is_empty() {
                    true => call.key.clone(),
                    false => format!("{prefix}.{}", call.key),
                };
                if let Some(src) = call.value.get("source").and_then(|n| n.as_str()) {
                    plan.module_sources.insert(path.clone(), src.to_string());
                }
                if let Some(inner) = call.value.get("module") {
                    stack.push((path, inner));
                }
            }
        }
    }
    Some((plan, Vec::new()))
}

/// `module.a["k"].module.b[0]` → `["a", "b"]`.
pub fn module_names(address: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = address;
    while let Some(r) = rest.strip_prefix("module.") {
        let end = r.find(['.', '[']).unwrap_or(r.len());
        out.push(r[..end].to_string());
        rest = skip_index(&r[end..]);
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    out
}

/// Skip a leading `[...]` (a quoted key may hold `]`).
fn skip_index(s: &str) -> &str {
    if !s.starts_with('[') {
        return s;
    }
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return &s[i + 1..],
            _ => {}
        }
    }
    ""
}

fn text_of(n: Option<&Node>) -> Option<String> {
    n.and_then(|n| n.scalar_text())
}

fn resource(r: &Node, module_path: &[String], unknown: &HashMap<&str, &Node>) -> Option<PlannedResource> {
    let address = r.get("address")?;
    let address_text = address.as_str()?.to_string();
    let ty = r.get("type")?;
    let name = r.get("name")?;
    let mut values = r
        .get("values")
        .cloned()
        .unwrap_or_else(|| Node::new(r.span, NodeValue::Map(Vec::new())));
    if let Some(u) = unknown.get(address_text.as_str()) {
        mark_unknown(&mut values, u, &address_text);
    }
    drop_nulls(&mut values);
    Some(PlannedResource {
        address: address_text,
        address_span: address.span,
        span: r.span,
        module_path: module_path.to_vec(),
        mode: r.get("mode").and_then(|n| n.as_str()).unwrap_or("managed").to_string(),
        type_name: ty.as_str()?.to_string(),
        type_span: ty.span,
        name: name.as_str()?.to_string(),
        name_span: name.span,
        index: text_of(r.get("index")),
        values,
    })
}

fn change(rc: &Node) -> Option<ResourceChange> {
    let address = rc.get("address")?;
    let actions = rc.at("change.actions")?;
    let module_path = rc
        .get("module_address")
        .and_then(|n| n.as_str())
        .map(module_names)
        .unwrap_or_default();
    let replace_paths = rc
        .at("change.replace_paths")
        .map(|n| n.items())
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| {
            let mut out = String::new();
            for step in p.items() {
                match &step.value {
                    NodeValue::String(k) if out.is_empty() => out.push_str(k),
                    NodeValue::String(k) => {
                        out.push('.');
                        out.push_str(k);
                    }
                    NodeValue::Number { raw, .. } => {
                        out.push('[');
                        out.push_str(raw);
                        out.push(']');
                    }
                    _ => return None,
                }
            }
            (!out.is_empty()).then_some((out, p.span))
        })
        .collect();
    Some(ResourceChange {
        address: address.as_str()?.to_string(),
        address_span: address.span,
        module_path,
        mode: rc.get("mode").and_then(|n| n.as_str()).unwrap_or("managed").to_string(),
        type_name: rc.get("type").and_then(|n| n.as_str())?.to_string(),
        name: rc.get("name").and_then(|n| n.as_str())?.to_string(),
        index: text_of(rc.get("index")),
        actions: actions
            .items()
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        actions_span: actions.span,
        replace_paths,
        action_reason: rc.get("action_reason").and_then(|n| n.as_str()).map(str::to_string),
        names: ["change.before", "change.after"]
            .iter()
            .filter_map(|p| rc.at(p))
            .flat_map(|v| {
                ["name", "bucket"]
                    .into_iter()
                    .filter_map(|k| v.get(k).and_then(|n| n.as_str()))
            })
            .map(str::to_string)
            .collect(),
    })
}

/// Put an unknown value wherever `after_unknown` says `true` (a value the plan cannot know
/// yet), replacing or adding to what `values` holds.
fn mark_unknown(values: &mut Node, unknown: &Node, address: &str) {
    mark(values, unknown, address, 0);
}

fn mark(v: &mut Node, u: &Node, address: &str, depth: usize) {
    if depth > 64 {
        return;
    }
    match &u.value {
        NodeValue::Bool(true) => {
            *v = Node::new(v.span, NodeValue::Unknown(format!("{address} (known after apply)")));
        }
        NodeValue::Map(ue) => {
            if let NodeValue::Map(entries) = &mut v.value {
                for e in ue {
                    match entries.iter_mut().find(|x| x.key == e.key) {
                        Some(x) => mark(&mut x.value, &e.value, address, depth + 1),
                        None if e.value.as_bool() == Some(true) => entries.push(Entry {
                            key: e.key.clone(),
                            key_span: e.key_span,
                            value: Node::new(
                                e.value.span,
                                NodeValue::Unknown(format!("{address}.{} (known after apply)", e.key)),
                            ),
                        }),
                        None => {}
                    }
                }
            }
        }
        NodeValue::Seq(ui) => {
            if let NodeValue::Seq(items) = &mut v.value {
                for (x, y) in items.iter_mut().zip(ui.iter()) {
                    mark(x, y, address, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Drop `null` and `[]` map entries: an attribute the plan leaves null, or a nested block it
/// lists none of, is one the block does not set.
fn drop_nulls(n: &mut Node) {
    let mut stack: Vec<&mut Node> = vec![n];
    while let Some(n) = stack.pop() {
        match &mut n.value {
            NodeValue::Map(entries) => {
                entries.retain(|e| !e.value.is_null() && !matches!(&e.value.value, NodeValue::Seq(i) if i.is_empty()));
                stack.extend(entries.iter_mut().map(|e| &mut e.value));
            }
            NodeValue::Seq(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.11.4",
  "variables": {"environment": {"value": "prod"}},
  "planned_values": {"root_module": {
    "resources": [{"address": "azurerm_key_vault.main", "mode": "managed", "type": "azurerm_key_vault",
      "name": "main", "values": {"name": "kv", "purge_protection_enabled": false, "tags": null, "id": "x"}}],
    "child_modules": [{"address": "module.db[\"eu\"]", "resources": [
      {"address": "module.db[\"eu\"].azurerm_mssql_server.this[0]", "mode": "managed", "type": "azurerm_mssql_server",
       "name": "this", "index": 0, "values": {"version": "12.0"}}]}]}},
  "resource_changes": [
    {"address": "azurerm_key_vault.main", "mode": "managed", "type": "azurerm_key_vault", "name": "main",
     "change": {"actions": ["delete", "create"], "after_unknown": {"id": true, "uri": true},
       "replace_paths": [["name"], ["network_acls", 0, "bypass"]]}, "action_reason": "replace_because_cannot_update"}],
  "configuration": {"root_module": {"module_calls": {"db": {"source": "./modules/db", "module": {}}}}}
}"#;

    #[test]
    fn reads_resources_changes_and_unknowns() {
        let (plan, errors) = parse(PLAN).expect("a plan");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(plan.resources.len(), 2);
        let kv = &plan.resources[0];
        assert_eq!(
            kv.values.get("purge_protection_enabled").and_then(|n| n.as_bool()),
            Some(false)
        );
        assert!(kv.values.get("tags").is_none(), "nulls are dropped");
        assert!(kv.values.get("id").is_some_and(|n| n.is_unknown()));
        assert!(kv.values.get("uri").is_some_and(|n| n.is_unknown()));
        let db = &plan.resources[1];
        assert_eq!(db.module_path, vec!["db".to_string()]);
        assert_eq!(db.index.as_deref(), Some("0"));
        let c = &plan.changes[0];
        assert_eq!(c.actions, vec!["delete", "create"]);
        let paths: Vec<&str> = c.replace_paths.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, vec!["name", "network_acls[0].bypass"]);
        assert_eq!(plan.module_sources.get("db").map(String::as_str), Some("./modules/db"));
        assert_eq!(plan.variables[0].0, "environment");
    }

    #[test]
    fn other_json_is_not_a_plan_and_unknown_versions_are_one_error() {
        assert!(parse(r#"{"name": "x", "version": "1.0"}"#).is_none());
        assert!(
            parse(r#"{"format_version": "1.0", "values": {}}"#).is_none(),
            "a state is not a plan"
        );
        assert!(parse("not json").is_none());
        let (plan, errors) = parse(r#"{"format_version": "2.0", "planned_values": {}}"#).expect("a plan");
        assert!(!plan.supported);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("`2.0`"), "{}", errors[0].message);
        let (_, errors) = parse(r#"{"planned_values": {"#).expect("plan-looking");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn module_addresses_name_their_calls() {
        assert_eq!(module_names("module.a[\"k.]\"].module.b[0]"), vec!["a", "b"]);
        assert_eq!(module_names("module.a.azurerm_x.y"), vec!["a"]);
        assert!(module_names("azurerm_x.y").is_empty());
    }
}
