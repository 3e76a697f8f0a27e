//! The engine against Go's and Helm's documented behaviour.

use super::*;

/// Render template `main` of `files` (name, text) with `values` as `.Values`; Helm's removal
/// of `<no value>` applied.
fn render(files: &[(&str, &str)], values: &str) -> Result<String, ExecError> {
    render_raw(files, values).map(|s| funcs::remove_no_value(&s).as_str().to_string())
}

fn render_raw(files: &[(&str, &str)], values: &str) -> Result<Str, ExecError> {
    let mut set = Set::default();
    for (i, (name, text)) in files.iter().enumerate() {
        set.sources.insert(i as u32, (*text).into());
        let tree = parse::parse(text).map_err(|e| ExecError {
            kind: ErrorKind::Syntax,
            message: e.message,
            at: Loc::new(i as u32, e.span.start, e.span.end),
            trace: Vec::new(),
        })?;
        set.add(name, i as u32, tree);
    }
    let stream = crate::lang::yaml::parse(values);
    let vals = match stream.documents.first() {
        Some(d) => yaml::from_node(&d.root, values, 99, 0),
        None => Val::map(Map::new()),
    };
    let mut root = Map::new();
    root.insert("Values".into(), vals);
    let mut release = Map::new();
    release.insert("Name".into(), Val::str("rel"));
    root.insert("Release".into(), Val::map(release));
    let mut ex = Exec::new(&set, &NoFiles);
    ex.render(files[0].0, Val::map(root))
}

fn ok(tpl: &str, values: &str) -> String {
    render(&[("main", tpl)], values).unwrap_or_else(|e| panic!("{tpl}: {e:?}"))
}

fn err(tpl: &str, values: &str) -> ExecError {
    render(&[("main", tpl)], values).expect_err(tpl)
}

#[test]
fn trimming_and_whitespace() {
    assert_eq!(ok("a\n  {{- \"b\" -}}\n  c", ""), "abc");
    assert_eq!(ok("a\n{{- /* gone */}}\nb", ""), "a\nb");
    assert_eq!(ok("x: {{ 1 }}\n{{- if true }}\ny: 2\n{{- end }}\n", ""), "x: 1\ny: 2\n");
}

#[test]
fn variables_pipelines_and_parentheses() {
    assert_eq!(ok("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", ""), "2");
    assert_eq!(ok("{{ \"a\" | printf \"%s-%s\" \"b\" }}", ""), "b-a");
    assert_eq!(ok("{{ (printf \"%d\" 3) | len }}", ""), "1");
    assert_eq!(ok("{{ $v := .Values.m }}{{ $v.k }}", "m: {k: val}"), "val");
    // a variable set inside `if` is seen after it when assigned, not when declared
    assert_eq!(ok("{{ $x := 1 }}{{ if true }}{{ $x = 5 }}{{ end }}{{ $x }}", ""), "5");
}

#[test]
fn conditionals() {
    let t = "{{ if eq .Values.n 1.0 }}one{{ else if gt .Values.n 1.0 }}many{{ else }}none{{ end }}";
    assert_eq!(ok(t, "n: 1"), "one");
    assert_eq!(ok(t, "n: 3"), "many");
    assert_eq!(ok(t, "n: 0"), "none");
    assert_eq!(
        ok("{{ with .Values.a }}{{ .b }}{{ else }}no{{ end }}", "a: {b: x}"),
        "x"
    );
    assert_eq!(ok("{{ with .Values.a }}{{ .b }}{{ else }}no{{ end }}", ""), "no");
    assert_eq!(
        ok(
            "{{ with $v := .Values.a }}{{ $v.b }}{{ else with .Values.c }}c{{ end }}",
            "c: 1"
        ),
        "c"
    );
    assert_eq!(
        ok("{{ if and .Values.a (not .Values.b) }}y{{ end }}", "a: true\nb: false"),
        "y"
    );
    // `and`/`or` return an argument, and stop at the first one that decides
    assert_eq!(ok("{{ or .Values.x \"dflt\" }}", ""), "dflt");
    assert_eq!(ok("{{ and 1 0 }}", ""), "0");
    assert_eq!(ok("{{ or 1 (fail \"not evaluated\") }}", ""), "1");
}

