//! Rendered output, pinned with insta: the human report of the core rules' failing fixtures
//! (`tests/snapshots/<family>/<ID>/`), every format once on one run (`tests/snapshots/formats/`),
//! and the SARIF validated against the official 2.1.0 schema.
//!
//! Snapshots are taken without colour, with paths relative to the crate root and the run's
//! duration set to zero, so they do not depend on the machine. Only the core family is pinned
//! here: other families pin their own cases when they add them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use linea::config::{self, Config, Settings};
use linea::discover::{self, Input};
use linea::report::{self, Format, Report};
use linea::rules::engine::{self, Outcome, SourceInput};
use linea::rules::registry::Registry;
use linea::rules::{Diagnostic, Severity};
use linea::source::Span;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the engine on paths relative to the crate root (the test's working directory).
fn run(registry: &Registry, config: Config, paths: &[&str]) -> (Outcome, Settings) {
    run_in(registry, config, paths, root())
}

/// [`run`] with another project root: a directory case is its own repository, as the fixture
/// harness runs it (paths in the report stay relative to the crate root).
fn run_in(registry: &Registry, config: Config, paths: &[&str], project_root: PathBuf) -> (Outcome, Settings) {
    let settings = Settings::from_config(config, None, project_root).expect("settings");
    let mut inputs = Vec::new();
    for p in paths {
        let path = PathBuf::from(p);
        if path.is_dir() {
            inputs.extend(
                discover::discover(&[path], &settings, &globset::GlobSet::empty(), 0)
                    .into_iter()
                    .map(SourceInput::Disk),
            );
        } else {
            let kind = discover::classify(&path).expect("fixture classifies");
            inputs.push(SourceInput::Disk(Input { path, kind }));
        }
    }
    let mut outcome = engine::run(registry, &settings, inputs);
    outcome.elapsed = Duration::ZERO;
    (outcome, settings)
}

fn render(format: Format, registry: &Registry, outcome: &Outcome, settings: &Settings, show: bool) -> String {
    let r = Report {
        outcome,
        registry,
        settings,
        show_suppressed: show,
        color: false,
        options: Default::default(),
    };
    report::render(format, &r)
}

fn select(ids: &[&str]) -> Config {
    Config {
        select: Some(ids.iter().map(|s| s.to_string()).collect()),
        ..Config::default()
    }
}

/// Failing fixtures whose human report is pinned, as `(family, ID, case)`. An explicit list
/// rather than a glob: a fixture case added on another branch must not fail this test on
/// merge for want of a snapshot; add it here with its snapshot.
const PINNED_CASES: &[(&str, &str, &str)] = &[
    ("core", "LINEA001", "fail.yaml"),
    ("core", "LINEA002", "fail.yaml"),
    ("core", "PARSE001", "fail.yaml"),
    ("core", "PARSE002", "binary.fail"),
    ("core", "PARSE003", "required.fail"),
    ("kubernetes", "K8S008", "chart.fail"),
    ("kubernetes", "K8S029", "chart.fail"),
    ("core", "PARSE001", "dockerfile.fail.Dockerfile"),
    ("docker", "DF001", "fail.Dockerfile"),
    ("docker", "DF002", "fail.Dockerfile"),
    ("docker", "DF003", "fail.Dockerfile"),
    ("docker", "DF004", "fail.Dockerfile"),
    ("docker", "DF005", "fail.Dockerfile"),
    ("docker", "DF006", "fail.Dockerfile"),
    ("docker", "DF007", "fail.Dockerfile"),
    ("docker", "DF008", "fail.Dockerfile"),
    ("docker", "DF008", "rpm.fail.Dockerfile"),
    ("docker", "DF025", "fail.Dockerfile"),
    ("docker", "DF009", "fail.Dockerfile"),
    ("docker", "DF009", "rpm.fail.Dockerfile"),
    ("docker", "DF010", "fail.Dockerfile"),
    ("docker", "DF011", "fail.Dockerfile"),
    ("docker", "DF011", "npm.fail.Dockerfile"),
    ("docker", "DF012", "fail.Dockerfile"),
    ("docker", "DF013", "fail.Dockerfile"),
    ("docker", "DF014", "fail.Dockerfile"),
    ("docker", "DF015", "fail.Dockerfile"),
    ("docker", "DF016", "fail.Dockerfile"),
    ("docker", "DF017", "fail.Dockerfile"),
    ("docker", "DF018", "fail.Dockerfile"),
    ("docker", "DF019", "fail.Dockerfile"),
    ("docker", "DF020", "fail.Dockerfile"),
    ("docker", "DF021", "fail.Dockerfile"),
    ("docker", "DF022", "fail.Dockerfile"),
    ("docker", "DF023", "fail.Dockerfile"),
    ("docker", "DF024", "fail.Dockerfile"),
    ("terraform", "TF016", "envs.fail"),
    ("terraform", "TF017", "storage.fail"),
    ("python", "PY010", "fail.py"),
];

/// The human report of the pinned failing fixtures, each run as the fixture harness runs it
/// (the case's `config.toml`, plus the rule under test).
#[test]
fn human_output_of_fail_cases() {
    let registry = Registry::builtin().expect("rules");
    for (family, id, case) in PINNED_CASES {
        let dir = Path::new("fixtures").join(family).join(id);
        let case = dir.join(case);
        let mut cfg = match std::fs::read_to_string(dir.join("config.toml")) {
            Ok(text) => config::parse_config(&dir.join("config.toml"), &text).expect("case config"),
            Err(_) => Config::default(),
        };
        let mut sel = cfg.select.take().unwrap_or_default();
        sel.push(id.to_string());
        cfg.select = Some(sel);
        // as the harness roots it: a directory case is its own repository, a file case sits in
        // the rule's fixture folder (so rules that leave test code alone do not read
        // `fixtures/` as a test directory)
        let project_root = if case.is_dir() {
            root().join(&case)
        } else {
            root().join(&dir)
        };
        let (outcome, settings) = run_in(&registry, cfg, &[case.to_str().expect("utf-8 path")], project_root);
        let out = render(Format::Human, &registry, &outcome, &settings, false);
        assert!(!out.contains('\u{1b}'), "colour codes with colour off");
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("case").to_string();
        insta::with_settings!({snapshot_path => format!("snapshots/{family}/{id}"), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, out);
        });
    }
}

