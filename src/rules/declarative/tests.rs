use super::assertion::{self, Env, Outcome};
use super::*;
use crate::config::{Config, Settings};
use crate::lang::yaml;
use crate::source::node::Entry;

fn yaml_node(text: &str) -> Node {
    let s = yaml::parse(text);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    s.documents.into_iter().next().map(|d| d.root).unwrap()
}

/// Strings spelled `?expr` become unknown values, as an HCL expression that cannot be computed.
fn with_unknowns(mut n: Node) -> Node {
    match &mut n.value {
        NodeValue::String(s) if s.starts_with('?') => n.value = NodeValue::Unknown(s[1..].to_string()),
        NodeValue::Seq(items) => {
            let v = std::mem::take(items);
            *items = v.into_iter().map(with_unknowns).collect();
        }
        NodeValue::Map(entries) => {
            let v = std::mem::take(entries);
            *entries = v
                .into_iter()
                .map(|e| Entry {
                    value: with_unknowns(e.value),
                    ..e
                })
                .collect();
        }
        _ => {}
    }
    n
}

fn settings() -> Settings {
    let mut c = Config::default();
    c.ports.external = vec![443];
    c.terraform.required_tags = vec!["environment".into(), "owner".into()];
    Settings::from_config(c, None, ".".into()).unwrap()
}

const HEADER: Span = Span { start: 9000, end: 9010 };

fn eval(assert: &str, data: &str) -> Outcome {
    let a = assertion::compile(&yaml_node(assert), 0).unwrap();
    let data = with_unknowns(yaml_node(data));
    let s = settings();
    a.eval(
        &data,
        &Env {
            settings: &s,
            header: HEADER,
            prod: true,
        },
    )
}

fn fails(o: &Outcome) -> Vec<String> {
    match o {
        Outcome::Fail(f) => f.iter().map(|f| f.value.clone()).collect(),
        _ => Vec::new(),
    }
}

fn compile_err(assert: &str) -> String {
    assertion::compile(&yaml_node(assert), 0).unwrap_err().message
}

#[test]
fn hand_built_nodes() {
    let sp = |a, b| Span::new(a, b);
    let data = Node::new(
        sp(0, 40),
        NodeValue::Map(vec![
            Entry {
                key: "admin_enabled".into(),
                key_span: sp(2, 15),
                value: Node::new(sp(18, 22), NodeValue::Bool(true)),
            },
            Entry {
                key: "sku".into(),
                key_span: sp(23, 26),
                value: Node::new(sp(29, 38), NodeValue::Unknown("var.sku".into())),
            },
        ]),
    );
    let s = settings();
    let env = Env {
        settings: &s,
        header: HEADER,
        prod: true,
    };
    let a = assertion::compile(&yaml_node("{path: admin_enabled, equals: false, default: false}"), 0).unwrap();
    match a.eval(&data, &env) {
        Outcome::Fail(f) => {
            assert_eq!(f[0].span, sp(18, 22));
            assert_eq!(f[0].value, "true");
        }
        o => panic!("{o:?}"),
    }
    let a = assertion::compile(&yaml_node("{path: sku, equals: Premium}"), 0).unwrap();
    assert_eq!(a.eval(&data, &env), Outcome::Unknown);
    let a = assertion::compile(&yaml_node("{path: sku, exists: true}"), 0).unwrap();
    assert!(matches!(a.eval(&data, &env), Outcome::Pass(Some(_))));
}

#[test]
fn exists_and_absent() {
    let o = eval("{path: network_acls, exists: true}", "name: kv");
    match &o {
        Outcome::Fail(f) => assert_eq!(f[0].span, HEADER),
        _ => panic!("{o:?}"),
    }
    assert!(matches!(eval("{path: a, exists: true}", "a: 1"), Outcome::Pass(_)));
    assert!(matches!(eval("{path: a, absent: true}", "b: 1"), Outcome::Pass(_)));
    assert_eq!(fails(&eval("{path: a, absent: true}", "a: x")), vec!["x"]);
    // null counts as absent, as `attr = null` in HCL
    assert!(matches!(eval("{path: a, exists: true}", "a: null"), Outcome::Fail(_)));
}

