//! Fuzz target bodies, shared by the cargo-fuzz targets under `fuzz/` and the stable smoke test
//! (`tests/fuzz_smoke.rs`), so that both run the same code. Not part of linea's API.
//!
//! Each target takes arbitrary bytes, lints or parses them as one kind of file and panics only
//! on a bug: a parser or rule panic, a rule that panicked inside the engine (an internal error),
//! a span outside its text, a JSON or SARIF report that is not JSON. Inputs are cut to
//! [`MAX_INPUT`] bytes: the fuzzer looks for crashes, the hostile tests for cost.
//!
//! Run a target with `cargo +nightly fuzz run <target> fuzz/corpus/<target> fuzz/seeds/<target>`
//! (see `docs/security.md`); [`TARGETS`] lists them with their seeds' directory.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::config::Settings;
use crate::discover::FileKind;
use crate::report::{self, Format, Report};
use crate::rules::engine::{self, Outcome, SourceInput};
use crate::rules::registry::Registry;
use crate::source::{FileId, Span};

/// Bytes of one input that a target looks at.
pub const MAX_INPUT: usize = 64 * 1024;

/// A fuzz target: its name (the cargo-fuzz target and `fuzz/seeds/<name>/`) and its body.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target, in the order of `fuzz/Cargo.toml`.
pub const TARGETS: &[Target] = &[
    Target {
        name: "dockerfile",
        run: dockerfile,
    },
    Target {
        name: "terraform",
        run: terraform,
    },
    Target { name: "k8s", run: k8s },
    Target {
        name: "python",
        run: python,
    },
    Target {
        name: "shell",
        run: shell,
    },
    Target {
        name: "workflow",
        run: workflow,
    },
    Target {
        name: "compose",
        run: compose,
    },
    Target {
        name: "helm_template",
        run: helm_template,
    },
    Target {
        name: "engine",
        run: engine,
    },
    Target {
        name: "report_human",
        run: report_human,
    },
    Target {
        name: "report_concise",
        run: report_concise,
    },
    Target {
        name: "report_json",
        run: report_json,
    },
    Target {
        name: "report_sarif",
        run: report_sarif,
    },
    Target {
        name: "report_junit",
        run: report_junit,
    },
    Target {
        name: "report_github",
        run: report_github,
    },
    Target {
        name: "report_markdown",
        run: report_markdown,
    },
];

fn text(data: &[u8]) -> String {
    let data = data.get(..MAX_INPUT).unwrap_or(data);
    String::from_utf8_lossy(data).into_owned()
}

fn settings() -> &'static Settings {
    static S: OnceLock<Settings> = OnceLock::new();
    S.get_or_init(Settings::default)
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| Registry::builtin().expect("the built-in rules load"))
}

fn within(span: Span, len: usize, what: &str) {
    assert!(
        span.start <= span.end && span.end <= len,
        "{what} span {span:?} outside a text of {len} bytes"
    );
}

/// Parse `data` as the file `path` of `kind`, the way a run does, and check the spans of its
/// syntax errors.
fn parse_as(path: &str, kind: FileKind, data: &[u8]) {
    let text = text(data);
    let len = text.len();
    let f = crate::project::parse(FileId(0), PathBuf::from(path), kind, text, settings());
    for e in &f.errors {
        within(e.span, len, "parse error");
    }
}

/// Lint `files` (path, kind, text) in memory with the built-in rules on the calling thread, and
/// check the outcome: no rule panicked, every finding lies inside its file.
fn lint(files: Vec<(&str, FileKind, String)>) -> Outcome {
    let inputs = files
        .into_iter()
        .map(|(path, kind, text)| SourceInput::Memory {
            path: PathBuf::from(path),
            kind,
            text,
        })
        .collect();
    let outcome = engine::run(registry(), settings(), inputs);
    assert!(outcome.internal_errors.is_empty(), "{:?}", outcome.internal_errors);
    for d in &outcome.diagnostics {
        let len = outcome.project.file(d.file).map_or(0, |f| f.source.text.len());
        within(d.span, len, &d.rule);
    }
    outcome
}

/// A Dockerfile (with its RUN scripts).
pub fn dockerfile(data: &[u8]) {
    parse_as("Dockerfile", FileKind::Dockerfile, data);
}

/// A Terraform file.
pub fn terraform(data: &[u8]) {
    parse_as("main.tf", FileKind::Terraform, data);
}

/// A YAML file read as Kubernetes manifests.
pub fn k8s(data: &[u8]) {
    parse_as("k8s/deploy.yaml", FileKind::Yaml, data);
}

/// A Python module.
pub fn python(data: &[u8]) {
    parse_as("app/main.py", FileKind::Python, data);
}

