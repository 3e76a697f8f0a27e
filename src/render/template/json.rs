//! JSON as Go's encoding/json writes it (`toJson`, `toPrettyJson`, `toRawJson`: keys sorted,
//! `<`, `>`, `&` escaped unless raw, floats without exponent between 1e-6 and 1e21) and reads
//! it (`fromJson`: numbers are float64).

use std::rc::Rc;

use super::value::{Map, Obj, Origin, Str, StrBuf, Val, V};
const MAX_VALUE_DEPTH: usize = crate::budget::TEMPLATE_VALUE_DEPTH.get();

pub struct Style {
    pub indent: Option<&'static str>,
    pub escape_html: bool,
}

fn escape(s: &str, html: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float as encoding/json writes it.
pub fn float_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        // 'e' format with Go's cleanup of the exponent (`e-07` → `e-7`)
        let s = format!("{:e}", f);
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        return Some(format!("{m}e{}{}", if e < 0 { '-' } else { '+' }, e.abs()));
    }
    if f.fract() == 0.0 {
        return Some(format!("{}", f as i128));
    }
    Some(format!("{f}"))
}

fn emit(v: &Val, style: &Style, level: usize, out: &mut StrBuf) -> Result<(), String> {
    if level > MAX_VALUE_DEPTH {
        return Err(crate::budget::Exceeded {
            limit: &crate::budget::TEMPLATE_VALUE_DEPTH,
        }
        .to_string());
    }
    let origin = Origin {
        value: v.o,
        ..Origin::default()
    };
    let newline = |out: &mut StrBuf, level: usize| {
        if let Some(ind) = style.indent {
            out.push_plain("\n");
            for _ in 0..level {
                out.push_plain(ind);
            }
        }
    };
    match &v.v {
        V::NoValue | V::Nil => out.push("null", origin),
        V::Bool(b) => out.push(if *b { "true" } else { "false" }, origin),
        V::Int(i) | V::Int64(i) => out.push(&i.to_string(), origin),
        V::Float(f) => match float_text(*f) {
            Some(t) => out.push(&t, origin),
            None => {
                return Err(format!(
                    "json: unsupported value: {}",
                    super::format::format_g(*f, None, false)
                ))
            }
        },
        V::Str(s) => {
            let mut t = String::new();
            escape(s.as_str(), style.escape_html, &mut t);
            out.push(&t, s.whole_origin(v));
        }
        V::List(l) => {
            if l.is_empty() {
                out.push_plain("[]");
                return Ok(());
            }
            out.push_plain("[");
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push_plain(",");
                }
                newline(out, level + 1);
                emit(x, style, level + 1, out)?;
            }
            newline(out, level);
            out.push_plain("]");
        }
        V::Map(m) => {
            let m = m.try_borrow().map_err(|_| "map is being changed".to_string())?;
            if m.is_empty() {
                out.push_plain("{}");
                return Ok(());
            }
            out.push_plain("{");
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_plain(",");
                }
                newline(out, level + 1);
                let mut t = String::new();
                escape(k, style.escape_html, &mut t);
                out.push(
                    &t,
                    Origin {
                        value: x.ko,
                        ..Origin::default()
                    },
                );
                out.push_plain(if style.indent.is_some() { ": " } else { ":" });
                emit(x, style, level + 1, out)?;
            }
            newline(out, level);
            out.push_plain("}");
        }
        V::Obj(o) => match &**o {
            Obj::KubeVersion { version, major, minor } => {
                let mut t = String::new();
                t.push_str("{\"Major\":");
                escape(major, true, &mut t);
                t.push_str(",\"Minor\":");
                escape(minor, true, &mut t);
                t.push_str(",\"Version\":");
                escape(version, true, &mut t);
                t.push('}');
                out.push_plain(&t);
            }
            Obj::ApiVersions(list) => {
                let items: Vec<Val> = list.iter().map(|s| Val::str(s.as_str())).collect();
                emit(&Val::list(items), style, level, out)?;
            }
            Obj::Files(_) => out.push_plain("{}"),
        },
    }
    Ok(())
}

pub fn to_json(v: &Val, style: &Style) -> Result<Str, String> {
    let mut out = StrBuf::default();
    emit(v, style, 0, &mut out)?;
    Ok(out.finish())
}

fn from_serde(v: serde_json::Value, depth: usize) -> Val {
    if depth > MAX_VALUE_DEPTH {
        return Val::nil();
    }
    match v {
        serde_json::Value::Null => Val::nil(),
        serde_json::Value::Bool(b) => Val::bool(b),
        serde_json::Value::Number(n) => Val::float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Val::str(s),
        serde_json::Value::Array(a) => Val::new(V::List(Rc::new(
            a.into_iter().map(|x| from_serde(x, depth + 1)).collect(),
        ))),
        serde_json::Value::Object(o) => {
            let mut m = Map::new();
            for (k, x) in o {
                m.insert(k, from_serde(x, depth + 1));
            }
            Val::map(m)
        }
    }
}

/// Parse JSON into a template value; the error text as Go's decoder would put it.
pub fn from_json(text: &str) -> Result<Val, String> {
    // serde_json's own recursion limit (128) keeps this bounded
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| from_serde(v, 0))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(v: &Val, pretty: bool, html: bool) -> String {
        to_json(
            v,
            &Style {
                indent: pretty.then_some("  "),
                escape_html: html,
            },
        )
        .unwrap()
        .as_str()
        .to_string()
    }

    #[test]
    fn go_encoding() {
        let v = from_json(r#"{"b": [1, 1.5, 1000000, 1e-7], "a": "<x&y>", "c": {}}"#).unwrap();
        assert_eq!(
            j(&v, false, true),
            r#"{"a":"\u003cx\u0026y\u003e","b":[1,1.5,1000000,1e-7],"c":{}}"#
        );
        assert_eq!(j(&v, false, false), r#"{"a":"<x&y>","b":[1,1.5,1000000,1e-7],"c":{}}"#);
        let small = from_json(r#"{"k": [true]}"#).unwrap();
        assert_eq!(j(&small, true, true), "{\n  \"k\": [\n    true\n  ]\n}");
    }
}