#[test]
fn missing_nested_points_at_deepest_key() {
    let data = "network_rules:\n  bypass: [AzureServices]\n";
    let o = eval("{path: network_rules.default_action, exists: true}", data);
    match &o {
        Outcome::Fail(f) => assert_eq!(f[0].span, Span::new(0, 13)),
        _ => panic!("{o:?}"),
    }
}

#[test]
fn value_operators() {
    assert_eq!(fails(&eval("{path: a, equals: true}", "a: false")), vec!["false"]);
    assert!(matches!(eval("{path: a, equals: true}", "a: 'true'"), Outcome::Pass(_)));
    assert!(matches!(eval("{path: a, equals: 443}", "a: '443'"), Outcome::Pass(_)));
    assert!(matches!(
        eval("{path: a, not_equals: Allow}", "a: Deny"),
        Outcome::Pass(_)
    ));
    assert_eq!(
        fails(&eval("{path: a, in: [TLS1_2, TLS1_3]}", "a: TLS1_0")),
        vec!["TLS1_0"]
    );
    assert_eq!(fails(&eval("{path: a, not_in: [Free]}", "a: Free")), vec!["Free"]);
    assert!(matches!(
        eval("{path: a, equals: allow, ignore_case: true}", "a: Allow"),
        Outcome::Pass(_)
    ));
    assert_eq!(
        fails(&eval("{path: image, matches: '@sha256:'}", "image: nginx:1.25")),
        vec!["nginx:1.25"]
    );
    assert_eq!(fails(&eval("{path: n, gte: 2}", "n: 1")), vec!["1"]);
    assert!(matches!(eval("{path: n, lt: 2}", "n: 1"), Outcome::Pass(_)));
    assert!(matches!(eval("{path: n, lte: 1.2}", "n: '1.2'"), Outcome::Pass(_)));
    assert_eq!(fails(&eval("{path: n, gt: 1}", "n: abc")), vec!["abc"]);
}

#[test]
fn absent_values_and_defaults() {
    // a value operator says nothing about an absent value...
    assert_eq!(eval("{path: a, equals: true}", "b: 1"), Outcome::Pass(None));
    // ...unless the rule states the default
    let o = eval("{path: a, equals: true, default: false}", "b: 1");
    match &o {
        Outcome::Fail(f) => {
            assert_eq!(f[0].span, HEADER);
            assert_eq!(f[0].value, "false");
        }
        _ => panic!("{o:?}"),
    }
}

#[test]
fn unknown_never_fails() {
    for a in [
        "{path: a, equals: true}",
        "{path: a, not_equals: true}",
        "{path: a, in: [x]}",
        "{path: a, matches: '^x$'}",
        "{path: a, gt: 1}",
        "{path: a, port_in: [443]}",
        "{path: a.b, equals: 1}",
        "{path: a.b, exists: true}",
        "{path: a.b, absent: true}",
        "{path: 'a[*]', equals: 1}",
        "{path: a, has_keys: [x]}",
        "{not: {path: a, equals: true}}",
    ] {
        assert_eq!(eval(a, "a: '?var.x'"), Outcome::Unknown, "{a}");
    }
    // one unknown element keeps the whole list unknown unless another element fails
    assert_eq!(eval("{path: 'a[*]', equals: 1}", "a: [1, '?var.x']"), Outcome::Unknown);
    assert_eq!(fails(&eval("{path: 'a[*]', equals: 1}", "a: [2, '?var.x']")), vec!["2"]);
}

#[test]
fn each_semantics() {
    let data = "containers:\n  - {name: app, image: 'nginx:1'}\n  - {name: side, image: 'envoy@sha256:ab'}\n";
    // every element must satisfy; every offending element is a failure
    assert_eq!(
        fails(&eval("{path: 'containers[*].image', matches: '@sha256:'}", data)),
        vec!["nginx:1"]
    );
    // `quantifier: any` needs one element
    assert!(matches!(
        eval(
            "{path: 'containers[*].image', matches: '@sha256:', quantifier: any}",
            data
        ),
        Outcome::Pass(_)
    ));
    // a key step over a list applies to each element (repeated blocks)
    assert_eq!(
        fails(&eval("{path: containers.image, matches: '@sha256:'}", data)),
        vec!["nginx:1"]
    );
    // each element's missing key is reported at that element
    let o = eval("{path: 'containers[*].resources', exists: true}", data);
    assert_eq!(fails(&o).len(), 2);
    // no elements: `all` holds vacuously
    assert!(matches!(eval("{path: 'c[*].x', equals: 1}", "c: []"), Outcome::Pass(_)));
    // index
    assert_eq!(fails(&eval("{path: 'a[1]', equals: 1}", "a: [1, 2]")), vec!["2"]);
    // `[*]` over a map visits its values
    assert_eq!(
        fails(&eval(
            "{path: 'labels[*]', matches: '^[a-z]+$'}",
            "labels: {a: ok, b: NO}"
        )),
        vec!["NO"]
    );
}

