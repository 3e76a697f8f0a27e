//! `--select` parses only what the selected rules read (their `reads:`), and finds exactly what
//! a full run finds for them (issue 16).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use linea::config::{Config, Settings};
use linea::discover::FileKind;
use linea::project::Model;
use linea::rules::engine::{self, SourceInput};
use linea::rules::registry::Registry;

type Finding = (String, String, u64, u64, String);

/// The findings of `linea check -f json ARGS fixtures/`, sorted.
fn findings(args: &[&str]) -> Vec<Finding> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::cargo_bin("linea")
        .expect("binary")
        .current_dir(root)
        .args(["check", "-f", "json", "--exit-zero"])
        .args(args)
        .arg("fixtures")
        .output()
        .expect("run linea");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let mut found: Vec<Finding> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["path"].as_str().unwrap_or_default().to_string(),
                d["start"]["offset"].as_u64().unwrap_or_default(),
                d["end"]["offset"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn a_selected_family_finds_what_the_full_run_finds_for_it() {
    let all = findings(&[]);
    // DF and PY declare what they read; K8S does not (its rules read every file)
    for family in ["DF", "PY", "K8S"] {
        let selected = findings(&["--select", family]);
        let expected: Vec<Finding> = all
            .iter()
            .filter(|f| {
                f.0.strip_prefix(family)
                    .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
            })
            .cloned()
            .collect();
        assert!(!expected.is_empty(), "the fixtures have {family} findings");
        assert_eq!(selected, expected, "--select {family}");
    }
}

fn memory(path: &str, kind: FileKind, text: &str) -> SourceInput {
    SourceInput::Memory {
        path: PathBuf::from(path),
        kind,
        text: text.to_string(),
    }
}

fn disk(path: &Path, kind: FileKind) -> SourceInput {
    SourceInput::Disk(linea::discover::Input {
        path: path.to_path_buf(),
        kind,
    })
}

/// `files` (path below `dir`, kind, text) written to disk, as the engine's inputs.
fn write_files(dir: &Path, files: &[(&str, FileKind, &str)]) -> Vec<SourceInput> {
    files
        .iter()
        .map(|(name, kind, text)| {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
            disk(&path, *kind)
        })
        .collect()
}

/// The file of the run whose path ends with `name`.
fn file_named<'a>(outcome: &'a engine::Outcome, name: &str) -> &'a linea::project::ParsedFile {
    outcome
        .project
        .files
        .iter()
        .find(|f| f.source.path.ends_with(name))
        .expect("file in the run")
}

/// The findings of `rule` in the file whose path ends with `name`.
fn findings_in<'a>(outcome: &'a engine::Outcome, rule: &str, name: &str) -> Vec<&'a linea::diagnostic::Diagnostic> {
    let id = file_named(outcome, name).source.id;
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule == rule && d.file == id)
        .collect()
}

/// The built-in rules run over `inputs` with the repository at `dir`, `select` as
/// `--select` would set it.
fn run_in(dir: &Path, select: Option<&str>, inputs: Vec<SourceInput>) -> engine::Outcome {
    let config = Config {
        select: select.map(|s| vec![s.to_string()]),
        ..Config::default()
    };
    let settings = Settings::from_config(config, None, dir.to_path_buf()).expect("settings");
    let registry = Registry::builtin().expect("built-in rules");
    engine::run(&registry, &settings, inputs)
}