/// One run with findings in two files, a suppressed finding and a cross-file label.
fn sample(registry: &Registry) -> (Outcome, Settings) {
    let (mut outcome, settings) = run(
        registry,
        select(&["core"]),
        &[
            "fixtures/core/LINEA001/fail.yaml",
            "fixtures/core/LINEA001/pass.yaml",
            "fixtures/core/PARSE001/fail.yaml",
        ],
    );
    // the renderers must show labels in other files; no core rule makes one, so add one
    let files: Vec<_> = outcome.project.files.iter().map(|f| f.source.id).collect();
    let (a, b) = (files[0], files[2]);
    let in_b = outcome
        .project
        .file(b)
        .expect("file")
        .source
        .text
        .find("containerPort")
        .unwrap_or(0);
    let mut d = Diagnostic::new(
        "PARSE001",
        Severity::Error,
        a,
        Span::new(0, 10),
        "synthetic cross-file finding, `é` and `😀` in the text",
    )
    .with_label(
        b,
        Span::new(in_b, in_b + "containerPort".len()),
        "the other end is here",
    )
    .with_note("a note says why")
    .with_help("the help says what to do");
    d.suppressed = None;
    outcome.diagnostics.push(d);
    engine::sort(&outcome.project, &mut outcome.diagnostics);
    (outcome, settings)
}

/// SARIF names the working directory as `%SRCROOT%`; pin it as a placeholder.
fn redact_cwd(s: &str) -> String {
    let cwd = std::env::current_dir().expect("cwd");
    let mut uri = cwd.to_string_lossy().replace('\\', "/");
    if !uri.starts_with('/') {
        uri.insert(0, '/');
    }
    let enc: String = uri
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    s.replace(&format!("file://{enc}/"), "file:///SRCROOT/")
}