#[test]
fn combinators() {
    let data = "private_cluster_enabled: false\napi_server_access_profile:\n  - authorized_ip_ranges: []\n";
    let a = "any: [{path: private_cluster_enabled, equals: true}, {path: 'api_server_access_profile.authorized_ip_ranges[0]', exists: true}]";
    assert_eq!(fails(&eval(a, data)), vec!["false"]);
    let ok = "private_cluster_enabled: true\n";
    assert!(matches!(eval(a, ok), Outcome::Pass(_)));
    let all = "all: [{path: a, equals: 1}, {path: b, equals: 2}]";
    assert_eq!(fails(&eval(all, "a: 0\nb: 0")), vec!["0", "0"]);
    assert!(matches!(eval(all, "a: 1\nb: 2"), Outcome::Pass(_)));
    // not: fails at the value that satisfied the inner assertion
    assert_eq!(fails(&eval("not: {path: a, equals: Allow}", "a: Allow")), vec!["Allow"]);
    assert!(matches!(
        eval("not: {path: a, equals: Allow}", "a: Deny"),
        Outcome::Pass(_)
    ));
    // negating a value test on an absent value stays satisfied
    assert!(matches!(
        eval("not: {path: a, equals: Allow}", "b: 1"),
        Outcome::Pass(_)
    ));
    // but `not absent` is `exists`
    assert!(matches!(eval("not: {path: a, absent: true}", "b: 1"), Outcome::Fail(_)));
    // any with an unknown branch and a failing one is unknown
    assert_eq!(
        eval("any: [{path: a, equals: 1}, {path: b, equals: 1}]", "a: 0\nb: '?x'"),
        Outcome::Unknown
    );
}

#[test]
fn message_override() {
    let a = assertion::compile(&yaml_node("{all: [{path: a, equals: 1, message: 'inner {value}'}]}"), 0).unwrap();
    let s = settings();
    let o = a.eval(
        &yaml_node("a: 2"),
        &Env {
            settings: &s,
            header: HEADER,
            prod: true,
        },
    );
    match o {
        Outcome::Fail(f) => assert_eq!(f[0].message.as_deref(), Some("inner {value}")),
        o => panic!("{o:?}"),
    }
}

#[test]
fn ports() {
    assert!(matches!(
        eval("{path: p, port_in: $ports.external}", "p: 443"),
        Outcome::Pass(_)
    ));
    assert_eq!(
        fails(&eval("{path: p, port_in: $ports.external}", "p: '22'")),
        vec!["22"]
    );
    assert_eq!(fails(&eval("{path: p, port_in: $ports.external}", "p: '*'")), vec!["*"]);
    assert_eq!(
        fails(&eval("{path: p, port_in: $ports.external}", "p: '440-450'")),
        vec!["440-450"]
    );
    assert_eq!(
        fails(&eval("{path: p, port_in: [80, '440-450']}", "p: [443, 22, '81']")),
        vec!["22", "81"]
    );
    assert_eq!(eval("{path: p, port_in: [80]}", "p: http"), Outcome::Unknown);
}

#[test]
fn port_ranges_from_two_keys() {
    let range = "{path: rule.from_port, to: to_port, port_in: [80, 443]}";
    // both ends allowed, the ports between them are not
    assert_eq!(
        fails(&eval(range, "rule: {from_port: 80, to_port: 443}")),
        vec!["80-443"]
    );
    assert!(matches!(
        eval(range, "rule: {from_port: 443, to_port: 443}"),
        Outcome::Pass(_)
    ));
    // written backwards, still the same range
    assert_eq!(
        fails(&eval(range, "rule: {from_port: 443, to_port: 80}")),
        vec!["80-443"]
    );
    // no end: the start alone is tested
    assert_eq!(fails(&eval(range, "rule: {from_port: 22}")), vec!["22"]);
    assert_eq!(eval(range, "rule: {from_port: 22, to_port: UNKNOWN}"), Outcome::Unknown);
    assert!(compile_err("{path: p, to: q, equals: 1}").contains("`to` goes with `port_in`"));
    assert!(compile_err("{path: p, to: a.b, port_in: [443]}").contains("beside `path`"));
}