#[test]
fn range_forms() {
    assert_eq!(ok("{{ range .Values.l }}[{{ . }}]{{ end }}", "l: [a, b]"), "[a][b]");
    assert_eq!(
        ok(
            "{{ range $i, $v := .Values.l }}{{ $i }}={{ $v }} {{ end }}",
            "l: [a, b]"
        ),
        "0=a 1=b "
    );
    assert_eq!(
        ok(
            "{{ range $k, $v := .Values.m }}{{ $k }}:{{ $v }},{{ end }}",
            "m: {b: 2, a: 1}"
        ),
        "a:1,b:2,"
    );
    assert_eq!(ok("{{ range .Values.none }}x{{ else }}empty{{ end }}", ""), "empty");
    assert_eq!(
        ok(
            "{{ range .Values.l }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}",
            "l: [a, b, c]"
        ),
        "a"
    );
    assert_eq!(
        ok(
            "{{ range .Values.l }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}",
            "l: [a, b, c]"
        ),
        "ac"
    );
    assert_eq!(ok("{{ range 3 }}{{ . }}{{ end }}", ""), "012");
    assert_eq!(ok("{{ range $v := until 2 }}{{ $v }}{{ end }}", ""), "01");
    let e = err("{{ range .Values.s }}{{ end }}", "s: text");
    assert!(e.message.starts_with("range can't iterate over"), "{}", e.message);
}

#[test]
fn define_template_block_include() {
    let files = [
        (
            "main",
            "{{ template \"t\" .Values }}|{{ include \"t\" .Values | upper }}|{{ block \"b\" . }}default{{ end }}",
        ),
        ("_helpers.tpl", "{{ define \"t\" }}{{ .name }}{{ end }}"),
    ];
    assert_eq!(render(&files, "name: api").unwrap(), "api|API|default");
    let over = [
        ("main", "{{ block \"b\" . }}default{{ end }}"),
        ("other", "{{ define \"b\" }}overridden{{ end }}"),
    ];
    assert_eq!(render(&over, "").unwrap(), "overridden");
    let missing = render(&[("main", "{{ include \"nope\" . }}")], "").unwrap_err();
    assert_eq!(missing.kind, ErrorKind::MissingTemplate);
    let deep = render(
        &[(
            "main",
            "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
        )],
        "",
    )
    .unwrap_err();
    assert_eq!(deep.kind, ErrorKind::Budget);
}

#[test]
fn missing_keys_follow_helm() {
    // a missing value prints `<no value>`, which Helm removes
    assert_eq!(
        render_raw(&[("main", "[{{ .Values.missing }}]")], "").unwrap().as_str(),
        "[<no value>]"
    );
    assert_eq!(ok("[{{ .Values.missing }}]", ""), "[]");
    // a field of a missing map inside one chain is an error
    let e = err("{{ .Values.a.b }}", "");
    assert_eq!(e.message, "nil pointer evaluating `.Values.a.b`");
    let e = err("{{ .Values.a.b }}", "a: null");
    assert_eq!(e.message, "nil pointer evaluating `.Values.a.b`");
    let e = err("{{ $v := .Values }}{{ $v.a.b.c }}", "");
    assert_eq!(e.message, "nil pointer evaluating `$v.a.b`");
    let e = err("{{ (index .Values \"x-y\").a.b }}", "x-y: {z: 1}");
    assert_eq!(e.message, "nil pointer evaluating `(index .Values \"x-y\").a.b`");
    // once the value left a pipeline it is "no value", and its fields are too
    assert_eq!(ok("{{ $a := .Values.a }}[{{ $a.b }}]", ""), "[]");
    assert_eq!(ok("[{{ (.Values.a).b }}]", ""), "[]");
    // `index` and `get` of missing keys
    assert_eq!(ok("[{{ index .Values \"a-b\" }}]", ""), "[]");
    assert_eq!(ok("[{{ get .Values \"x\" }}]", ""), "[]");
    assert_eq!(ok("{{ if .Values.x }}y{{ else }}n{{ end }}", ""), "n");
}

