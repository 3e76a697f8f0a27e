//! Charts rendered from memory: environments, subcharts, partials, `.Files`, failures.

use super::*;

const CHART: &str = "apiVersion: v2\nname: shop\nversion: 1.2.0\nappVersion: \"2.0\"\n";

const HELPERS: &str = r#"{{- define "shop.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end }}
"#;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" . }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
"#;

fn settings() -> Settings {
    Settings::default()
}

fn render_mem(files: &[(&str, &str)]) -> ChartRender {
    let fs = MemFs::new(files);
    render(&fs, Path::new("shop"), &settings()).expect("a chart")
}

fn output<'a>(r: &'a ChartRender, rendering: &str, template: &str) -> &'a Output {
    r.outputs
        .iter()
        .find(|o| r.renderings[o.rendering].name == rendering && o.name.ends_with(template))
        .unwrap_or_else(|| panic!("no {template} for {rendering}: {:?}", r.problems))
}

fn origin_of<'a>(o: &'a Output, needle: &str) -> &'a Seg {
    let at = o
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {}", o.text));
    o.segs
        .iter()
        .find(|g| g.start as usize <= at && at < g.end as usize)
        .expect("an origin")
}

fn path_of(r: &ChartRender, loc: Option<Loc>) -> String {
    loc.map(|l| crate::source::display_path(&r.files[l.file as usize]))
        .unwrap_or_default()
}

#[test]
fn renders_templates_but_not_partials_or_notes() {
    let r = render_mem(&[
        ("shop/Chart.yaml", CHART),
        (
            "shop/values.yaml",
            "replicas: 1\nimage: {repository: nginx, tag: \"\"}\nsecurityContext: {runAsNonRoot: true}\n",
        ),
        ("shop/templates/_helpers.tpl", HELPERS),
        ("shop/templates/deployment.yaml", DEPLOYMENT),
        ("shop/templates/NOTES.txt", "Installed {{ .Release.Name }}"),
    ]);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.renderings.len(), 1);
    assert_eq!(r.outputs.len(), 1);
    let o = output(&r, "default", "templates/deployment.yaml");
    assert!(o.text.contains("name: release-name-shop\n"), "{}", o.text);
    assert!(o.text.contains("image: \"nginx:2.0\"\n"));
    assert!(o.text.contains("securityContext:\n            runAsNonRoot: true\n"));
    assert_eq!(o.name, "shop/templates/deployment.yaml");
}

#[test]
fn each_environment_renders_with_its_values_on_top() {
    let r = render_mem(&[
        ("shop/Chart.yaml", CHART),
        (
            "shop/values.yaml",
            "replicas: 1\nimage: {repository: nginx, tag: \"1.0\"}\nsecurityContext: {}\n",
        ),
        (
            "shop/values-prod.yaml",
            "replicas: 3\nsecurityContext:\n  privileged: true\n",
        ),
        ("shop/values-dev.yaml", "image: {tag: dev}\n"),
        ("shop/values-openshift.yaml", "replicas: 9\n"),
        ("shop/templates/_helpers.tpl", HELPERS),
        ("shop/templates/deployment.yaml", DEPLOYMENT),
    ]);
    let names: Vec<&str> = r.renderings.iter().map(|x| x.name.as_str()).collect();
    // `openshift` names no environment: not a rendering of its own
    assert_eq!(names, ["dev", "prod"]);
    assert_eq!(r.renderings[1].environment, Environment::Prod);
    let prod = output(&r, "prod", "deployment.yaml");
    assert!(prod.text.contains("replicas: 3\n"));
    let seg = origin_of(prod, "true");
    assert_eq!(path_of(&r, seg.origin.value), "shop/values-prod.yaml");
    assert_eq!(path_of(&r, seg.origin.at), "shop/templates/deployment.yaml");
    let dev = output(&r, "dev", "deployment.yaml");
    assert!(dev.text.contains("replicas: 1\n") && dev.text.contains("nginx:dev"));
    assert_eq!(
        path_of(&r, origin_of(dev, "dev\"").origin.value),
        "shop/values-dev.yaml"
    );
}

