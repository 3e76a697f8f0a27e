//! What a pipeline needs from `linea check`: several reports in one run, `--exit-zero`,
//! `--statistics`, `--diff-base`, `--color`, reports that code scanning and test views accept,
//! and reports that a hostile repository cannot use to inject terminal escapes or workflow
//! commands. Inputs are Dockerfiles and Kubernetes YAML with findings every platform engineer
//! would agree with (`latest` tags, root users, no namespace).

mod common;
use common::{linea_stdin, temp_repo, Run};

use std::fs;
use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

const DOCKERFILE: &str = "FROM python:latest\nUSER root\nCMD [\"python\", \"-m\", \"app\"]\n";

fn repo(files: &[(&str, &str)]) -> TempDir {
    let dir = temp_repo();
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
        fs::write(p, text).expect("write");
    }
    dir
}

fn linea(dir: &Path, args: &[&str]) -> Run {
    linea_stdin(dir, args, None)
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=linea",
            "-c",
            "user.email=linea@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("run git")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn several_reports_in_one_run_and_human_stays_on_the_terminal() {
    let r = repo(&[("Dockerfile", DOCKERFILE)]);
    let run = linea(
        r.path(),
        &[
            "check",
            "--output-format",
            "sarif:out/linea.sarif",
            "--output-format",
            "junit:linea.xml",
        ],
    );
    assert_eq!(run.code, 2, "the out/ directory does not exist: {}", run.stderr);
    assert!(
        run.stderr.contains("cannot write report out/linea.sarif: "),
        "{}",
        run.stderr
    );
    assert!(
        r.path().join("linea.xml").is_file(),
        "the other reports are still written"
    );

    fs::create_dir(r.path().join("out")).expect("mkdir");
    let run = linea(
        r.path(),
        &[
            "check",
            "--output-format",
            "sarif:out/linea.sarif",
            "--output-format",
            "junit:linea.xml",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("× image `python:latest` uses the `latest` tag"),
        "{}",
        run.stdout
    );
    let sarif = json(&fs::read_to_string(r.path().join("out/linea.sarif")).expect("sarif"));
    assert!(!sarif["runs"][0]["results"].as_array().expect("results").is_empty());
    let junit = fs::read_to_string(r.path().join("linea.xml")).expect("junit");
    assert!(junit.contains("<failure"), "{junit}");

    // a report without a file replaces the human one on stdout; two can share it
    let run = linea(
        r.path(),
        &[
            "check",
            "--output-format",
            "sarif:out/linea.sarif",
            "--output-format",
            "github",
            "--output-format",
            "concise",
        ],
    );
    assert!(!run.stdout.contains('×'), "{}", run.stdout);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("::error file=Dockerfile,line=1")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("Dockerfile:1:6: DF001 [error]")),
        "{}",
        run.stdout
    );

    let run = linea(r.path(), &["check", "--output-format", "yaml:x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown format `yaml`"), "{}", run.stderr);
}

#[test]
fn exit_zero_and_statistics() {
    let r = repo(&[("Dockerfile", DOCKERFILE), ("api/Dockerfile", DOCKERFILE)]);
    let run = linea(r.path(), &["check", "--exit-zero", "-f", "concise"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("DF001"));
    // a usage error is still one
    assert_eq!(linea(r.path(), &["check", "--exit-zero", "missing/"]).code, 2);

    let run = linea(
        r.path(),
        &["check", "--statistics", "--output-format", "sarif:linea.sarif"],
    );
    assert_eq!(run.code, 1);
    let df001 = run.stdout.lines().find(|l| l.contains("DF001")).expect("a DF001 row");
    assert_eq!(
        df001.split_whitespace().collect::<Vec<_>>(),
        ["2", "DF001", "error", "image-tag-latest"]
    );
    assert!(
        !run.stdout.contains('×'),
        "statistics replace the findings: {}",
        run.stdout
    );
    assert!(r.path().join("linea.sarif").is_file(), "file reports are unchanged");

    let run = linea(r.path(), &["check", "--statistics", "-f", "json"]);
    let rows = json(&run.stdout);
    let row = rows
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["rule"] == "DF001")
        .expect("DF001");
    assert_eq!(
        (row["count"].as_u64(), row["slug"].as_str()),
        (Some(2), Some("image-tag-latest"))
    );

    let md = linea(r.path(), &["check", "-f", "markdown"]).stdout;
    assert!(md.starts_with("### linea\n"), "{md}");
    assert!(md.contains("| DF001 | image-tag-latest | error | 2 | 0 |"), "{md}");
}