#[test]
fn numbers_from_values_are_float64() {
    assert_eq!(
        ok(
            "{{ .Values.a }} {{ .Values.b }} {{ .Values.c }} {{ .Values.d }}",
            "a: 1\nb: 1.0\nc: 1e3\nd: 1000000"
        ),
        "1 1 1000 1e+06"
    );
    assert_eq!(
        ok("{{ typeOf .Values.a }} {{ typeOf 1 }} {{ typeOf (add 1 1) }}", "a: 1"),
        "float64 int int64"
    );
    // toYaml goes through JSON: integral floats print as integers
    assert_eq!(ok("{{ toYaml .Values }}", "d: 1000000\ne: 1.5"), "d: 1000000\ne: 1.5");
    assert_eq!(
        ok("{{ .Values.p | int }} {{ printf \"%d\" .Values.p }}", "p: 8080"),
        "8080 %!d(float64=8080)"
    );
    // an int and a float do not compare
    let e = err("{{ if eq .Values.n 1 }}{{ end }}", "n: 1");
    assert_eq!(e.message, "`eq`: incompatible types for comparison");
    assert_eq!(ok("{{ if gt (int .Values.n) 1 }}y{{ end }}", "n: 3"), "y");
    assert_eq!(ok("{{ .Values.n | quote }}", "n: 1000000"), "\"1e+06\"");
}

#[test]
fn default_empty_and_friends() {
    assert_eq!(
        ok(
            "{{ .Values.f | default \"x\" }} {{ .Values.z | default 5 }} {{ .Values.t | default \"x\" }}",
            "f: false\nz: 0\nt: true"
        ),
        "x 5 true"
    );
    assert_eq!(ok("{{ coalesce .Values.a .Values.b \"c\" }}", "b: \"\""), "c");
    assert_eq!(ok("{{ ternary \"y\" \"n\" (empty .Values.l) }}", "l: []"), "y");
    assert_eq!(ok("{{ .Values.s | required \"need s\" }}", "s: v"), "v");
    let e = err("{{ .Values.s | required \"set .Values.s\" }}", "");
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Required, "set .Values.s"));
    let e = err("{{ fail \"unsupported mode\" }}", "");
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Fail, "unsupported mode"));
}

#[test]
fn strings_and_types_are_checked_like_go() {
    assert_eq!(
        ok("{{ .Values.n | trunc 5 | trimSuffix \"-\" }}", "n: abcd-efgh"),
        "abcd"
    );
    let e = err("{{ .Values.port | trunc 5 }}", "port: 80");
    assert!(e.message.contains("expected string; got float64"), "{}", e.message);
    let e = err("{{ .Values.missing | upper }}", "");
    assert!(e.message.contains("invalid value; expected string"), "{}", e.message);
    assert_eq!(ok("{{ \"a\\nb\" | nindent 2 }}", ""), "\n  a\n  b");
    assert_eq!(ok("{{ list 1 \"a\" | toJson }}", ""), "[1,\"a\"]");
    assert_eq!(ok("{{ dict \"b\" 1 \"a\" (list) | toYaml }}", ""), "a: []\nb: 1");
    assert_eq!(ok("{{ $d := dict }}{{ $_ := set $d \"k\" \"v\" }}{{ $d.k }}", ""), "v");
    assert_eq!(ok("{{ regexReplaceAll \"[^a-z]\" \"a1b2\" \"-\" }}", ""), "a-b-");
    assert_eq!(ok("{{ semverCompare \">=1.19-0\" \"v1.31.0\" }}", ""), "true");
    assert_eq!(ok("{{ \"hello\" | sha256sum | trunc 8 }}", ""), "2cf24dba");
}

#[test]
fn unknown_functions_fail_where_called() {
    let e = err("ok\n{{ nosuchfn 1 }}", "");
    assert_eq!(e.kind, ErrorKind::UndefinedFunction);
    assert_eq!(e.at, Loc::new(0, 6, 14));
    let e = err("{{ encryptAES \"k\" \"p\" }}", "");
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert_eq!(e.message, "function `encryptAES` is not supported by linea's renderer");
    // a template that does not call it renders
    assert_eq!(ok("{{ if false }}{{ nosuchfn }}{{ end }}fine", ""), "fine");
}

#[test]
fn tpl_renders_values_with_the_charts_defines() {
    let files = [
        ("main", "{{ tpl .Values.msg . }}"),
        ("_h.tpl", "{{ define \"name\" }}svc-{{ .Release.Name }}{{ end }}"),
    ];
    assert_eq!(
        render(
            &files,
            "msg: \"{{ include \\\"name\\\" . }}:{{ .Values.port }}\"\nport: 80"
        )
        .unwrap(),
        "svc-rel:80"
    );
    let e = render(&[("main", "{{ tpl \"{{ .x\" . }}")], "").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
}