#[test]
fn environment_directories_and_values_beside_the_chart() {
    let fs = MemFs::new(&[
        ("deploy/shop/Chart.yaml", CHART),
        (
            "deploy/shop/templates/cm.yaml",
            "kind: ConfigMap\ndata: {env: {{ .Values.env }}}\n",
        ),
        ("deploy/shop/prod/values.yaml", "env: production\n"),
        ("deploy/values-staging.yaml", "env: staging\n"),
    ]);
    let r = render(&fs, Path::new("deploy/shop"), &settings()).unwrap();
    let names: Vec<&str> = r.renderings.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["prod", "staging"]);
    assert!(r.outputs[0].text.contains("env: production"));
}

#[test]
fn subcharts_get_their_scope_and_globals_and_conditions_apply() {
    let files = [
        (
            "shop/Chart.yaml",
            "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: cache\n    version: 1.x\n    condition: cache.enabled\n  - name: db\n    version: 1.x\n    alias: postgres\n",
        ),
        ("shop/values.yaml", "global: {team: payments}\ncache: {enabled: true, size: 3}\npostgres: {port: 5433}\n"),
        (
            "shop/templates/cm.yaml",
            "kind: ConfigMap\ndata: {size: \"{{ .Values.cache.size }}\", db: \"{{ (index .Subcharts \"postgres\").Values.port }}\"}\n",
        ),
        ("shop/charts/cache/Chart.yaml", "apiVersion: v2\nname: cache\nversion: 1.0.0\n"),
        ("shop/charts/cache/values.yaml", "size: 1\nglobal: {team: none, region: eu}\n"),
        (
            "shop/charts/cache/templates/sts.yaml",
            "kind: StatefulSet\nmetadata: {name: {{ .Chart.Name }}, labels: {team: {{ .Values.global.team }}, region: {{ .Values.global.region }}}}\nspec: {replicas: {{ .Values.size }}}\n",
        ),
        ("shop/charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 1.0.0\n"),
        ("shop/charts/db/values.yaml", "port: 5432\n"),
        ("shop/charts/db/templates/svc.yaml", "kind: Service\nspec: {port: {{ .Values.port }}, base: {{ .Template.BasePath }}}\n"),
    ];
    let r = render_mem(&files);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let sts = output(&r, "default", "cache/templates/sts.yaml");
    assert!(sts.text.contains("team: payments, region: eu"), "{}", sts.text);
    assert!(sts.text.contains("replicas: 3"));
    assert_eq!(path_of(&r, origin_of(sts, "3").origin.value), "shop/values.yaml");
    let cm = output(&r, "default", "shop/templates/cm.yaml");
    assert!(cm.text.contains("db: \"5433\""), "{}", cm.text);
    let svc = output(&r, "default", "postgres/templates/svc.yaml");
    assert!(
        svc.text.contains("port: 5433, base: shop/charts/postgres/templates"),
        "{}",
        svc.text
    );
    // disabled by its condition
    let mut off = files.to_vec();
    off[1] = ("shop/values.yaml", "cache: {enabled: false}\n");
    let r = render_mem(&off);
    assert!(!r.outputs.iter().any(|o| o.name.contains("cache/")));
}

#[test]
fn a_template_that_fails_is_a_problem_and_the_others_render() {
    let r = render_mem(&[
        ("shop/Chart.yaml", CHART),
        ("shop/values.yaml", "image: {}\n"),
        (
            "shop/templates/a.yaml",
            "kind: ConfigMap\nimage: {{ required \"image.repository is required\" .Values.image.repository }}\n",
        ),
        ("shop/templates/b.yaml", "kind: Secret\n"),
        ("shop/templates/c.yaml", "kind: X\n{{ encryptAES \"a\" \"b\" }}\n"),
    ]);
    assert_eq!(r.outputs.len(), 1);
    assert_eq!(r.problems.len(), 2);
    let p = &r.problems[0];
    assert_eq!(p.message, "required value missing: image.repository is required");
    assert!(p.help.as_deref().unwrap_or("").contains("`[helm] values`"));
    assert_eq!(&r.texts[p.file as usize][p.span.start..p.span.end], "required");
    assert_eq!(
        r.problems[1].message,
        "function `encryptAES` is not supported by linea's renderer"
    );
}

