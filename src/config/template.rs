//! The commented `linea.toml` that `linea init` writes, generated from the JSON Schema so that
//! every section anyone adds to [`super::Config`] appears in it with its default.

use serde_json::{Map, Value};

const HEADER: &str = "\
# linea configuration: every key with its default, commented out. Uncomment what you change.
# Reference: docs/configuration.md. Editors complete this file from `linea schema`.
";

/// The `linea init` file.
pub fn init_template() -> String {
    let schema: Value = serde_json::from_str(&super::json_schema()).unwrap_or_default();
    let defs = schema
        .get("definitions")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out = String::from(HEADER);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    // plain keys first: TOML puts everything after a `[table]` header into that table
    let (tables, keys): (Vec<_>, Vec<_>) = props.iter().partition(|(_, p)| is_table(p, &defs));
    for (name, prop) in keys {
        out.push('\n');
        key_lines(&mut out, name, prop, &defs);
    }
    for (name, prop) in tables {
        out.push('\n');
        comment(&mut out, description(prop, &defs));
        out.push_str(&format!("[{name}]\n"));
        let body = resolve(prop, &defs);
        match body.get("properties").and_then(Value::as_object) {
            Some(inner) => {
                for (i, (k, p)) in inner.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    key_lines(&mut out, k, p, &defs);
                }
            }
            // a map such as `[severity]`: show its examples
            None => {
                for ex in prop.get("examples").and_then(Value::as_array).into_iter().flatten() {
                    for (k, v) in ex.as_object().into_iter().flatten() {
                        out.push_str(&format!("# {} = {}\n", key(k), toml_value(v)));
                    }
                }
            }
        }
    }
    out
}

fn resolve<'a>(prop: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    // draft-07 puts a `$ref` that has siblings (description, default) into `allOf`
    let reference = prop.get("$ref").or_else(|| {
        prop.get("allOf")
            .and_then(Value::as_array)
            .filter(|a| a.len() == 1)
            .and_then(|a| a[0].get("$ref"))
    });
    reference
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/definitions/"))
        .and_then(|name| defs.get(name))
        .unwrap_or(prop)
}

fn is_table(prop: &Value, defs: &Map<String, Value>) -> bool {
    let body = resolve(prop, defs);
    body.get("properties").is_some() || body.get("additionalProperties").is_some_and(Value::is_object)
}

fn description<'a>(prop: &'a Value, defs: &'a Map<String, Value>) -> &'a str {
    prop.get("description")
        .or_else(|| resolve(prop, defs).get("description"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn comment(out: &mut String, text: &str) {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        out.push_str(&format!("# {line}\n"));
    }
}

fn key_lines(out: &mut String, name: &str, prop: &Value, defs: &Map<String, Value>) {
    comment(out, description(prop, defs));
    let value = prop
        .get("default")
        .filter(|v| !v.is_null())
        .or_else(|| prop.get("examples").and_then(|e| e.get(0)));
    if let Some(v) = value {
        out.push_str(&format!("# {} = {}\n", key(name), toml_value(v)));
    }
}

fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

/// A JSON value as TOML; JSON string escapes are valid in TOML basic strings.
fn toml_value(v: &Value) -> String {
    match v {
        Value::Null => "\"\"".into(),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => v.to_string(),
        Value::Array(items) => format!("[{}]", items.iter().map(toml_value).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{} = {}", key(k), toml_value(v)))
                .collect();
            if inner.is_empty() {
                "{}".into()
            } else {
                format!("{{ {} }}", inner.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::init_template;
    use crate::config::parse_config;

    #[test]
    fn template_loads_as_written_and_uncommented() {
        let t = init_template();
        parse_config(Path::new("linea.toml"), &t).expect("template loads");
        // every commented key line is a valid setting of its default
        let uncommented: String = t
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") && !rest.starts_with(char::is_uppercase) => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = parse_config(Path::new("linea.toml"), &uncommented).expect("uncommented template loads");
        assert_eq!(c.ports.external, vec![443]);
        assert!(
            t.contains("[ports]") && t.contains("# max-file-size = \"10MiB\""),
            "{t}"
        );
    }
}