#[test]
fn origins_point_at_template_text_and_values() {
    let tpl = "kind: Pod\nimage: {{ .Values.image }}\n";
    let values = "image: nginx:latest\n";
    let out = render_raw(&[("main", tpl)], values).unwrap();
    let text = out.as_str();
    let at = text.find("nginx").unwrap();
    let seg = out
        .segs()
        .iter()
        .find(|g| g.start as usize <= at && at < g.end as usize)
        .unwrap();
    // the action that printed it, and the values entry
    assert_eq!(seg.origin.at, Some(Loc::new(0, 17, 36)));
    assert_eq!(seg.origin.value, Some(Loc::new(99, 7, 19)));
    // template text maps byte for byte
    let kind = out.segs().iter().find(|g| g.start == 0).unwrap();
    assert!(kind.origin.linear);
    assert_eq!(kind.origin.at, Some(Loc::new(0, 0, 17)));
}

/// What a function makes of a string comes from where the string came from: a values entry
/// (through `b64enc` too), text written by hand (a literal, template text), a random
/// generator (`randAlphaNum`), or nothing but the template's computing (the release name).
#[test]
fn origins_tell_written_bytes_from_computed_ones() {
    let tpl = "a: {{ randAlphaNum 8 | b64enc }}
b: {{ .Values.pw | b64enc }}
c: {{ \"hunter2\" | b64enc }}
d: {{ .Values.missing | default \"changeme\" | b64enc | quote }}
e: {{ printf \"user:%s\" (randAlphaNum 8) | b64enc }}
f: {{ htpasswd .Values.user (randAlphaNum 8) | b64enc }}
g: {{ htpasswd \"admin\" .Values.pw }}
h: {{ printf \"%s-%s\" .Values.user .Values.pw | sha256sum }}
i: {{ .Release.Name | upper | b64enc }}
j: {{ (genCAWithKey \"x\" 1 .Values.key).Key | b64enc }}
k: {{ (printf \"p: %s\" (randAlphaNum 4) | fromYaml).p | b64enc }}
l: {{ (\"p: hunter2\" | fromYaml).p | b64enc }}
m: {{ dict \"p\" \"hunter2\" | toJson | b64enc }}
";
    let values = "pw: s3cr3t\nuser: admin\nkey: \"-----BEGIN RSA PRIVATE KEY-----\"\n";
    let out = render_raw(&[("main", tpl)], values).unwrap();
    let origin = |line: &str| {
        let prefix = if line == "d" { "d: \"" } else { &format!("{line}: ") };
        let at = out.as_str().find(prefix).unwrap() + prefix.len();
        let seg = out
            .segs()
            .iter()
            .find(|g| g.start as usize <= at && at < g.end as usize);
        seg.map(|g| g.origin).unwrap_or_default()
    };
    let computed = |o: Origin| !o.linear && o.value.is_none() && !o.literal;
    assert!(computed(origin("a")) && origin("a").generated, "{:?}", origin("a"));
    assert_eq!(origin("b").value, Some(Loc::new(99, 4, 10)));
    assert!(origin("c").literal && origin("c").value.is_none());
    assert!(origin("d").literal);
    // a random part makes the whole generated
    assert!(origin("e").generated);
    // a hash is the password's, whoever the user
    assert!(origin("f").generated);
    assert_eq!(origin("g").value, Some(Loc::new(99, 4, 10)));
    // several values entries: written, though by no one line
    assert!(origin("h").literal && origin("h").value.is_none());
    // computed, though not at random
    assert!(computed(origin("i")) && !origin("i").generated);
    assert!(origin("j").value.is_some());
    // through `fromYaml` and `toJson`
    assert!(origin("k").generated);
    assert!(origin("l").literal);
    assert!(origin("m").literal);
}

#[test]
fn origins_survive_include_and_to_yaml() {
    let files = [
        (
            "main",
            "spec:\n  securityContext:\n    {{- include \"sc\" . | nindent 4 }}\n",
        ),
        (
            "_h.tpl",
            "{{ define \"sc\" }}{{ toYaml .Values.securityContext }}{{ end }}",
        ),
    ];
    let values = "securityContext:\n  privileged: true\n";
    let out = render_raw(&files, values).unwrap();
    assert_eq!(out.as_str(), "spec:\n  securityContext:\n    privileged: true\n");
    let at = out.as_str().find("true").unwrap();
    let seg = out
        .segs()
        .iter()
        .find(|g| g.start as usize <= at && at < g.end as usize)
        .unwrap();
    assert_eq!(seg.origin.value, Some(Loc::new(99, 31, 35)));
    // written by the helper's action, emitted through the include in the top template
    assert_eq!(seg.origin.at.map(|a| a.file), Some(1));
    assert_eq!(seg.origin.via.map(|a| a.file), Some(0));
}

#[test]
fn a_chart_shaped_template() {
    let files = [
        (
            "chart/templates/deployment.yaml",
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          {{- with .Values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            {{- range .Values.ports }}
            - containerPort: {{ .port }}
              name: {{ .name | quote }}
            {{- end }}
"#,
        ),
        (
            "chart/templates/_helpers.tpl",
            r#"{{/* Expand the name of the chart. */}}
{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.fullname" -}}
{{- printf "%s-%s" .Release.Name (include "app.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.labels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
"#,
        ),
    ];
    let mut set = Set::default();
    for (i, (name, text)) in files.iter().enumerate() {
        set.sources.insert(i as u32, (*text).into());
        set.add(name, i as u32, parse::parse(text).unwrap());
    }
    let values = "replicaCount: 2\nimage:\n  repository: nginx\n  tag: \"\"\nresources:\n  limits:\n    cpu: 100m\nports:\n  - name: http\n    port: 80\n";
    let stream = crate::lang::yaml::parse(values);
    let mut root = Map::new();
    root.insert(
        "Values".into(),
        yaml::from_node(&stream.documents[0].root, values, 9, 0),
    );
    let mut chart = Map::new();
    chart.insert("Name".into(), Val::str("web"));
    chart.insert("AppVersion".into(), Val::str("1.25"));
    root.insert("Chart".into(), Val::map(chart));
    let mut release = Map::new();
    release.insert("Name".into(), Val::str("prod"));
    root.insert("Release".into(), Val::map(release));
    let mut ex = Exec::new(&set, &NoFiles);
    let out = ex.render(files[0].0, Val::map(root)).unwrap();
    assert_eq!(
        out.as_str(),
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: prod-web
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: prod
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: "nginx:1.25"
          resources:
            limits:
              cpu: 100m
          ports:
            - containerPort: 80
              name: "http"
"#
    );
}

#[test]
fn the_registry_answers_from_the_dispatch() {
    assert!(funcs::is_implemented("include"));
    assert!(funcs::is_implemented("and"));
    assert!(funcs::is_implemented("genCA"));
    assert!(funcs::is_implemented("htpasswd"));
    assert!(!funcs::is_implemented("encryptAES"));
    assert!(!funcs::is_implemented("nosuchfn"));
    // every name is listed once
    let mut names = funcs::known().to_vec();
    names.sort_unstable();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n);
}

/// Sprig's `genCA`, `genSelfSignedCert`, `genSignedCert`: a `certificate` with `.Cert` and
/// `.Key` PEM blocks (placeholders of that shape: see funcs/certs.rs); Bitnami's TLS secrets.
#[test]
fn certificates_have_sprigs_shape() {
    let t = "{{ $ca := genCA \"shop-ca\" 365 }}{{ $c := genSignedCert \"shop\" nil (list \"shop.svc\") 365 $ca }}{{ $c.Cert }}|{{ $c.Key }}|{{ $ca.Cert }}";
    let out = ok(t, "");
    let parts: Vec<&str> = out.split('|').collect();
    assert_eq!(parts.len(), 3, "{out}");
    assert!(parts[0].starts_with("-----BEGIN CERTIFICATE-----\n") && parts[0].ends_with("-----END CERTIFICATE-----\n"));
    assert!(parts[1].starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert_ne!(parts[0], parts[2], "each call gives its own certificate");
    assert!(parts[0].lines().all(|l| l.len() <= 64));
    // the same on every run
    assert_eq!(ok(t, ""), out);
    // b64enc of it is what a Secret's data holds
    assert!(ok("{{ (genCA \"x\" 1).Cert | b64enc }}", "").starts_with("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"));
    let self_signed = ok("{{ (genSelfSignedCert \"x\" (list \"10.0.0.1\") nil 30).Cert }}", "");
    assert!(self_signed.starts_with("-----BEGIN CERTIFICATE-----"));
    // Sprig's argument checks
    assert_eq!(
        err("{{ genSelfSignedCert \"x\" (list \"nope\") nil 30 }}", "").message,
        "`genSelfSignedCert`: error parsing ip: nope"
    );
    assert!(err("{{ genSignedCert \"x\" nil nil 30 \"ca\" }}", "")
        .message
        .contains("expected sprig.certificate"));
    assert!(err("{{ genCA \"x\" \"365\" }}", "").message.contains("expected int"));
    assert!(err("{{ genCA \"x\" }}", "")
        .message
        .contains("wrong number of args for genCA: want 2 got 1"));
    // WithKey keeps the key it is given
    let key = "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n";
    assert_eq!(
        ok("{{ (genCAWithKey \"x\" 1 .Values.k).Key }}", &format!("k: {key:?}")),
        key
    );
}

/// Sprig's `htpasswd user password` (and `bcrypt password`): `user:` and a bcrypt hash of
/// Go's cost, `$2a$10$` and 53 characters of bcrypt's alphabet. Sprig salts it at random; here
/// it is a digest of the password, the same on every run (Bitnami's argo-cd admin password).
#[test]
fn htpasswd_gives_a_bcrypt_line() {
    let line = ok("{{ htpasswd \"admin\" \"s3cret\" }}", "");
    let hash = line.strip_prefix("admin:$2a$10$").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(hash.len(), 53, "{line}");
    assert!(
        hash.bytes()
            .all(|b| b == b'.' || b == b'/' || b.is_ascii_alphanumeric()),
        "{line}"
    );
    assert_eq!(ok("{{ htpasswd \"admin\" \"s3cret\" }}", ""), line);
    assert_ne!(ok("{{ htpasswd \"admin\" \"other\" }}", ""), line);
    assert_eq!(ok("{{ bcrypt \"s3cret\" }}", ""), line["admin:".len()..]);
    // Bitnami's argo-cd: the hash alone
    assert_eq!(
        ok("{{ (split \":\" (htpasswd \"\" \"s3cret\"))._1 }}", ""),
        line["admin:".len()..]
    );
    assert_eq!(ok("{{ htpasswd \"a:b\" \"p\" }}", ""), "invalid username: a:b");
    assert_eq!(
        ok(&format!("{{{{ bcrypt \"{}\" }}}}", "x".repeat(73)), ""),
        "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
    );
    assert!(err("{{ htpasswd \"u\" }}", "")
        .message
        .contains("wrong number of args for htpasswd: want 2 got 1"));
    assert!(err("{{ htpasswd \"u\" 1 }}", "").message.contains("expected string"));
}

#[test]
fn private_keys_and_custom_certificates() {
    assert!(ok("{{ genPrivateKey \"ecdsa\" }}", "").starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    assert!(ok("{{ genPrivateKey \"rsa\" }}", "").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert!(ok("{{ genPrivateKey \"ed25519\" }}", "").starts_with("-----BEGIN PRIVATE KEY-----\n"));
    // Sprig returns the message as the key
    assert_eq!(ok("{{ genPrivateKey \"foo\" }}", ""), "Unknown type foo");
    let cert = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let key = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    let t = "{{ $c := buildCustomCert (.Values.c | b64enc) (.Values.k | b64enc) }}{{ $c.Cert }}{{ $c.Key }}";
    assert_eq!(ok(t, &format!("c: {cert:?}\nk: {key:?}")), format!("{cert}{key}"));
    assert!(err("{{ buildCustomCert \"!!\" \"\" }}", "")
        .message
        .contains("unable to decode base64 certificate"));
    assert!(err("{{ buildCustomCert (\"x\" | b64enc) (\"y\" | b64enc) }}", "")
        .message
        .contains("unable to decode certificate"));
}

/// Sprig's dates: `now` is fixed (2024-01-01T00:00:00Z); `date_in_zone` is `dateInZone`'s
/// older name.
#[test]
fn dates_are_fixed_and_formatted_by_go_layouts() {
    assert_eq!(ok("{{ now | date \"2006-01-02\" }}", ""), "2024-01-01");
    assert_eq!(
        ok("{{ dateInZone \"2006-01-02T15:04\" now \"UTC\" }}", ""),
        "2024-01-01T00:00"
    );
    assert_eq!(
        ok("{{ date_in_zone \"2006-01-02T15:04\" now \"UTC\" }}", ""),
        "2024-01-01T00:00"
    );
}