#[test]
fn every_format_once() {
    let registry = Registry::builtin().expect("rules");
    let (outcome, settings) = sample(&registry);
    // rule docs are pinned by docs/rules; here only that they are carried
    let sarif_docs = regex::Regex::new(
        r#"("(?:fullDescription|help)": \{\n\s+"text": )"(?:[^"\\]|\\.)*"(,\n\s+"markdown": )?("(?:[^"\\]|\\.)*")?"#,
    )
    .expect("regex");
    for (format, name, show) in [
        (Format::Human, "human", true),
        (Format::Concise, "concise", false),
        (Format::Json, "json", false),
        (Format::Sarif, "sarif", false),
        (Format::Junit, "junit", true),
        (Format::Github, "github", false),
    ] {
        let mut out = redact_cwd(&render(format, &registry, &outcome, &settings, show));
        if format == Format::Sarif {
            out = sarif_docs
                .replace_all(&out, |c: &regex::Captures<'_>| {
                    let markdown = c
                        .get(2)
                        .map(|m| format!("{}\"[docs]\"", m.as_str()))
                        .unwrap_or_default();
                    format!("{}\"[docs]\"{markdown}", &c[1])
                })
                .into_owned();
        }
        assert!(!out.contains('\u{1b}'), "{name}: colour codes with colour off");
        insta::with_settings!({snapshot_path => "snapshots/formats", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, out);
        });
    }
}

/// `linea explain` as a terminal shows it (without colour).
#[test]
fn explain_text() {
    // a rule of its own, so editing a built-in rule's docs does not churn this snapshot
    let yaml = r#"id: ORG001
slug: image-from-docker-hub
severity: warning
scope: prod
summary: "Production images come from `docker.io`"
help: pull the image through the company registry
tags: [supply-chain]
sources:
  - {tool: checkov, id: CKV_DOCKER_1, relation: inspired}
docs: |
  Images pulled straight from Docker Hub bypass the registry's scanning.

  ## Why is this bad?
  Docker Hub rate-limits pulls, and **unscanned** images reach production.

  ## Example
  ```dockerfile
  FROM docker.io/library/python:3.12-slim
  ```

  ## Use instead
  ```dockerfile
  FROM myacr.azurecr.io/python:3.12-slim
  ```

  ## Options
  - `[registries] allowed` lists the registries images may come from
check:
  target: dockerfile.from
  assert: {path: image, matches: "^myacr"}
  message: "image `{image}` is not from the company registry"
"#;
    let meta = linea::rules::meta::RuleMeta::parse("ORG001.yaml".into(), "org", yaml.into(), false)
        .unwrap_or_else(|e| panic!("{}", e.message));
    let out = linea::rules::docs::terminal(&meta, false);
    insta::with_settings!({snapshot_path => "snapshots/formats", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("explain", out);
    });
}

#[test]
fn human_output_is_coloured_only_when_asked() {
    let registry = Registry::builtin().expect("rules");
    let (outcome, settings) = sample(&registry);
    let r = |color| {
        report::render(
            Format::Human,
            &Report {
                outcome: &outcome,
                registry: &registry,
                settings: &settings,
                show_suppressed: false,
                color,
                options: Default::default(),
            },
        )
    };
    assert!(!r(false).contains('\u{1b}'));
    assert!(r(true).contains('\u{1b}'));
}

#[test]
fn clean_run_summary() {
    let registry = Registry::builtin().expect("rules");
    let (outcome, settings) = run(&registry, select(&["core"]), &["fixtures/core/PARSE001/pass.yaml"]);
    let out = render(Format::Human, &registry, &outcome, &settings, false);
    assert_eq!(out, "No problems found (1 file scanned in 0 ms)\n");
}

/// The SARIF 2.1.0 schema, vendored under tests/schemas (see its README).
fn sarif_schema() -> serde_json::Value {
    let text =
        std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json")).expect("read the SARIF schema");
    serde_json::from_str(&text).expect("the SARIF schema is JSON")
}