#[test]
fn select_df_parses_dockerfiles_and_what_df_rules_consult_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        (
            "Dockerfile",
            FileKind::Dockerfile,
            "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
        ),
        ("app.py", FileKind::Python, "import os\nprint(os.environ)\n"),
        (
            "deploy.yaml",
            FileKind::Yaml,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n",
        ),
        ("requirements.txt", FileKind::Requirements, "flask\n"),
    ];
    let mut inputs = write_files(dir.path(), &files);
    // text handed over in memory (an editor buffer) is always parsed
    inputs.push(memory("buffer.py", FileKind::Python, "x = 1\n"));
    let outcome = run_in(dir.path(), Some("DF"), inputs);
    let model = |name: &str| {
        outcome
            .project
            .files
            .iter()
            .find(|f| f.source.path.ends_with(name))
            .map(|f| &f.model)
    };
    assert!(matches!(model("Dockerfile"), Some(Model::Docker(_))));
    // DF024 asks whether the images run on Kubernetes: manifests are read
    assert!(matches!(model("deploy.yaml"), Some(Model::Kubernetes(_))));
    // no DF rule reads Python
    assert!(matches!(model("app.py"), Some(Model::Text)));
    assert!(matches!(model("requirements.txt"), Some(Model::Text)));
    // a Python module is parsed where its file rules run, its model dropped after: the
    // buffer's was, the file on disk no DF rule reads was not even read
    let file = |name: &str| outcome.project.files.iter().find(|f| f.source.path.ends_with(name));
    assert!(file("buffer.py").is_some_and(|f| f.parse_deferred && &*f.source.text == "x = 1\n"));
    assert!(file("app.py").is_some_and(|f| !f.parse_deferred && f.source.text.is_empty()));
    // every file is still part of the run
    assert_eq!(outcome.files_scanned(), 5);
}

#[test]
fn a_helm_chart_settles_where_images_run_without_reading_manifests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        (
            "Dockerfile",
            FileKind::Dockerfile,
            "FROM python:3.12-slim\nUSER 10001\nCMD [\"python\", \"app.py\"]\n",
        ),
        (
            "deploy/chart/Chart.yaml",
            FileKind::Yaml,
            "apiVersion: v2\nname: app\nversion: 1.0.0\n",
        ),
        (
            "deploy/job.yaml",
            FileKind::Yaml,
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\n",
        ),
    ];
    let inputs = write_files(dir.path(), &files);
    let run = |select: Option<&str>| run_in(dir.path(), select, inputs.clone());
    let df = run(Some("DF"));
    // the chart's path says the images run on Kubernetes: no manifest is read for DF024
    let job = df.project.files.iter().find(|f| f.source.path.ends_with("job.yaml"));
    assert!(job.is_some_and(|f| matches!(f.model, Model::Text) && f.source.text.is_empty()));
    let of = |o: &engine::Outcome| -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> = o
            .diagnostics
            .iter()
            .filter(|d| d.rule.starts_with("DF"))
            .map(|d| (d.rule.clone(), d.span.start))
            .collect();
        v.sort();
        v
    };
    let full = run(None);
    assert_eq!(of(&df), of(&full));
    assert!(!of(&full).iter().any(|(r, _)| r == "DF024"), "{:?}", of(&full));
}

