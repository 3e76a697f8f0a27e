//! Variable type constraints (`type = object({ tier = optional(string, "Free") })`) and the
//! conversion Terraform applies to a value given for a variable: numbers and booleans written
//! as strings become numbers and booleans, and missing optional attributes take their default
//! (or null). A value that does not fit is left as it is: linea reads it, Terraform would
//! reject it.

use hcl_edit::expr::{Expression, ObjectKey};

use super::eval::{number_text, Scope};
use crate::source::node::Entry;
use crate::source::{Node, NodeValue, Span};

/// Deepest type expression read.
const MAX_TYPE_DEPTH: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(Vec<Attr>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    pub ty: Type,
    pub optional: bool,
    /// `optional(T, default)`'s default, already evaluated.
    pub default: Option<Node>,
}

/// Read a type constraint expression; `any` for anything not understood.
pub fn parse(expr: &Expression, text: &str) -> Type {
    parse_at(expr, text, 0)
}

fn parse_at(expr: &Expression, text: &str, depth: usize) -> Type {
    if depth > MAX_TYPE_DEPTH {
        return Type::Any;
    }
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => Type::String,
            "number" => Type::Number,
            "bool" => Type::Bool,
            _ => Type::Any,
        },
        Expression::FuncCall(f) => {
            let args: Vec<&Expression> = f.args.iter().collect();
            let inner = |i: usize| args.get(i).map(|a| parse_at(a, text, depth + 1)).unwrap_or(Type::Any);
            match f.name.name.as_str() {
                "list" => Type::List(Box::new(inner(0))),
                "set" => Type::Set(Box::new(inner(0))),
                "map" => Type::Map(Box::new(inner(0))),
                "tuple" => match args.first() {
                    Some(Expression::Array(a)) => Type::Tuple(a.iter().map(|e| parse_at(e, text, depth + 1)).collect()),
                    _ => Type::Any,
                },
                "object" => match args.first() {
                    Some(Expression::Object(o)) => {
                        let mut attrs = Vec::new();
                        for (k, v) in o.iter() {
                            let name = match k {
                                ObjectKey::Ident(i) => i.as_str().to_string(),
                                ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                                ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                                ObjectKey::Expression(_) => continue,
                            };
                            attrs.push(attr(name, v.expr(), text, depth + 1));
                        }
                        Type::Object(attrs)
                    }
                    _ => Type::Any,
                },
                _ => Type::Any,
            }
        }
        _ => Type::Any,
    }
}

fn attr(name: String, expr: &Expression, text: &str, depth: usize) -> Attr {
    if let Expression::FuncCall(f) = expr {
        if f.name.name.as_str() == "optional" {
            let args: Vec<&Expression> = f.args.iter().collect();
            let ty = args.first().map(|a| parse_at(a, text, depth + 1)).unwrap_or(Type::Any);
            let default = args.get(1).map(|d| Scope::default().eval(d, text, 0));
            return Attr {
                name,
                ty,
                optional: true,
                default,
            };
        }
    }
    Attr {
        name,
        ty: parse_at(expr, text, depth),
        optional: false,
        default: None,
    }
}

/// Convert a value to a type as Terraform does when it assigns a variable.
pub fn convert(value: Node, ty: &Type) -> Node {
    convert_at(value, ty, 0)
}

