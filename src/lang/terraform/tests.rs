use super::*;
use crate::source::NodeValue;

fn local<'a>(expr: &'a hcl_edit::expr::Expression, text: &'a str) -> eval::Local<'a> {
    eval::Local {
        expr,
        text,
        file: FileId::default(),
    }
}

fn body_node(text: &str, scope: &Scope<'_>) -> Node {
    let (f, errors) = parse(text);
    assert!(errors.is_empty(), "{errors:?}");
    let body = f.body.unwrap();
    let b = body.blocks().next().unwrap();
    scope.body(&b.body, header_span(b), text, 0)
}

#[test]
fn blocks_become_maps_with_lists_of_nested_blocks() {
    let text = r#"resource "azurerm_network_security_group" "web" {
  name = "nsg-web"
  security_rule {
    name = "https"
    destination_port_range = "443"
  }
  security_rule {
    name = "ssh"
    destination_port_range = 22
  }
  tags = { environment = "prod" }
}
"#;
    let n = body_node(text, &Scope::default());
    assert_eq!(n.get("name").and_then(|v| v.as_str()), Some("nsg-web"));
    let rules = n.get("security_rule").unwrap();
    assert_eq!(rules.items().len(), 2);
    assert_eq!(
        rules.items()[1].get("destination_port_range").and_then(|v| v.as_i64()),
        Some(22)
    );
    let tags = n.get("tags").unwrap();
    assert_eq!(tags.get("environment").and_then(|v| v.as_str()), Some("prod"));
    let port = rules.items()[0].get("destination_port_range").unwrap();
    assert_eq!(port.span.slice(text), "\"443\"");
}

#[test]
fn evaluation_is_three_valued() {
    let text = r#"resource "x" "y" {
  a = var.known
  b = var.missing
  c = "${var.known}-suffix"
  d = azurerm_resource_group.main.name
  e = var.flag ? "on" : "off"
  f = tolist(["a", var.known])
  g = lookup(var.m, "k")
  h = local.l
  i = merge({ a = 1 }, { b = 2 })
  j = upper("x")
  k = var.env == "prod" ? "Premium" : "Standard"
  dynamic "security_rule" {
    for_each = var.rules
    content {}
  }
}
locals {
  l = "${var.known}-local"
}
"#;
    let (f, _) = parse(text);
    let body = f.body.unwrap();
    let locals_block = body.blocks().nth(1).unwrap();
    let mut scope = Scope::default();
    scope.vars.insert(
        "known".into(),
        Node::new(Span::default(), NodeValue::String("kv".into())),
    );
    scope
        .vars
        .insert("flag".into(), Node::new(Span::default(), NodeValue::Bool(false)));
    scope.vars.insert(
        "env".into(),
        Node::new(Span::default(), NodeValue::String("prod".into())),
    );
    for a in locals_block.body.attributes() {
        scope.locals.insert(a.key.as_str().to_string(), local(&a.value, text));
    }
    let b = body.blocks().next().unwrap();
    let n = scope.body(&b.body, header_span(b), text, 0);
    let s = |k: &str| n.get(k).unwrap().clone();
    assert_eq!(s("a").as_str(), Some("kv"));
    // the substituted value points at the reference, not at the variable's declaration
    assert_eq!(s("a").span.slice(text), "var.known");
    assert!(s("b").is_unknown());
    assert_eq!(s("c").as_str(), Some("kv-suffix"));
    assert_eq!(
        s("d").value,
        NodeValue::Unknown("azurerm_resource_group.main.name".into())
    );
    assert_eq!(s("e").as_str(), Some("off"));
    assert_eq!(s("f").items().len(), 2);
    assert!(s("g").is_unknown());
    assert_eq!(s("h").as_str(), Some("kv-local"));
    assert_eq!(s("i").entries().len(), 2);
    assert_eq!(s("j").as_str(), Some("X"));
    assert_eq!(s("k").as_str(), Some("Premium"));
    assert!(s("security_rule").is_unknown());
}

#[test]
fn local_cycles_are_unknown() {
    let text = "locals {\n  a = local.b\n  b = local.a\n}\n";
    let (f, _) = parse(text);
    let body = f.body.unwrap();
    let mut scope = Scope::default();
    for a in body.blocks().next().unwrap().body.attributes() {
        scope.locals.insert(a.key.as_str().to_string(), local(&a.value, text));
    }
    let l = scope.locals["a"];
    assert!(scope.eval(l.expr, l.text, 0).is_unknown());
}

#[test]
fn parse_errors_have_positions() {
    let text = "resource \"x\" \"y\" {\n  a = \n}\n";
    let (f, errors) = parse(text);
    assert!(f.body.is_none());
    assert_eq!(errors.len(), 1);
    assert!(errors[0].span.start >= 20, "{:?}", errors[0]);
}

#[test]
fn zero_instances() {
    let text = "resource \"x\" \"y\" {\n  count = 0\n}\nresource \"x\" \"z\" {\n  for_each = {}\n}\nresource \"x\" \"w\" {\n  count = var.n\n}\n";
    let (f, _) = parse(text);
    let body = f.body.unwrap();
    let scope = Scope::default();
    let zero: Vec<bool> = body
        .blocks()
        .map(|b| eval::has_zero_instances(&scope.body(&b.body, header_span(b), text, 0)))
        .collect();
    assert_eq!(zero, vec![true, true, false]);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let mut text = String::from("x = ");
    for _ in 0..200 {
        text.push('[');
    }
    for _ in 0..200 {
        text.push(']');
    }
    text.push('\n');
    let (_f, _errors) = parse(&text);
    let mut text = String::from("a ");
    for _ in 0..200 {
        text.push_str("b {\n");
    }
    for _ in 0..200 {
        text.push_str("}\n");
    }
    let (f, _) = parse(&text);
    if let Some(body) = f.body {
        for b in body.blocks() {
            let _ = Scope::default().body(&b.body, header_span(b), &text, 0);
        }
    }
}

#[test]
fn doubling_locals_stay_bounded() {
    let mut text = String::from("locals {\n");
    for i in 0..200 {
        text.push_str(&format!("  l{i} = [local.l{}, local.l{}]\n", i + 1, i + 1));
    }
    text.push_str("  l200 = \"x\"\n}\n");
    let (f, _) = parse(&text);
    let body = f.body.unwrap();
    let mut scope = Scope::default();
    for a in body.blocks().next().unwrap().body.attributes() {
        scope
            .locals
            .insert(a.key.as_str().to_string(), local(&a.value, text.as_str()));
    }
    let l = scope.locals["l0"];
    assert!(!eval::is_known(&scope.eval(l.expr, l.text, 0)));
    for b in body.blocks() {
        let _ = scope.body(&b.body, header_span(b), &text, 0);
    }
    // the work is bounded by the byte budget, not by 2^200 copies
    assert!(
        scope.bytes() <= eval::limits::MAX_BYTES + (1 << 20),
        "{}",
        scope.bytes()
    );
    assert!(scope.steps() < 10_000, "{}", scope.steps());
    assert!(!scope.exceeded().is_empty());
}