#[test]
fn manifest_texts_are_let_go_after_the_build_and_read_again_where_findings_and_suppressions_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deployment = |name: &str, image: &str, comment: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: {name}\n{comment}          image: {image}\n"
        )
    };
    let web = deployment("web", "nginx:latest", "");
    let admin = deployment(
        "admin",
        "nginx:latest",
        "          # linea: ignore[K8S001] the admin image follows upstream\n",
    );
    let quiet = deployment(
        "quiet",
        "nginx:1.27.3",
        "          # linea: ignore[K8S001] pinned since\n",
    );
    let clean = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\n  namespace: shop\n  labels:\n    app.kubernetes.io/name: web\ndata:\n  LOG_LEVEL: info\n";
    let twice = format!("# settings of the shop\n{clean}---\n{clean}");
    let files = [
        ("k8s/web.yaml", FileKind::Yaml, web.as_str()),
        ("k8s/admin.yaml", FileKind::Yaml, admin.as_str()),
        ("k8s/quiet.yaml", FileKind::Yaml, quiet.as_str()),
        ("k8s/clean.yaml", FileKind::Yaml, clean),
        ("k8s/twice.yaml", FileKind::Yaml, twice.as_str()),
    ];
    let outcome = run_in(dir.path(), None, write_files(dir.path(), &files));
    let file = |name: &str| file_named(&outcome, name);
    let on = |name: &str| findings_in(&outcome, "K8S001", name);
    // the finding is where it is, with the file's text read back to show it
    let found = on("web.yaml");
    assert_eq!(found.len(), 1, "{:?}", outcome.diagnostics);
    assert_eq!(&*file("web.yaml").source.text, files[0].2);
    let at = file("web.yaml").source.position(found[0].span.start);
    assert_eq!(
        (at.line, file("web.yaml").source.slice(found[0].span)),
        (15, "nginx:latest")
    );
    // the suppression was read back and applied
    let suppressed = on("admin.yaml");
    assert_eq!(suppressed.len(), 1);
    assert!(suppressed[0].suppressed.is_some());
    // a suppression that matches nothing is read back and reported unused
    let unused: Vec<_> = outcome.diagnostics.iter().filter(|d| d.rule == "LINEA001").collect();
    assert_eq!(unused.len(), 1, "{unused:?}");
    assert_eq!(unused[0].file, file("quiet.yaml").source.id);
    // a message naming a line of a manifest let go names the right one
    let again = findings_in(&outcome, "K8S032", "twice.yaml");
    assert_eq!(again.len(), 1, "{:?}", outcome.diagnostics);
    assert!(again[0].message.ends_with("twice.yaml:3"), "{}", again[0].message);
    // the clean manifest's text stays let go
    assert!(outcome
        .diagnostics
        .iter()
        .all(|d| d.file != file("clean.yaml").source.id));
    assert!(file("clean.yaml").text_on_disk && file("clean.yaml").source.text.is_empty());
    assert!(outcome.internal_errors.is_empty(), "{:?}", outcome.internal_errors);
}

#[test]
fn python_texts_are_let_go_and_read_again_where_findings_and_suppressions_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        // a finding on line 3: the report needs its text back
        ("svc/serve.py", FileKind::Python, "import uvicorn\n\nuvicorn.run(\"svc.api:app\", port=3000)\n"),
        // a suppressed finding: the suppression is read from the text
        (
            "svc/admin.py",
            FileKind::Python,
            "import uvicorn\n\n# linea: ignore[PY003] the admin port stays on the node\nuvicorn.run(\"svc.admin:app\", port=9100)\n",
        ),
        // a suppression that matches nothing: read from the text, reported unused
        ("svc/quiet.py", FileKind::Python, "# linea: ignore[PY003] the port moved to config\nPORT = 8080\n"),
        // nothing to report: its text is not kept
        ("svc/util.py", FileKind::Python, "def add(a, b):\n    return a + b\n"),
        // `setup.py` is a manifest project rules read: kept whole
        ("setup.py", FileKind::Python, "from setuptools import setup\nsetup(name=\"svc\", install_requires=[\"uvicorn\"])\n"),
    ];
    let outcome = run_in(dir.path(), None, write_files(dir.path(), &files));
    let file = |name: &str| file_named(&outcome, name);
    let on = |name: &str| findings_in(&outcome, "PY003", name);
    // the finding is where it is in the file, with the file's text to show it
    let serve = on("serve.py");
    assert_eq!(serve.len(), 1, "{:?}", outcome.diagnostics);
    assert_eq!(&*file("serve.py").source.text, files[0].2);
    let at = file("serve.py").source.position(serve[0].span.start);
    assert_eq!((at.line, file("serve.py").source.slice(serve[0].span)), (3, "3000"));
    assert!(serve[0].suppressed.is_none());
    // the suppression was read and applied, and is not reported unused
    let admin = on("admin.py");
    assert_eq!(admin.len(), 1);
    assert!(admin[0].suppressed.is_some());
    assert_eq!(&*file("admin.py").source.text, files[1].2);
    let linea: Vec<_> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.rule.starts_with("LINEA"))
        .collect();
    assert_eq!(linea.len(), 1, "{linea:?}");
    assert_eq!(
        (linea[0].rule.as_str(), linea[0].file),
        ("LINEA001", file("quiet.py").source.id)
    );
    // the clean module's text was let go; `setup.py` kept its own
    assert!(file("util.py").text_on_disk && file("util.py").source.text.is_empty());
    assert_eq!(&*file("setup.py").source.text, files[4].2);
    assert!(outcome.internal_errors.is_empty(), "{:?}", outcome.internal_errors);
}

