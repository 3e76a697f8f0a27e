//! The builder against the examples of the Kustomize documentation (kubectl.docs.kubernetes.io
//! "Kustomization File" fields, and the strategic merge and JSON patch pages).

use std::path::Path;

use super::tree::KNode;
use super::*;
use crate::render::helm::MemFs;
use crate::source::node::Node;

fn run(files: &[(&str, &str)], dir: &str) -> (Build, Vec<Node>) {
    let fs = MemFs::new(files);
    let b = build(&fs, Path::new(dir));
    let stream = crate::lang::yaml::parse(&b.text);
    assert!(stream.errors.is_empty(), "{:?}\n{}", stream.errors, b.text);
    let docs = stream.documents.into_iter().map(|d| d.root).collect();
    (b, docs)
}

fn text(n: &Node, path: &str) -> Option<String> {
    n.at(path).and_then(Node::scalar_text)
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  replicas: 2
  selector:
    matchLabels:
      run: my-nginx
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
      - name: istio-proxy
        image: docker.io/istio/proxyv2
        args:
        - proxy
        - sidecar
";

const KIND: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

#[test]
fn strategic_merge_patches_merge_containers_by_name() {
    let k = format!(
        "{KIND}resources:\n- deployment.yaml\npatchesStrategicMerge:\n- increase_replicas.yaml\n- set_memory.yaml\n"
    );
    let files = [
        ("app/kustomization.yaml", k.as_str()),
        ("app/deployment.yaml", DEPLOYMENT),
        (
            "app/increase_replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-nginx\nspec:\n  replicas: 3\n",
        ),
        (
            "app/set_memory.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-nginx\nspec:\n  template:\n    spec:\n      containers:\n      - name: my-nginx\n        resources:\n          limits:\n            memory: 512Mi\n",
        ),
    ];
    let (b, docs) = run(&files, "app");
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    let d = &docs[0];
    assert_eq!(text(d, "spec.replicas").as_deref(), Some("3"));
    let c = d.at("spec.template.spec.containers[0]").unwrap();
    assert_eq!(text(c, "image").as_deref(), Some("nginx"));
    assert_eq!(text(c, "ports[0].containerPort").as_deref(), Some("80"));
    assert_eq!(text(c, "resources.limits.memory").as_deref(), Some("512Mi"));
    assert_eq!(d.select("spec.template.spec.containers[*]").len(), 2);
}

#[test]
fn patch_directives_delete_and_replace() {
    let k = format!(
        "{KIND}resources:\n- deployment.yaml\npatches:\n- path: no-sidecar.yaml\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: my-nginx\n    spec:\n      template:\n        metadata:\n          labels:\n            $patch: replace\n            app: web\n"
    );
    let files = [
        ("app/kustomization.yaml", k.as_str()),
        ("app/deployment.yaml", DEPLOYMENT),
        (
            "app/no-sidecar.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-nginx\nspec:\n  template:\n    spec:\n      containers:\n      - name: istio-proxy\n        $patch: delete\n",
        ),
    ];
    let (b, docs) = run(&files, "app");
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    let d = &docs[0];
    let names: Vec<String> = d
        .select("spec.template.spec.containers[*].name")
        .iter()
        .filter_map(|n| n.scalar_text())
        .collect();
    assert_eq!(names, ["my-nginx"]);
    let labels = d.at("spec.template.metadata.labels").unwrap();
    assert_eq!(labels.entries().len(), 1);
    assert_eq!(text(labels, "app").as_deref(), Some("web"));
    // the inline patch's lines are the kustomization's
    let k_file = b.files.iter().position(|p| p.ends_with("kustomization.yaml")).unwrap() as u32;
    let web = b.text.find("web").unwrap();
    let piece = b.origins.pieces().find(|p| p.start == web).unwrap();
    assert_eq!(piece.at.file.0, k_file);
    assert_eq!(&b.texts[k_file as usize][piece.at.span.start..piece.at.span.end], "web");
}

#[test]
fn json_patches_follow_rfc_6902() {
    // the examples of RFC 6902 section A, on a kustomize target
    let k = format!(
        "{KIND}resources:\n- deployment.yaml\npatches:\n- path: ops.yaml\n  target:\n    kind: Deployment\n    name: my-.*\n"
    );
    let ops = "- op: replace\n  path: /spec/replicas\n  value: 5\n- op: add\n  path: /metadata/labels\n  value:\n    team: web\n- op: add\n  path: /spec/template/spec/containers/0/args\n  value: [\"--port=80\"]\n- op: remove\n  path: /spec/template/spec/containers/1/args/1\n- op: copy\n  from: /spec/template/spec/containers/0/image\n  path: /metadata/labels/image\n- op: move\n  from: /metadata/labels/team\n  path: /metadata/labels/owner\n- op: add\n  path: /spec/template/spec/containers/-\n  value:\n    name: log\n    image: busybox\n- op: test\n  path: /spec/template/spec/containers/0/name\n  value: my-nginx\n- op: add\n  path: /metadata/annotations\n  value: {}\n- op: add\n  path: /metadata/annotations/a~1b\n  value: slash\n";
    let files = [
        ("app/kustomization.yaml", k.as_str()),
        ("app/deployment.yaml", DEPLOYMENT),
        ("app/ops.yaml", ops),
    ];
    let (b, docs) = run(&files, "app");
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    let d = &docs[0];
    assert_eq!(text(d, "spec.replicas").as_deref(), Some("5"));
    assert_eq!(text(d, "metadata.labels.owner").as_deref(), Some("web"));
    assert_eq!(text(d, "metadata.labels.team"), None);
    assert_eq!(text(d, "metadata.labels.image").as_deref(), Some("nginx"));
    assert_eq!(text(d, r#"metadata.annotations["a/b"]"#).as_deref(), Some("slash"));
    assert_eq!(
        text(d, "spec.template.spec.containers[0].args[0]").as_deref(),
        Some("--port=80")
    );
    assert_eq!(d.select("spec.template.spec.containers[1].args[*]").len(), 1);
    assert_eq!(
        text(d, "spec.template.spec.containers[2].image").as_deref(),
        Some("busybox")
    );
    // the replaced scalar stays at the base line and records the patch line that set it
    let five = b.text.find("replicas: 5").unwrap() + "replicas: ".len();
    let piece = b.origins.pieces().find(|p| p.start == five).unwrap();
    assert!(b.files[piece.at.file.0 as usize].ends_with("deployment.yaml"));
    let set = piece.value.unwrap();
    assert!(b.files[set.file.0 as usize].ends_with("ops.yaml"));
    assert_eq!(&b.texts[set.file.0 as usize][set.span.start..set.span.end], "5");
}

#[test]
fn a_failing_test_operation_is_reported_at_the_operation() {
    let k = format!(
        "{KIND}resources:\n- deployment.yaml\npatchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: my-nginx\n  patch: |-\n    - op: test\n      path: /spec/replicas\n      value: 7\n"
    );
    let files = [
        ("app/kustomization.yaml", k.as_str()),
        ("app/deployment.yaml", DEPLOYMENT),
    ];
    let (b, _) = run(&files, "app");
    assert_eq!(b.problems.len(), 1, "{:?}", b.problems);
    let p = &b.problems[0];
    assert!(p.message.contains("test failed"), "{}", p.message);
    let line = &b.texts[p.at.file as usize][p.at.span.start..p.at.span.end];
    assert!(line.starts_with("op: test"), "{line:?}");
}

#[test]
fn overlays_set_namespace_names_labels_images_and_replicas() {
    let base = format!("{KIND}resources:\n- deployment.yaml\n- service.yaml\nconfigMapGenerator:\n- name: app-config\n  literals:\n  - LOG_LEVEL=info\n  envs:\n  - app.env\n");
    let overlay = format!(
        "{KIND}namespace: shop-prod\nnamePrefix: prod-\ncommonLabels:\n  env: prod\ncommonAnnotations:\n  owner: shop\nresources:\n- ../../base\nimages:\n- name: nginx\n  newName: registry.example.com/nginx\n  newTag: \"1.27\"\nreplicas:\n- name: my-nginx\n  count: 4\nsecretGenerator:\n- name: db\n  literals:\n  - password=hunter2\n"
    );
    let deployment = format!("{DEPLOYMENT}        envFrom:\n        - configMapRef:\n            name: app-config\n");
    let files = [
        ("k8s/base/kustomization.yaml", base.as_str()),
        ("k8s/base/deployment.yaml", deployment.as_str()),
        (
            "k8s/base/service.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: my-nginx\nspec:\n  selector:\n    run: my-nginx\n  ports:\n  - port: 80\n",
        ),
        ("k8s/base/app.env", "# settings\nCACHE=on\n"),
        ("k8s/overlays/prod/kustomization.yaml", overlay.as_str()),
    ];
    let (b, docs) = run(&files, "k8s/overlays/prod");
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    assert_eq!(b.namespace.as_deref(), Some("shop-prod"));
    assert_eq!(docs.len(), 4);
    let d = &docs[0];
    assert_eq!(text(d, "metadata.name").as_deref(), Some("prod-my-nginx"));
    assert_eq!(text(d, "metadata.namespace").as_deref(), Some("shop-prod"));
    assert_eq!(text(d, "metadata.labels.env").as_deref(), Some("prod"));
    assert_eq!(text(d, "spec.selector.matchLabels.env").as_deref(), Some("prod"));
    assert_eq!(text(d, "spec.template.metadata.labels.env").as_deref(), Some("prod"));
    assert_eq!(
        text(d, "spec.template.metadata.annotations.owner").as_deref(),
        Some("shop")
    );
    assert_eq!(text(d, "spec.replicas").as_deref(), Some("4"));
    assert_eq!(
        text(d, "spec.template.spec.containers[0].image").as_deref(),
        Some("registry.example.com/nginx:1.27")
    );
    assert_eq!(
        text(d, "spec.template.spec.containers[1].image").as_deref(),
        Some("docker.io/istio/proxyv2")
    );
    // the reference to the generated ConfigMap follows its new name
    assert_eq!(
        text(d, "spec.template.spec.containers[1].envFrom[0].configMapRef.name").as_deref(),
        Some("prod-app-config")
    );
    let svc = &docs[1];
    assert_eq!(text(svc, "spec.selector.env").as_deref(), Some("prod"));
    let cm = &docs[2];
    assert_eq!(text(cm, "kind").as_deref(), Some("ConfigMap"));
    assert_eq!(text(cm, "data.LOG_LEVEL").as_deref(), Some("info"));
    assert_eq!(text(cm, "data.CACHE").as_deref(), Some("on"));
    let secret = &docs[3];
    assert_eq!(text(secret, "type").as_deref(), Some("Opaque"));
    assert_eq!(text(secret, "data.password").as_deref(), Some("aHVudGVyMg=="));
    // the image keeps pointing at the base line, with the overlay's newTag as what set it
    let at = b.text.find("registry.example.com/nginx:1.27").unwrap();
    let piece = b.origins.pieces().find(|p| p.start == at).unwrap();
    assert!(b.files[piece.at.file.0 as usize].ends_with("base/deployment.yaml"));
    let set = piece.value.unwrap();
    assert!(b.files[set.file.0 as usize].ends_with("prod/kustomization.yaml"));
    assert_eq!(&b.texts[set.file.0 as usize][set.span.start..set.span.end], "\"1.27\"");
    assert!(b.kustomizations.contains(Path::new("k8s/base")));
    assert!(b.resources.contains(Path::new("k8s/base/deployment.yaml")));
}

#[test]
fn components_labels_and_targets_by_selector() {
    let base = format!("{KIND}resources:\n- deployment.yaml\n");
    let component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- pdb.yaml\npatches:\n- target:\n    kind: Deployment\n    labelSelector: run=my-nginx,tier notin (db)\n  patch: |-\n    - op: add\n      path: /spec/template/spec/priorityClassName\n      value: high\n";
    let overlay = format!(
        "{KIND}resources:\n- ../base\ncomponents:\n- ../components/ha\nlabels:\n- pairs:\n    team: web\n  includeTemplates: true\n"
    );
    let files = [
        ("base/kustomization.yaml", base.as_str()),
        (
            "base/deployment.yaml",
            &DEPLOYMENT.replace("  name: my-nginx\nspec:", "  name: my-nginx\n  labels:\n    run: my-nginx\nspec:"),
        ),
        ("components/ha/kustomization.yaml", component),
        (
            "components/ha/pdb.yaml",
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: my-nginx\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      run: my-nginx\n",
        ),
        ("dev/kustomization.yaml", overlay.as_str()),
    ];
    let (b, docs) = run(&files, "dev");
    assert!(b.problems.is_empty(), "{:?}", b.problems);
    assert_eq!(docs.len(), 2);
    let d = &docs[0];
    assert_eq!(text(d, "spec.template.spec.priorityClassName").as_deref(), Some("high"));
    assert_eq!(text(d, "metadata.labels.team").as_deref(), Some("web"));
    assert_eq!(text(d, "spec.template.metadata.labels.team").as_deref(), Some("web"));
    // `labels:` without includeSelectors leaves selectors alone
    assert_eq!(text(d, "spec.selector.matchLabels.team"), None);
    assert_eq!(text(&docs[1], "spec.selector.matchLabels.team"), None);
}

#[test]
fn remote_bases_cycles_and_missing_targets_are_reported() {
    // a patch may target what the remote base holds: not reported
    let a = format!(
        "{KIND}resources:\n- ../b\n- github.com/example/platform//base?ref=v1.2.0\npatches:\n- path: https://example.com/patch.yaml\n- patch: |-\n    apiVersion: v1\n    kind: Service\n    metadata:\n      name: platform\n"
    );
    let b_k = format!("{KIND}resources:\n- ../a\n");
    let c = format!(
        "{KIND}resources:\n- deployment.yaml\n- missing.yaml\npatches:\n- path: patch.yaml\nreplacements:\n- path: r.yaml\n"
    );
    let files = [
        ("a/kustomization.yaml", a.as_str()),
        ("b/kustomization.yaml", b_k.as_str()),
        ("c/kustomization.yaml", c.as_str()),
        ("c/deployment.yaml", DEPLOYMENT),
        (
            "c/patch.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n",
        ),
    ];
    let (b, _) = run(&files, "a");
    let msgs: Vec<(&str, bool, &str)> = b
        .problems
        .iter()
        .map(|p| (p.rule, p.info, p.message.as_str()))
        .collect();
    assert!(msgs.iter().any(|m| m.2.contains("includes itself") && !m.1), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.2.contains("remote base") && m.1), "{msgs:?}");
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    let (b, _) = run(&files, "c");
    let msgs: Vec<&str> = b.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(b.problems.len(), 3, "{msgs:?}");
    assert!(msgs[0].contains("does not exist"), "{msgs:?}");
    assert!(msgs[1].contains("matches no object"), "{msgs:?}");
    assert!(msgs[2].contains("`replacements`") && b.problems[2].info, "{msgs:?}");
}

#[test]
fn deep_nesting_is_bounded() {
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..40 {
        files.push((
            format!("l{i}/kustomization.yaml"),
            format!("{KIND}resources:\n- ../l{}\n", i + 1),
        ));
    }
    files.push(("l40/kustomization.yaml".into(), format!("{KIND}resources: []\n")));
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (b, _) = run(&refs, "l0");
    assert_eq!(b.problems.len(), 1, "{:?}", b.problems);
    assert_eq!(b.problems[0].rule, "PARSE004");
}

#[test]
fn strategic_merge_of_service_ports_uses_the_port() {
    let base = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n    targetPort: 8080\n  - port: 443\n    targetPort: 8443\n";
    let patch = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 443\n    targetPort: 9443\n  - port: 9090\n";
    let mut b = KNode::from_node(&crate::lang::yaml::parse(base).documents[0].root, 0, &|s| s);
    let p = KNode::from_node(&crate::lang::yaml::parse(patch).documents[0].root, 1, &|s| s);
    merge::merge(&mut b, &p);
    let ports: Vec<(String, Option<String>)> = b
        .path(&["spec", "ports"])
        .unwrap()
        .items()
        .iter()
        .map(|i| {
            (
                i.get("port").unwrap().text().unwrap(),
                i.get("targetPort").and_then(KNode::text),
            )
        })
        .collect();
    assert_eq!(
        ports,
        [
            ("80".into(), Some("8080".into())),
            ("443".into(), Some("9443".into())),
            ("9090".into(), None)
        ]
    );
    // null removes a key
    let p = KNode::from_node(
        &crate::lang::yaml::parse("spec:\n  ports: null\n").documents[0].root,
        1,
        &|s| s,
    );
    merge::merge(&mut b, &p);
    assert!(b.path(&["spec", "ports"]).is_none());
}

#[test]
fn label_selectors() {
    let pairs = vec![
        ("app".to_string(), "web".to_string()),
        ("tier".to_string(), "front".to_string()),
    ];
    assert!(selector_matches("app=web", &pairs));
    assert!(selector_matches("app==web,tier in (front, back)", &pairs));
    assert!(!selector_matches("app!=web", &pairs));
    assert!(selector_matches("!canary,app", &pairs));
    assert!(!selector_matches("tier notin (front)", &pairs));
}

#[test]
fn a_generator_input_written_at_deploy_time_is_a_note() {
    // aks-store-demo's azd overlays generate a ConfigMap from a `.env` that `azd` writes and git
    // ignores: the objects are complete without it
    let k = format!("{KIND}resources:\n- deployment.yaml\nconfigMapGenerator:\n- name: ai-service\n  envs:\n  - .env\n  files:\n  - settings.json\n");
    let files = [("o/kustomization.yaml", k.as_str()), ("o/deployment.yaml", DEPLOYMENT)];
    let (b, docs) = run(&files, "o");
    assert_eq!(docs.len(), 2, "{}", b.text);
    let msgs: Vec<(bool, &str)> = b.problems.iter().map(|p| (p.info, p.message.as_str())).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(
        msgs.iter().all(|(info, m)| *info && m.contains("built without it")),
        "{msgs:?}"
    );
}