#[test]
fn color_flag_and_environment() {
    let r = repo(&[("Dockerfile", DOCKERFILE)]);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_linea"));
        cmd.current_dir(r.path()).arg("check").args(args);
        for v in ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"] {
            cmd.env_remove(v);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8_lossy(&cmd.output().expect("run").stdout).into_owned()
    };
    let has_escape = |s: String| s.contains('\u{1b}');
    assert!(!has_escape(run(&[], &[])), "a pipe gets no colour");
    assert!(has_escape(run(&["--color", "always"], &[("NO_COLOR", "1")])));
    assert!(has_escape(run(&[], &[("FORCE_COLOR", "1")])));
    assert!(has_escape(run(&[], &[("CLICOLOR_FORCE", "1")])));
    assert!(!has_escape(run(&[], &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")])));
    assert!(!has_escape(run(&["--color", "never"], &[("FORCE_COLOR", "1")])));
    // reports in files never get colour
    run(&["--color", "always", "--output-format", "human:report.txt"], &[]);
    assert!(!fs::read_to_string(r.path().join("report.txt"))
        .expect("report")
        .contains('\u{1b}'));
}

#[test]
fn diff_base_reports_only_changed_lines_and_follows_renames() {
    let r = repo(&[
        (
            "Dockerfile",
            "FROM python:3.12-slim\nUSER 10001\nCMD [\"python\", \"-m\", \"app\"]\n",
        ),
        ("worker/Dockerfile", DOCKERFILE),
    ]);
    git(r.path(), &["init", "-q", "-b", "main"]);
    git(r.path(), &["add", "-A"]);
    git(r.path(), &["commit", "-qm", "base"]);
    git(r.path(), &["checkout", "-qb", "feature"]);
    // a changed line, a renamed file with its old findings, a new untracked file
    fs::write(
        r.path().join("Dockerfile"),
        "FROM python:latest\nUSER 10001\nCMD [\"python\", \"-m\", \"app\"]\n",
    )
    .expect("write");
    git(r.path(), &["mv", "worker/Dockerfile", "worker/worker.Dockerfile"]);
    git(r.path(), &["commit", "-qam", "change"]);
    fs::create_dir(r.path().join("jobs")).expect("mkdir");
    fs::write(r.path().join("jobs/Dockerfile"), "FROM alpine:latest\n").expect("write");

    let all = linea(r.path(), &["check", "-f", "concise"]);
    assert!(
        all.stdout.contains("worker/worker.Dockerfile:2:6: DF003"),
        "{}",
        all.stdout
    );
    let run = linea(r.path(), &["check", "-f", "concise", "--diff-base", "main"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l.starts_with("Dockerfile:1:6: DF001")),
        "{}",
        run.stdout
    );
    assert!(
        lines.iter().any(|l| l.starts_with("jobs/Dockerfile:1:6: DF001")),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("worker"),
        "a rename changes no line: {}",
        run.stdout
    );
    assert!(!run.stdout.contains("DF002 ") || lines.iter().all(|l| !l.starts_with("Dockerfile:2")));

    // from a subdirectory, the same lines
    let sub = linea(
        &r.path().join("jobs"),
        &["check", "-f", "concise", "--diff-base", "main", "."],
    );
    assert!(
        sub.stdout.contains("Dockerfile:1:6: DF001"),
        "{} {}",
        sub.stdout,
        sub.stderr
    );

    let bad = linea(r.path(), &["check", "--diff-base", "no-such-branch"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("`no-such-branch` names no commit"),
        "{}",
        bad.stderr
    );
}

#[test]
fn sarif_follows_overrides_and_is_relative_to_the_repository_root() {
    let r = repo(&[
        ("linea.toml", "[severity]\nDF003 = \"info\"\n"),
        ("services/api/Dockerfile", DOCKERFILE),
        (".git/HEAD", "ref: refs/heads/main\n"),
    ]);
    let sub = r.path().join("services/api");
    let run = linea(&sub, &["check", "-f", "sarif", "--sarif-category", "api"]);
    let log = json(&run.stdout);
    let run0 = &log["runs"][0];
    assert_eq!(run0["automationDetails"]["id"], "api/");
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(
        rule("DF003")["properties"]["security-severity"],
        "2.0",
        "follows the override to info"
    );
    assert_eq!(rule("DF003")["defaultConfiguration"]["level"], "note");
    assert!(rule("DF001")["help"]["markdown"]
        .as_str()
        .expect("markdown")
        .contains("## Why is this bad?"));
    assert!(
        rules.iter().all(|r| r.get("helpUri").is_none()),
        "no repository URL is configured"
    );
    for result in run0["results"].as_array().expect("results") {
        let loc = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uri"], "services/api/Dockerfile");
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
    }
    let base = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().expect("base");
    assert!(base.starts_with("file:///") && base.ends_with('/'), "{base}");

    let capped = linea(&sub, &["check", "-f", "sarif", "--sarif-max-results", "1"]);
    let log = json(&capped.stdout);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["level"], "error", "the most severe is kept");
    let notes = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notes.to_string().contains("omitted by --sarif-max-results 1"),
        "{notes}"
    );
}

#[test]
fn junit_names_survive_moved_lines_and_only_fail_at_fail_on() {
    let r = repo(&[("Dockerfile", DOCKERFILE)]);
    let names = |dir: &Path| -> Vec<String> {
        let xml = linea(dir, &["check", "-f", "junit"]).stdout;
        xml.lines()
            .filter_map(|l| l.trim().strip_prefix("<testcase name=\""))
            .map(|l| l.split('"').next().unwrap_or("").to_string())
            .collect()
    };
    let before = names(r.path());
    fs::write(
        r.path().join("Dockerfile"),
        format!("# syntax=docker/dockerfile:1\n\n{DOCKERFILE}"),
    )
    .expect("write");
    assert_eq!(names(r.path()), before);
    assert!(
        before.iter().any(|n| n.starts_with("DF001 image-tag-latest #")),
        "{before:?}"
    );

    let xml = linea(r.path(), &["check", "-f", "junit", "--fail-on", "error"]).stdout;
    let case = |id: &str| {
        let at = xml
            .find(&format!("<testcase name=\"{id} "))
            .unwrap_or_else(|| panic!("{id}: {xml}"));
        xml[at..].split("</testcase>").next().unwrap_or("").to_string()
    };
    assert!(case("DF001").contains("<failure"), "error is at fail-on");
    assert!(
        !case("DF002").contains("<failure"),
        "a warning is below it: {}",
        case("DF002")
    );
    assert!(case("DF002").contains("<system-out>"), "{}", case("DF002"));
}

/// A file name and a YAML value carrying an OSC title sequence, a screen clear, a C1 CSI,
/// a bidi override and a newline followed by a workflow command.
#[test]
fn hostile_names_and_values_are_escaped_in_every_format() {
    let evil = "x\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}31m\u{202e}\n::error file=a::injected";
    let dir = temp_repo();
    let k8s = dir.path().join("k8s");
    fs::create_dir(&k8s).expect("mkdir");
    let yaml = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {:?}\ndata:\n  a: b\n",
        evil
    )
    .replace("\\u{1b}", "\\e")
    .replace("\\u{7}", "\\a")
    .replace("\\u{9b}", "\\x9b")
    .replace("\\u{202e}", "\\u202e");
    fs::write(k8s.join("config.yaml"), &yaml).expect("write");
    // a file name with a newline and a workflow command (possible on Linux)
    fs::write(
        k8s.join("\n::warning file=b::named.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    )
    .expect("write");
    fs::write(dir.path().join("::error::api.Dockerfile"), DOCKERFILE).expect("write");
    let mut checked = 0;
    for format in ["human", "concise", "github", "junit", "json", "sarif", "markdown"] {
        let run = linea(dir.path(), &["check", "--color", "always", "-f", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        if format != "markdown" {
            assert!(
                run.stdout.contains("owned"),
                "{format}: the value is reported: {}",
                run.stdout
            );
            assert!(run.stdout.contains("api.Dockerfile"), "{format}: {}", run.stdout);
        }
        for (i, line) in run.stdout.lines().enumerate() {
            let ours = format == "github"
                && ["::error file=", "::warning file=", "::notice file="]
                    .iter()
                    .any(|p| line.starts_with(p));
            assert!(
                ours || !line.trim_start().starts_with("::"),
                "{format}: line {i} starts a command: {line:?}"
            );
        }
        let raw: Vec<char> = run
            .stdout
            .chars()
            .filter(|&c| (c.is_control() && c != '\n' && c != '\u{1b}') || ('\u{202a}'..='\u{202e}').contains(&c))
            .collect();
        assert!(raw.is_empty(), "{format}: raw control characters {raw:?}");
        // ESC only as linea's own colour codes (`ESC [ digits m`), never the file's
        for (at, _) in run.stdout.match_indices('\u{1b}') {
            let rest = &run.stdout[at + 1..];
            let sgr = rest.starts_with('[')
                && rest[1..]
                    .chars()
                    .take_while(|c| *c != 'm')
                    .all(|c| c.is_ascii_digit() || c == ';');
            assert!(sgr, "{format}: {:?}", &rest[..rest.len().min(12)]);
        }
        checked += 1;
    }
    assert_eq!(checked, 7);
    // JSON keeps the value itself, escaped the JSON way
    let doc = json(&linea(dir.path(), &["check", "-f", "json"]).stdout);
    let values = doc.to_string();
    assert!(values.contains("\\u001b]0;owned"), "{values}");
}

#[test]
fn says_what_it_did_not_check() {
    let r = repo(&[
        ("notes.txt", "hello\n"),
        ("empty/.keep", ""),
        ("Dockerfile", DOCKERFILE),
    ]);
    let run = linea(r.path(), &["check", "notes.txt", "empty"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("notes.txt: not a kind of file linea checks"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("empty: no files linea checks in this directory"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no files were checked"), "{}", run.stderr);
    let run = linea(r.path(), &["check", "-f", "concise", "Dockerfile"]);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
}

#[test]
fn rules_and_explain_include_the_configured_custom_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = repo(&[("linea.toml", "rules = [\"policies\"]\n")]);
    let src = root.join("tests/policies");
    let dst = r.path().join("policies");
    fs::create_dir(&dst).expect("mkdir");
    for e in fs::read_dir(&src).expect("policies") {
        let e = e.expect("entry");
        if e.path().is_file() {
            fs::copy(e.path(), dst.join(e.file_name())).expect("copy");
        }
    }
    let list = linea(r.path(), &["rules"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(list.stdout.contains("ORG001"), "{}", list.stdout);
    let explain = linea(r.path(), &["explain", "ORG001"]);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(explain.stdout.contains("ORG001"), "{}", explain.stdout);
}

#[test]
fn init_does_not_shadow_tool_linea_in_pyproject() {
    let r = repo(&[(
        "pyproject.toml",
        "[project]\nname = \"payments\"\n\n[tool.linea]\nfail-on = \"error\"\n",
    )]);
    let run = linea(r.path(), &["init"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("pyproject.toml already configures linea in [tool.linea]"),
        "{}",
        run.stderr
    );
    assert!(!r.path().join("linea.toml").exists());
    assert_eq!(linea(r.path(), &["init", "--force"]).code, 0);
    assert!(r.path().join("linea.toml").is_file());
    // a pyproject.toml without the table is no reason to refuse
    let r = repo(&[("pyproject.toml", "[project]\nname = \"payments\"\n")]);
    assert_eq!(linea(r.path(), &["init"]).code, 0);
}

#[test]
fn a_trailing_suppression_in_a_dockerfile_gets_a_hint() {
    let r = repo(&[(
        "Dockerfile",
        "FROM python:3.12-slim\nRUN pip install flask # linea: ignore[DF010] the layer is squashed\n",
    )]);
    let run = linea(r.path(), &["check", "-f", "concise"]);
    assert!(
        run.stdout.contains("Dockerfile:2:9: DF010"),
        "not suppressed: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("LINEA001 [warning] `linea: ignore` after a Dockerfile instruction is part of it"),
        "{}",
        run.stdout
    );
}