/// A CustomResourceDefinition as operators ship them: a v1 CRD whose schema is most of its bytes.
const CRD_V1: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.ops.example.com
  labels:
    app.kubernetes.io/name: backup-operator
spec:
  group: ops.example.com
  scope: Namespaced
  names: {kind: Backup, plural: backups, singular: backup}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
          properties:
            spec:
              type: object
              properties:
                image: {type: string, default: "busybox:latest"}
                privileged: {type: boolean, default: true}
                hostPort: {type: integer, default: 80}
                password: {type: string, default: "hunter2"}
"#;

/// The same operator's older CRD, in `apiextensions.k8s.io/v1beta1` (`spec.validation`).
const CRD_V1BETA1: &str = r#"apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata:
  name: restores.ops.example.com
spec:
  group: ops.example.com
  names: {kind: Restore, plural: restores}
  version: v1
  validation:
    openAPIV3Schema:
      type: object
      properties:
        spec: {type: object, properties: {image: {type: string, default: "busybox:latest"}}}
"#;

/// The schema of each CRD in the run's model: `Some(true)` when it is kept.
fn crd_schemas_kept(outcome: &engine::Outcome) -> Vec<bool> {
    let mut kept = Vec::new();
    for f in &outcome.project.files {
        let Model::Kubernetes(m) = &f.model else { continue };
        for o in m.objects.iter().filter(|o| o.kind == "CustomResourceDefinition") {
            let schemas = o
                .root
                .select("spec.versions[*].schema.openAPIV3Schema")
                .into_iter()
                .chain(o.root.select("spec.validation.openAPIV3Schema"));
            kept.extend(schemas.map(|s| s.is_map()));
        }
    }
    kept
}

#[test]
fn crd_schemas_are_let_go_unless_an_enabled_rule_may_read_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: backup-operator\n  namespace: ops\nspec:\n  selector:\n    matchLabels: {app: backup-operator}\n  template:\n    metadata:\n      labels: {app: backup-operator}\n    spec:\n      containers:\n        - name: operator\n          image: example/backup-operator:latest\n";
    let files = [
        ("deploy/crds/backups.yaml", FileKind::Yaml, CRD_V1),
        ("deploy/crds/restores.yaml", FileKind::Yaml, CRD_V1BETA1),
        ("deploy/operator.yaml", FileKind::Yaml, deployment),
    ];
    let inputs = || write_files(dir.path(), &files);
    let settings = Settings::from_config(Config::default(), None, dir.path().to_path_buf()).expect("settings");
    let sorted = |outcome: &engine::Outcome, but: &str| {
        let mut found: Vec<_> = outcome
            .diagnostics
            .iter()
            .filter(|d| d.rule != but)
            .map(|d| (d.rule.clone(), d.file, d.span.start, d.span.end, d.message.clone()))
            .collect();
        found.sort();
        found
    };

    // the built-in rules read no CRD schema: they are let go, and every rule finds the same
    let builtin = Registry::builtin().expect("built-in rules");
    let lean = engine::run(&builtin, &settings, inputs());
    assert_eq!(crd_schemas_kept(&lean), [false, false]);
    assert!(lean.internal_errors.is_empty(), "{:?}", lean.internal_errors);

    // a custom rule on CRDs keeps them, and reads them
    let policy = dir.path().join("policy");
    std::fs::create_dir(&policy).expect("mkdir");
    std::fs::write(
        policy.join("ORG200.yaml"),
        "id: ORG200\nslug: crd-open-schema\nseverity: warning\nsummary: A CRD that accepts unknown fields\n\
         help: list the fields the operator reads\ndocs: |\n  ## Why is this bad?\n  Typos pass validation.\n\
         check:\n  target: k8s.object\n  kind: CustomResourceDefinition\n  assert:\n    \
         path: \"spec.versions[*].schema.openAPIV3Schema.x-kubernetes-preserve-unknown-fields\"\n    \
         not_equals: true\n  message: \"CRD `{name}` accepts unknown fields\"\n",
    )
    .expect("write rule");
    let mut custom = Registry::builtin().expect("built-in rules");
    custom.load_dir(&policy).expect("load rule");
    let whole = engine::run(&custom, &settings, inputs());
    assert_eq!(crd_schemas_kept(&whole), [true, true]);
    let read: Vec<_> = whole.diagnostics.iter().filter(|d| d.rule == "ORG200").collect();
    assert_eq!(read.len(), 1, "{:?}", whole.diagnostics);
    assert!(!sorted(&lean, "ORG200").is_empty());
    assert_eq!(sorted(&lean, "ORG200"), sorted(&whole, "ORG200"));
}