#[test]
fn a_broken_helper_is_reported_once() {
    let r = render_mem(&[
        ("shop/Chart.yaml", CHART),
        (
            "shop/templates/_helpers.tpl",
            "{{- define \"shop.name\" }}{{ .Chart.Name {{ end }}",
        ),
        ("shop/templates/a.yaml", "name: {{ include \"shop.name\" . }}\n"),
    ]);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(r.problems[0].message.starts_with("template syntax:"));
}

#[test]
fn files_keep_pointing_at_the_data_file() {
    let r = render_mem(&[
        ("shop/Chart.yaml", CHART),
        ("shop/config/app.conf", "listen 8080;\nworkers 4;\n"),
        ("shop/.helmignore", "*.bak\n"),
        ("shop/config/old.bak", "nope"),
        (
            "shop/templates/cm.yaml",
            "kind: ConfigMap\ndata:\n  app.conf: |\n    {{- .Files.Get \"config/app.conf\" | nindent 4 }}\n  n: \"{{ len (.Files.Glob \"config/*\").AsConfig }}\"\n",
        ),
    ]);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let o = &r.outputs[0];
    let seg = origin_of(o, "workers");
    assert_eq!(path_of(&r, seg.origin.at), "shop/config/app.conf");
    assert!(seg.origin.linear);
    assert_eq!(seg.origin.at.map(|a| a.start), Some(13));
}

#[test]
fn library_charts_render_nothing() {
    let r = render_mem(&[
        (
            "shop/Chart.yaml",
            "apiVersion: v2\nname: common\ntype: library\nversion: 1.0.0\n",
        ),
        ("shop/templates/_names.tpl", "{{ define \"x\" }}{{ end }}"),
    ]);
    assert!(r.outputs.is_empty() && r.problems.is_empty());
}

const COMMON_CHART: &str = "apiVersion: v2\nname: common\ntype: library\nversion: 2.31.4\n";
const COMMON_NAMES: &str = r#"{{- define "common.names.fullname" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end }}
"#;
const USES_COMMON: &str =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"common.names.fullname\" . }}\n";

#[test]
fn a_dependency_not_unpacked_is_the_chart_of_its_name_next_to_it() {
    // a repository of charts published to a registry, each depending on `common` from it
    let chart = "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: common\n    repository: oci://registry-1.docker.io/bitnamicharts\n    version: 2.x.x\n";
    let r = render_mem(&[
        ("shop/Chart.yaml", chart),
        ("shop/templates/service.yaml", USES_COMMON),
        ("common/Chart.yaml", COMMON_CHART),
        ("common/templates/_names.tpl", COMMON_NAMES),
    ]);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let o = output(&r, "default", "templates/service.yaml");
    assert!(o.text.contains("name: release-name-shop\n"), "{}", o.text);
    // the helper's bytes point at the sibling chart's file, which exists
    assert_eq!(
        path_of(&r, origin_of(o, "release-name-shop").origin.at),
        "common/templates/_names.tpl"
    );
}

#[test]
fn a_sibling_chart_outside_the_version_constraint_is_not_used() {
    let chart = "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: common\n    repository: oci://registry-1.docker.io/bitnamicharts\n    version: 1.x.x\n";
    let r = render_mem(&[
        ("shop/Chart.yaml", chart),
        ("shop/templates/service.yaml", USES_COMMON),
        ("common/Chart.yaml", COMMON_CHART),
        ("common/templates/_names.tpl", COMMON_NAMES),
    ]);
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(
        r.problems[0].message.contains("common.names.fullname"),
        "{:?}",
        r.problems
    );
    assert!(
        r.problems[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("`common` 1.x.x: `../common` is 2.31.4"),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_file_repository_names_the_dependency_directory() {
    let chart = "apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: common\n    repository: file://../libs/common\n";
    let r = render_mem(&[
        ("shop/Chart.yaml", chart),
        ("shop/templates/service.yaml", USES_COMMON),
        ("libs/common/Chart.yaml", COMMON_CHART),
        ("libs/common/templates/_names.tpl", COMMON_NAMES),
    ]);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let o = output(&r, "default", "templates/service.yaml");
    assert!(o.text.contains("name: release-name-shop\n"), "{}", o.text);
}