#[test]
fn has_keys() {
    let o = eval(
        "{path: tags, has_keys: $terraform.required_tags}",
        "tags: {environment: prod}",
    );
    match &o {
        Outcome::Fail(f) => assert_eq!(f[0].missing, "`owner`"),
        _ => panic!("{o:?}"),
    }
    // absent counts as empty, and points at the header
    match eval("{path: tags, has_keys: [team]}", "name: x") {
        Outcome::Fail(f) => assert_eq!(f[0].span, HEADER),
        o => panic!("{o:?}"),
    }
    assert!(matches!(
        eval("{path: tags, has_keys: [a]}", "tags: {a: 1}"),
        Outcome::Pass(_)
    ));
}

#[test]
fn compile_errors() {
    assert!(compile_err("{path: a, equal: 1}").contains("did you mean `equals`"));
    assert!(compile_err("{path: a, matches: '('}").contains("invalid regular expression"));
    assert!(compile_err("{path: a, equals: 1, in: [1]}").contains("exactly one operator"));
    assert!(compile_err("{equals: 1}").contains("without a `path`"));
    assert!(compile_err("{path: a}").contains("without an operator"));
    assert!(compile_err("{path: a, exists: false}").contains("absent"));
    assert!(compile_err("{path: a, port_in: $ports.public}").contains("unknown setting"));
    assert!(compile_err("{path: 'a[', equals: 1}").contains("unclosed"));
    assert!(compile_err("{all: []}").contains("non-empty"));
    assert!(compile_err("{all: [{path: a, exists: true}], path: b}").contains("cannot stand beside"));
    assert!(compile_err("{path: a, in: x}").contains("list"));
    assert!(compile_err("{path: a, quantifier: some, exists: true}").contains("quantifier"));
    // the span points at the offending key
    let node = yaml_node("{path: a, equal: 1}");
    let e = assertion::compile(&node, 0).unwrap_err();
    assert_eq!(node.entries()[1].key_span, e.span);
}

#[test]
fn templates() {
    assert!(check_template("`{path}` is `{value}`; allowed: {allowed}", Span::default()).is_ok());
    assert!(check_template("{nope}", Span::default()).is_err());
    assert!(check_template("{value", Span::default()).is_err());
    let f = assertion::Finding {
        span: Span::default(),
        path: "sku_tier".into(),
        value: "Free".into(),
        allowed: "Standard, Premium".into(),
        missing: String::new(),
        message: None,
    };
    assert_eq!(
        render_message(
            "{type} `{name}`: `{path}` is `{value}`; allowed: {allowed}",
            &f,
            "main",
            "azurerm_kubernetes_cluster",
            "TF107"
        ),
        "azurerm_kubernetes_cluster `main`: `sku_tier` is `Free`; allowed: Standard, Premium"
    );
}

#[test]
fn check_block_errors() {
    let text = "check:\n  target: nowhere.thing\n  assert: {path: a, exists: true}\n  message: x\n";
    let e = compile_check(yaml_node(text).get("check").unwrap()).unwrap_err();
    assert!(e.message.contains("unknown target"));
    assert_eq!(&text[e.span.start..e.span.end], "nowhere.thing");
    let text = "check:\n  targt: x\n";
    let e = compile_check(yaml_node(text).get("check").unwrap()).unwrap_err();
    assert!(e.message.contains("did you mean `target`"));
}