#[test]
fn a_run_that_lets_its_models_go_reports_what_a_run_keeping_them_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        (
            "Dockerfile",
            FileKind::Dockerfile,
            "FROM python:latest\nRUN pip install flask\nCMD [\"python\", \"app.py\"]\n",
        ),
        (
            "deploy/web.yaml",
            FileKind::Yaml,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          # linea: ignore[K8S001] follows upstream\n          image: nginx:latest\n",
        ),
        (
            "infra/main.tf",
            FileKind::Terraform,
            "variable \"unused\" {}\n\nresource \"azurerm_storage_account\" \"logs\" {\n  name                     = \"shoplogs\"\n  account_tier             = \"Standard\"\n  account_replication_type = \"LRS\"\n  min_tls_version          = \"TLS1_0\"\n}\n",
        ),
    ];
    let settings = Settings::from_config(Config::default(), None, dir.path().to_path_buf()).expect("settings");
    let configs = linea::config::Configs::single(settings);
    let registry = Registry::builtin().expect("built-in rules");
    let run = |models| engine::run_configs_keeping(&registry, &configs, write_files(dir.path(), &files), models);
    let (kept, lean) = (run(engine::Models::Kept), run(engine::Models::LetGo));
    let found = |o: &engine::Outcome| -> Vec<(String, String, usize, usize, String, bool)> {
        o.diagnostics
            .iter()
            .map(|d| {
                let f = o.project.file(d.file).expect("file");
                let at = f.source.position(d.span.start);
                (
                    d.rule.clone(),
                    f.source.display_path(),
                    at.line as usize,
                    at.column as usize,
                    d.message.clone(),
                    d.suppressed.is_some(),
                )
            })
            .collect()
    };
    let lines = found(&lean);
    assert!(lines.iter().any(|d| d.0.starts_with("DF")), "{lines:?}");
    assert!(lines.iter().any(|d| d.0.starts_with("TF")), "{lines:?}");
    assert!(lines.iter().any(|d| d.0 == "K8S001" && d.5), "{lines:?}");
    assert_eq!(lines, found(&kept));
    // the models are gone, the texts the findings are in are there
    assert!(kept.project.files.iter().any(|f| !matches!(f.model, Model::Text)));
    assert!(lean.project.files.iter().all(|f| matches!(f.model, Model::Text)));
    assert!(lean.project.k8s.refs().is_empty() && lean.project.terraform.is_empty());
    for d in &lean.diagnostics {
        let f = lean.project.file(d.file).expect("file");
        assert!(!f.source.text.is_empty(), "{}", f.source.display_path());
    }
    assert!(lean.internal_errors.is_empty(), "{:?}", lean.internal_errors);
}
