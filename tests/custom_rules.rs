//! Users' declarative rules end to end: `linea test` on a policy directory, `--rules` in
//! `linea check`, and a broken rule file as a load error pointing into the file.

use std::path::Path;

use assert_cmd::Command;

fn linea() -> Command {
    let mut c = Command::cargo_bin("linea").expect("binary");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn policy_dir_tests_pass() {
    let out = linea().args(["test", "tests/policies"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("ok    ORG001 (2 cases)"), "{stdout}");
    assert!(stdout.contains("2 rules tested, 0 failed"), "{stdout}");
}

#[test]
fn failing_policy_tests_name_the_unexpected_finding() {
    let out = linea().args(["test", "tests/policies-failing"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL  ORG003"), "{stdout}");
    assert!(stdout.contains("unexpected pass.tf:3:25 ORG003"), "{stdout}");
}

#[test]
fn broken_rule_is_exit_2_with_position() {
    for args in [
        vec!["test", "tests/policies-broken"],
        vec!["check", "--rules", "tests/policies-broken", "tests/policies/fixtures"],
    ] {
        let out = linea().args(&args).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr
                .contains("tests/policies-broken/ORG001.yaml:29:5: unknown assertion key `gtee`; did you mean `gte`?"),
            "{stderr}"
        );
    }
}

#[test]
fn custom_rules_run_in_check() {
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/policies").is_dir());
    let out = linea()
        .args([
            "check",
            "--rules",
            "tests/policies",
            "tests/policies/fixtures",
            "-f",
            "concise",
            "--select",
            "ORG",
        ])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("ORG001/fail.tf:8:32: ORG001"), "{stdout}");
    assert!(stdout.contains("ORG002/fail.tf:9:25: ORG002"), "{stdout}");
    assert_eq!(stdout.lines().filter(|l| l.contains(": ORG")).count(), 2, "{stdout}");
}

/// The complete rules in docs/custom-rules.md (blocks starting with `id:`) are the files of
/// tests/policies-docs, whose fixtures show that they load and fire.
#[test]
fn documented_examples_are_tested() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/custom-rules.md")).expect("read docs");
    let mut ids = Vec::new();
    for block in doc.split("```yaml\n").skip(1) {
        let Some((body, _)) = block.split_once("```") else {
            continue;
        };
        let Some(id) = body.strip_prefix("id: ").and_then(|r| r.split_whitespace().next()) else {
            continue;
        };
        let file = root.join("tests/policies-docs").join(format!("{id}.yaml"));
        let tested = std::fs::read_to_string(&file).unwrap_or_default();
        assert_eq!(
            body,
            tested,
            "the {id} example in docs/custom-rules.md differs from {}",
            file.display()
        );
        ids.push(id.to_string());
    }
    assert!(ids.len() >= 7, "{ids:?}");
    let out = linea().args(["test", "tests/policies-docs"]).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("{} rules tested, 0 failed", ids.len())),
        "{stdout}"
    );
}

#[test]
fn job_findings_of_an_included_template_point_into_the_template() {
    let dir = tempfile::tempdir().expect("temp dir");
    // a repository root: no config above the temp dir applies
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("templates")).expect("mkdir");
    std::fs::write(
        dir.path().join("azure-pipelines.yml"),
        "trigger: [main]\nstages:\n  - stage: Build\n    jobs:\n      - template: templates/test-jobs.yml\n      - job: lint\n        steps:\n          - script: ruff check .\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("templates/test-jobs.yml"),
        "jobs:\n  - job: unit_tests\n    pool:\n      vmImage: ubuntu-latest\n    steps:\n      - script: pytest -q\n",
    )
    .expect("write");
    let out = linea()
        .args([
            "check",
            "--rules",
            "tests/policies-docs",
            "--select",
            "ORG050",
            "-f",
            "concise",
        ])
        .arg(dir.path())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<&str> = stdout.lines().filter(|l| l.contains(": ORG050")).collect();
    assert_eq!(findings.len(), 2, "{stdout}");
    assert!(
        findings.iter().any(|l| l.contains("azure-pipelines.yml:6:9: ORG050")),
        "{stdout}"
    );
    assert!(
        findings
            .iter()
            .any(|l| l.contains("test-jobs.yml:2:5: ORG050") && l.contains("`unit_tests`")),
        "{stdout}"
    );
}