/// Shell text, as a RUN body or a CI step: every command and word lies inside it.
pub fn shell(data: &[u8]) {
    let text = text(data);
    let base = 7;
    let s = crate::lang::shell::parse(&text, base);
    let end = base + text.len();
    for c in &s.commands {
        within(c.span, end, "command");
        for w in c.assignments.iter().chain(std::iter::once(&c.name)).chain(&c.args) {
            within(w.span, end, "word");
        }
    }
    for p in &s.pipelines {
        within(p.span, end, "pipeline");
    }
}

/// A GitHub Actions workflow.
pub fn workflow(data: &[u8]) {
    parse_as(".github/workflows/ci.yml", FileKind::GithubWorkflow, data);
}

/// A Docker Compose file.
pub fn compose(data: &[u8]) {
    parse_as("compose.yaml", FileKind::Compose, data);
}

/// A Helm chart whose one template is `data`, rendered with its values.
pub fn helm_template(data: &[u8]) {
    let template = text(data);
    let fs = crate::render::helm::MemFs::new(&[
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: shop\nversion: 1.2.0\nappVersion: \"2.0\"\n",
        ),
        (
            "chart/values.yaml",
            "replicas: 2\nimage:\n  repository: shop\n  tag: \"\"\nlabels:\n  team: web\nlist: [a, b]\n",
        ),
        (
            "chart/templates/_helpers.tpl",
            "{{- define \"shop.name\" -}}{{ .Chart.Name }}{{- end }}\n",
        ),
        ("chart/templates/t.yaml", &template),
    ]);
    if let Some(r) = crate::render::helm::render(&fs, Path::new("chart"), settings()) {
        for o in &r.outputs {
            assert!(o.text.len() <= crate::budget::TEMPLATE_OUTPUT_BYTES.get() * 2);
        }
    }
}

/// Which file of the small repository the engine target gives each part of its input.
const REPO: &[(&str, FileKind)] = &[
    ("Dockerfile", FileKind::Dockerfile),
    ("infra/main.tf", FileKind::Terraform),
    ("k8s/deploy.yaml", FileKind::Yaml),
    (".github/workflows/ci.yml", FileKind::GithubWorkflow),
    ("app/main.py", FileKind::Python),
    ("compose.yaml", FileKind::Compose),
    ("requirements.txt", FileKind::Requirements),
    ("azure-pipelines.yml", FileKind::AzurePipeline),
];

/// The input split at NUL bytes into the files of [`REPO`] (the first part is the Dockerfile,
/// the second `infra/main.tf`...).
fn repo(data: &[u8]) -> Vec<(&'static str, FileKind, String)> {
    let data = data.get(..MAX_INPUT).unwrap_or(data);
    data.split(|b| *b == 0)
        .zip(REPO)
        .map(|(part, (path, kind))| (*path, *kind, String::from_utf8_lossy(part).into_owned()))
        .collect()
}

/// The engine, every built-in rule, on a small in-memory repository (see [`repo`]).
pub fn engine(data: &[u8]) {
    lint(repo(data));
}

fn report_in(format: Format, data: &[u8]) {
    let outcome = lint(repo(data));
    let r = Report {
        outcome: &outcome,
        registry: registry(),
        settings: settings(),
        show_suppressed: true,
        color: false,
        options: report::Options::default(),
    };
    let out = report::render(format, &r);
    match format {
        Format::Json | Format::Sarif => {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(&out) {
                panic!("{format:?} report is not JSON: {e}");
            }
        }
        // a finding never starts a line of its own that a runner would read as a command
        Format::Github | Format::Concise => {
            for line in out.lines() {
                assert!(
                    !line.starts_with("::")
                        || line.starts_with("::error ")
                        || line.starts_with("::warning ")
                        || line.starts_with("::notice "),
                    "{line}"
                );
            }
        }
        _ => {}
    }
}

/// The human report of the engine's findings on [`repo`].
pub fn report_human(data: &[u8]) {
    report_in(Format::Human, data);
}

/// The concise report.
pub fn report_concise(data: &[u8]) {
    report_in(Format::Concise, data);
}

/// The JSON report, which must parse.
pub fn report_json(data: &[u8]) {
    report_in(Format::Json, data);
}

/// The SARIF report, which must parse.
pub fn report_sarif(data: &[u8]) {
    report_in(Format::Sarif, data);
}

/// The JUnit report.
pub fn report_junit(data: &[u8]) {
    report_in(Format::Junit, data);
}

/// GitHub workflow commands.
pub fn report_github(data: &[u8]) {
    report_in(Format::Github, data);
}

/// The Markdown summary.
pub fn report_markdown(data: &[u8]) {
    report_in(Format::Markdown, data);
}