#[test]
fn each_element_as_root() {
    let nsg = r#"
security_rule:
  - {name: https, direction: Inbound, source_address_prefix: "*", destination_port_range: "443"}
  - {name: ssh, direction: Inbound, source_address_prefix: Internet, destination_port_range: "22"}
  - {name: mgmt, direction: Inbound, source_address_prefix: 10.0.0.0/8, destination_port_range: "3389"}
  - {name: out, direction: Outbound, source_address_prefix: "*", destination_port_range: "*"}
"#;
    let a = r#"
each: security_rule
where:
  all:
    - {path: direction, equals: inbound, ignore_case: true}
    - {path: source_address_prefix, in: ["*", Internet], ignore_case: true}
assert: {path: destination_port_range, port_in: $ports.external}
"#;
    assert_eq!(fails(&eval(a, nsg)), vec!["22"]);
    // no elements: holds
    assert!(matches!(eval(a, "name: x"), Outcome::Pass(_)));
    // unknown list: unknown
    assert_eq!(eval(a, "security_rule: '?local.rules'"), Outcome::Unknown);
    // an element whose filter is unknown makes the result unknown, not a finding
    let b =
        "security_rule:\n  - {direction: Inbound, source_address_prefix: '?var.src', destination_port_range: '22'}\n";
    assert_eq!(eval(a, b), Outcome::Unknown);
    assert!(compile_err("{each: a, asert: {path: a, exists: true}}").contains("did you mean `assert`"));
}

#[test]
fn prod_pseudo_path() {
    let a = assertion::compile(&yaml_node("{path: $prod, equals: true}"), 0).unwrap();
    let s = settings();
    let data = yaml_node("a: 1");
    assert!(matches!(
        a.eval(
            &data,
            &Env {
                settings: &s,
                header: HEADER,
                prod: true
            }
        ),
        Outcome::Pass(_)
    ));
    assert!(matches!(
        a.eval(
            &data,
            &Env {
                settings: &s,
                header: HEADER,
                prod: false
            }
        ),
        Outcome::Fail(_)
    ));
}

#[test]
fn internet_sources_and_ranges() {
    let open = "{path: src, internet: false}";
    assert_eq!(fails(&eval(open, "src: 10.0.0.0/0")), vec!["10.0.0.0/0"]);
    assert_eq!(fails(&eval(open, "src: Internet")), vec!["Internet"]);
    assert!(matches!(eval(open, "src: 10.0.0.0/8"), Outcome::Pass(_)));
    assert!(matches!(eval(open, "other: 1"), Outcome::Pass(None)));
    assert_eq!(eval(open, "src: ?var.cidr"), Outcome::Unknown);
    // as a filter: `internet: true` holds for the internet only
    assert!(matches!(
        eval("{path: src, internet: true}", "src: \"*\""),
        Outcome::Pass(_)
    ));
    assert!(matches!(
        eval("{path: src, internet: true}", "src: VirtualNetwork"),
        Outcome::Fail(_)
    ));

    let range = "{path: start, to: end, internet: false}";
    assert_eq!(
        fails(&eval(range, "{start: 1.0.0.0, end: 255.255.255.254}")),
        vec!["1.0.0.0\u{2013}255.255.255.254"]
    );
    assert!(matches!(
        eval(range, "{start: 0.0.0.0, end: 0.0.0.0}"),
        Outcome::Pass(_)
    ));
    assert!(matches!(
        eval(range, "{start: 203.0.113.1, end: 203.0.113.9}"),
        Outcome::Pass(_)
    ));
    assert_eq!(eval(range, "{start: 0.0.0.0, end: ?var.end}"), Outcome::Unknown);
    // without an end the start is one address
    assert!(matches!(eval(range, "{start: 0.0.0.0/0}"), Outcome::Fail(_)));

    assert!(compile_err("{path: src, internet: yes please}").contains("`true` or `false`"));
    assert!(compile_err("{path: src, to: end, equals: x}").contains("`to` goes with"));
}

#[test]
fn secret_names_are_read_like_every_other_name() {
    let secret = "{path: name, secret_name: true}";
    assert!(matches!(eval(secret, "name: DB_PASSWORD"), Outcome::Pass(_)));
    assert!(matches!(eval(secret, "name: storageAccountKey"), Outcome::Pass(_)));
    assert!(matches!(eval(secret, "name: TOKEN_URL"), Outcome::Fail(_)));
    assert!(matches!(eval(secret, "name: TOKENIZERS_PARALLELISM"), Outcome::Fail(_)));
    assert!(matches!(
        eval("{path: name, secret_name: false}", "name: LOG_LEVEL"),
        Outcome::Pass(_)
    ));
    assert!(compile_err("{path: name, secret_name: maybe}").contains("`true` or `false`"));
}