#[test]
fn sarif_validates_against_the_schema() {
    let registry = Registry::builtin().expect("rules");
    let (mut outcome, settings) = sample(&registry);
    // a suppressed finding and an internal error exercise `suppressions` and `invocations`
    let (o2, _) = run(&registry, select(&["PARSE001"]), &["fixtures/core/LINEA002/pass.yaml"]);
    assert!(o2.diagnostics.iter().any(|d| d.suppressed.is_some()));
    outcome.internal_errors.push("rule X panicked on a.yaml: boom".into());
    let mut docs = vec![render(Format::Sarif, &registry, &outcome, &settings, false)];
    docs.push(render(Format::Sarif, &registry, &o2, &settings, false));
    // fixes: a replacement, an insertion (empty deleted region) and an unsafe fix
    let (o3, s3) = run(
        &registry,
        select(&["DF006", "DF007", "DF010"]),
        &[
            "fixtures/docker/DF006/fail.Dockerfile",
            "fixtures/docker/DF007/fail.Dockerfile",
            "fixtures/docker/DF010/fail.Dockerfile",
        ],
    );
    let with_fixes = render(Format::Sarif, &registry, &o3, &s3, false);
    assert!(with_fixes.contains("\"artifactChanges\""), "{with_fixes}");
    assert!(with_fixes.contains("\"insertedContent\""), "{with_fixes}");
    docs.push(with_fixes);

    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    compiler.add_resource(url, sarif_schema()).expect("add schema");
    let index = compiler.compile(url, &mut schemas).expect("compile schema");
    // the validator is live: a wrong version and a bad level are rejected
    let mut broken: serde_json::Value = serde_json::from_str(&docs[0]).expect("SARIF is JSON");
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(schemas.validate(&broken, index).is_err(), "schema accepted a bad level");
    for doc in docs {
        let value: serde_json::Value = serde_json::from_str(&doc).expect("SARIF is JSON");
        if let Err(e) = schemas.validate(&value, index) {
            panic!("SARIF does not validate:\n{e:#}\n{doc}");
        }
        let run = &value["runs"][0];
        assert_eq!(value["version"], "2.1.0");
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        for result in run["results"].as_array().expect("results") {
            let i = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(run["tool"]["driver"]["rules"][i]["id"], result["ruleId"]);
        }
    }
}

#[test]
fn junit_is_well_formed_and_counts_files() {
    let registry = Registry::builtin().expect("rules");
    let (outcome, settings) = sample(&registry);
    let xml = render(Format::Junit, &registry, &outcome, &settings, false);
    assert!(xml.starts_with("<?xml"));
    // one suite per scanned file, with its findings or one passing case
    assert_eq!(xml.matches("<testsuite ").count(), outcome.files_scanned());
    assert_eq!(
        xml.matches("<failure").count(),
        outcome.diagnostics.iter().filter(|d| d.suppressed.is_none()).count()
    );
    assert!(xml.contains("name=\"no findings\""));
    assert!(!xml.contains('\u{1b}'));
}

/// Through the real binary: `--output` writes every format to the file, nothing to stdout, no
/// colour, and the exit code still reflects the findings.
#[test]
fn cli_writes_each_format_to_a_file() {
    let dir = std::env::temp_dir().join(format!("linea-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for format in ["human", "concise", "json", "sarif", "junit", "github"] {
        let out = dir.join(format!("report.{format}"));
        let assert = assert_cmd::Command::cargo_bin("linea")
            .expect("binary")
            .args([
                "check",
                "fixtures/core/PARSE001/fail.yaml",
                "--format",
                format,
                "--output",
            ])
            .arg(&out)
            .env_remove("NO_COLOR")
            .assert()
            .code(1);
        assert!(assert.get_output().stdout.is_empty(), "{format}: stdout not empty");
        let text = std::fs::read_to_string(&out).expect("report written");
        assert!(text.contains("PARSE001"), "{format}: {text}");
        assert!(!text.contains('\u{1b}'), "{format}: ANSI escape in a file");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]
    /// Any text and any span, even past the end or inside a multi-byte character, renders in
    /// every format without panicking, and SARIF and JSON stay valid JSON.
    #[test]
    fn reporters_never_panic(text in "(?s)[a-z:é😀\t\r\n\"<&%,\u{7}]{0,80}", start in 0usize..120, len in 0usize..40) {
        let registry = Registry::builtin().expect("rules");
        let settings = Settings::from_config(select(&["core"]), None, root()).expect("settings");
        let mut outcome = engine::run(
            &registry,
            &settings,
            vec![SourceInput::Memory { path: "p/x.yaml".into(), kind: linea::discover::FileKind::Yaml, text }],
        );
        let id = outcome.project.files[0].source.id;
        outcome.diagnostics.push(
            Diagnostic::new("PARSE001", Severity::Warning, id, Span::new(start, start + len), "m")
                .with_label(id, Span::new(start + len, start), "backwards"),
        );
        for format in [Format::Human, Format::Concise, Format::Json, Format::Sarif, Format::Junit, Format::Github] {
            let out = render(format, &registry, &outcome, &settings, true);
            if matches!(format, Format::Json | Format::Sarif) {
                proptest::prop_assert!(serde_json::from_str::<serde_json::Value>(&out).is_ok());
            }
        }
    }
}