fn convert_at(value: Node, ty: &Type, depth: usize) -> Node {
    if depth > MAX_TYPE_DEPTH {
        return value;
    }
    let span = value.span;
    match (ty, value.value) {
        (_, v @ (NodeValue::Unknown(_) | NodeValue::Null)) => Node::new(span, v),
        (Type::Any, v) => Node::new(span, v),
        (Type::String, NodeValue::Number { value, raw }) => {
            let text = if raw.is_empty() { number_text(value) } else { raw };
            Node::new(span, NodeValue::String(text))
        }
        (Type::String, NodeValue::Bool(b)) => Node::new(span, NodeValue::String(b.to_string())),
        (Type::Number, NodeValue::String(s)) => match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Node::new(
                span,
                NodeValue::Number {
                    value: v,
                    raw: s.trim().to_string(),
                },
            ),
            _ => Node::new(span, NodeValue::String(s)),
        },
        (Type::Bool, NodeValue::String(s)) if s == "true" || s == "false" => {
            Node::new(span, NodeValue::Bool(s == "true"))
        }
        (Type::List(t) | Type::Set(t), NodeValue::Seq(items)) => Node::new(
            span,
            NodeValue::Seq(items.into_iter().map(|i| convert_at(i, t, depth + 1)).collect()),
        ),
        (Type::Tuple(ts), NodeValue::Seq(items)) => Node::new(
            span,
            NodeValue::Seq(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| match ts.get(i) {
                        Some(t) => convert_at(v, t, depth + 1),
                        None => v,
                    })
                    .collect(),
            ),
        ),
        (Type::Map(t), NodeValue::Map(entries)) => Node::new(
            span,
            NodeValue::Map(
                entries
                    .into_iter()
                    .map(|e| Entry {
                        value: convert_at(e.value, t, depth + 1),
                        ..e
                    })
                    .collect(),
            ),
        ),
        (Type::Object(attrs), NodeValue::Map(mut entries)) => {
            for a in attrs {
                match entries.iter().position(|e| e.key == a.name) {
                    Some(i) => {
                        let e = entries.remove(i);
                        let v = match (&e.value.value, &a.default) {
                            // an optional attribute given as null takes its default
                            (NodeValue::Null, Some(d)) if a.optional => super::eval::respan(d.clone(), e.value.span),
                            _ => e.value,
                        };
                        entries.insert(
                            i,
                            Entry {
                                value: convert_at(v, &a.ty, depth + 1),
                                ..e
                            },
                        );
                    }
                    None if a.optional => {
                        let v = match &a.default {
                            Some(d) => convert_at(super::eval::respan(d.clone(), span), &a.ty, depth + 1),
                            None => Node::new(span, NodeValue::Null),
                        };
                        entries.push(Entry {
                            key: a.name.clone(),
                            key_span: span,
                            value: v,
                        });
                    }
                    None => {}
                }
            }
            Node::new(span, NodeValue::Map(entries))
        }
        (_, v) => Node::new(span, v),
    }
}

/// A value that stands for "not given", at a span.
pub fn null(span: Span) -> Node {
    Node::new(span, NodeValue::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(src: &str) -> Type {
        let text = format!("x = {src}\n");
        let (f, errors) = crate::lang::terraform::parse(&text);
        assert!(errors.is_empty(), "{errors:?}");
        let body = f.body.expect("body");
        let a = body.attributes().next().expect("attribute");
        parse(&a.value, &text)
    }

    fn value(src: &str) -> Node {
        let text = format!("x = {src}\n");
        let (f, _) = crate::lang::terraform::parse(&text);
        let body = f.body.expect("body");
        let a = body.attributes().next().expect("attribute");
        Scope::default().eval(&a.value, &text, 0)
    }

    #[test]
    fn optional_attributes_take_their_defaults() {
        let t = ty(
            r#"object({ tier = optional(string, "Free"), nodes = optional(number), pool = optional(object({ size = optional(number, 3) }), {}) })"#,
        );
        let v = convert(value(r#"{ nodes = "2" }"#), &t);
        assert_eq!(v.get("tier").and_then(|n| n.as_str()), Some("Free"));
        assert_eq!(v.get("nodes").and_then(|n| n.as_f64()), Some(2.0));
        assert_eq!(v.at("pool.size").and_then(|n| n.as_f64()), Some(3.0));
        let v = convert(value(r#"{ tier = null }"#), &t);
        assert_eq!(v.get("tier").and_then(|n| n.as_str()), Some("Free"));
    }

    #[test]
    fn scalars_convert_like_terraform() {
        assert_eq!(convert(value("\"true\""), &ty("bool")).as_bool(), Some(true));
        assert_eq!(convert(value("3"), &ty("string")).as_str(), Some("3"));
        let l = convert(value("[\"1\", \"2\"]"), &ty("list(number)"));
        assert_eq!(l.items()[1].as_f64(), Some(2.0));
        assert_eq!(ty("map(any)"), Type::Map(Box::new(Type::Any)));
    }
}
