//! The `linea` binary end to end: exit codes, configuration and its errors, discovery, stdin,
//! suppressions, baseline, `init`/`schema`; plus the engine's robustness on arbitrary input.
//! Inputs are YAML and the engine rules (PARSE*, LINEA*), so these tests do not depend on any
//! rule family.

mod common;
use common::{linea_stdin, temp_repo, Run};

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// A YAML file that does not parse: PARSE001 on line 4.
const BROKEN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments: api\n";
/// A YAML file that parses.
const GOOD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments-api\n  namespace: payments\n";

/// A temporary repository holding `files` (path, content); directories are created.
fn repo(files: &[(&str, &str)]) -> TempDir {
    let dir = temp_repo();
    for (path, text) in files {
        write(dir.path(), path, text.as_bytes());
    }
    dir
}

fn write(root: &Path, path: &str, bytes: &[u8]) {
    let p = root.join(path);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("create dirs");
    }
    fs::write(p, bytes).expect("write file");
}

fn linea(dir: &Path, args: &[&str]) -> Run {
    linea_stdin(dir, args, None)
}

/// `linea check -f concise ARGS` in `dir`.
fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check", "-f", "concise"];
    all.extend_from_slice(args);
    linea(dir, &all)
}

/// Rule ids and `path:line` of the reported findings, from concise output.
fn findings(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(4, ':');
            let (path, line, _col, rest) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            let id = rest.split_whitespace().next()?;
            Some(format!("{id} {path}:{line}"))
        })
        .collect()
}

// ---- exit codes ---------------------------------------------------------------------------

#[test]
fn exit_0_when_clean_1_on_findings_2_on_bad_usage() {
    let clean = repo(&[("k8s/cm.yaml", GOOD)]);
    let r = check(clean.path(), &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty());

    let dirty = repo(&[("k8s/cm.yaml", BROKEN)]);
    let r = check(dirty.path(), &[]);
    assert_eq!(r.code, 1);
    assert_eq!(findings(&r), ["PARSE001 k8s/cm.yaml:4"]);

    let r = check(dirty.path(), &["does-not-exist"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("does-not-exist: no such file or directory"),
        "{}",
        r.stderr
    );
    let r = linea(dirty.path(), &["check", "--no-such-flag"]);
    assert_eq!(r.code, 2);
}

#[test]
fn help_documents_exit_codes() {
    let dir = repo(&[]);
    let r = linea(dir.path(), &["check", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit codes:") && r.stdout.contains("2  usage, configuration or internal error"));
}

#[test]
fn fail_on_sets_the_threshold() {
    // LINEA001 is a warning: fails by default, passes with fail-on = "error"
    let files = [("cm.yaml", "# linea: ignore[PARSE001] stale\napiVersion: v1\n")];
    let dir = repo(&files);
    assert_eq!(check(dir.path(), &[]).code, 1);
    assert_eq!(check(dir.path(), &["--fail-on", "error"]).code, 0);
    write(dir.path(), "linea.toml", b"fail-on = \"error\"\n");
    assert_eq!(check(dir.path(), &[]).code, 0);
    // the command line wins over the file
    assert_eq!(check(dir.path(), &["--fail-on", "warning"]).code, 1);
}

#[test]
fn severity_override_changes_the_exit_code() {
    let dir = repo(&[("cm.yaml", BROKEN), ("linea.toml", "[severity]\nPARSE001 = \"info\"\n")]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("PARSE001 [info]"), "{}", r.stdout);
    // by slug, and with fail-on info it fails again
    write(
        dir.path(),
        "linea.toml",
        b"fail-on = \"info\"\n[severity]\nsyntax-error = \"info\"\n",
    );
    assert_eq!(check(dir.path(), &[]).code, 1);
}

// ---- select / ignore / per-path-ignores -----------------------------------------------------

#[test]
fn ignore_by_id_slug_family_and_prefix() {
    let dir = repo(&[("cm.yaml", BROKEN)]);
    for sel in ["PARSE001", "parse001", "syntax-error", "core", "PARSE", "ALL"] {
        let r = check(dir.path(), &["--ignore", sel]);
        assert_eq!(r.code, 0, "--ignore {sel}: {}", r.stdout);
        write(dir.path(), "linea.toml", format!("ignore = [\"{sel}\"]\n").as_bytes());
        let r = check(dir.path(), &[]);
        assert_eq!(r.code, 0, "ignore = [{sel}]: {}{}", r.stdout, r.stderr);
        fs::remove_file(dir.path().join("linea.toml")).expect("rm");
    }
}

#[test]
fn select_limits_the_rules() {
    let dir = repo(&[
        ("cm.yaml", BROKEN),
        ("svc.yaml", "# linea: ignore[K8S999] no such rule\na: 1\n"),
    ]);
    let r = check(dir.path(), &[]);
    assert_eq!(findings(&r), ["PARSE001 cm.yaml:4", "LINEA001 svc.yaml:1"]);
    let r = check(dir.path(), &["--select", "LINEA"]);
    assert_eq!(findings(&r), ["LINEA001 svc.yaml:1"]);
    let r = check(dir.path(), &["--select", "syntax-error"]);
    assert_eq!(findings(&r), ["PARSE001 cm.yaml:4"]);
    write(dir.path(), "linea.toml", b"select = [\"PARSE\"]\n");
    assert_eq!(findings(&check(dir.path(), &[])), ["PARSE001 cm.yaml:4"]);
}

#[test]
fn per_path_ignores() {
    let dir = repo(&[
        ("generated/cm.yaml", BROKEN),
        ("k8s/cm.yaml", BROKEN),
        (
            "linea.toml",
            "[per-path-ignores]\n\"generated/**\" = [\"syntax-error\"]\n",
        ),
    ]);
    assert_eq!(findings(&check(dir.path(), &[])), ["PARSE001 k8s/cm.yaml:4"]);
    // a directory covers what is below it
    write(dir.path(), "linea.toml", b"[per-path-ignores]\n\"k8s\" = [\"PARSE\"]\n");
    assert_eq!(findings(&check(dir.path(), &[])), ["PARSE001 generated/cm.yaml:4"]);
    write(
        dir.path(),
        "linea.toml",
        b"[per-path-ignores]\n\"generated/**\" = [\"syntax-error\"]\n",
    );
    // globs are relative to the config file, also when checking a subdirectory
    assert_eq!(check(dir.path(), &["generated"]).code, 0);
}

// ---- configuration files and their errors --------------------------------------------------

#[test]
fn unknown_key_points_at_the_line_and_suggests() {
    let dir = repo(&[
        ("cm.yaml", GOOD),
        ("linea.toml", "fail-on = \"error\"\nselct = [\"PARSE001\"]\n"),
    ]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("linea.toml:2:1: unknown key `selct`; did you mean `select`?"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("selct = [\"PARSE001\"]"),
        "snippet shows the line: {}",
        r.stderr
    );

    write(
        dir.path(),
        "linea.toml",
        b"[ports]\nexternal = [443]\nextrenal = [8443]\n",
    );
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("linea.toml:3:1: unknown key `extrenal`; did you mean `external`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_values_are_errors() {
    let cases: &[(&str, &str)] = &[
        ("fail-on = \"critical\"\n", "linea.toml:1:"),
        ("\nmax-file-size = \"lots\"\n", "linea.toml:2:"),
        ("[ports]\ninternal = [8080, 99999]\n", "linea.toml:2:"),
        ("[environments]\nunknown-environment = \"maybe\"\n", "linea.toml:2:"),
        ("[environments]\nprod = [\"envs/{prod\"]\n", "linea.toml:2:"),
        ("select = \"ALL\"\n", "linea.toml:1:"),
        ("fail-on = \n", "linea.toml:1:"),
    ];
    for (text, at) in cases {
        let dir = repo(&[("cm.yaml", GOOD), ("linea.toml", text)]);
        let r = check(dir.path(), &[]);
        assert_eq!(r.code, 2, "{text}");
        assert!(r.stderr.contains(at), "{text}: {}", r.stderr);
    }
}

#[test]
fn unknown_rule_names_are_errors_with_suggestions() {
    let cases: &[(&str, &str)] = &[
        ("select = [\"PARSE01\"]\n", "linea.toml:1:11: `PARSE01` in `select` names no rule; did you mean `PARSE001`?"),
        ("ignore = [\"LINEA001\", \"sytax-error\"]\n", "linea.toml:1:23: `sytax-error` in `ignore` names no rule; did you mean `syntax-error`?"),
        ("[severity]\nPARSE099 = \"info\"\n", "linea.toml:2:1: `PARSE099` in `severity` names no rule"),
        ("[per-path-ignores]\n\"tests/**\" = [\"unused-supression\"]\n", "linea.toml:2:15: `unused-supression` in `per-path-ignores` names no rule; did you mean `unused-suppression`?"),
    ];
    for (text, expected) in cases {
        let dir = repo(&[("cm.yaml", GOOD), ("linea.toml", text)]);
        let r = check(dir.path(), &[]);
        assert_eq!(r.code, 2, "{text}");
        assert!(r.stderr.contains(expected), "{text}: {}", r.stderr);
    }
    let dir = repo(&[("cm.yaml", GOOD)]);
    let r = check(dir.path(), &["--select", "PARSE01"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `PARSE001`?"), "{}", r.stderr);
}

#[test]
fn pyproject_tool_linea_is_discovered_and_errors_point_into_it() {
    let py = "[project]\nname = \"payments\"\nversion = \"1.0\"\n\n[tool.linea]\nignore = [\"PARSE001\"]\n";
    let dir = repo(&[("svc/k8s/cm.yaml", BROKEN), ("pyproject.toml", py)]);
    // found by walking up from the scanned path
    assert_eq!(check(dir.path(), &["svc/k8s"]).code, 0);
    write(
        dir.path(),
        "pyproject.toml",
        format!("{py}requir-reason = true\n").as_bytes(),
    );
    let r = check(dir.path(), &["svc"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("pyproject.toml:7:1: unknown key `requir-reason`; did you mean `require-reason`?"),
        "{}",
        r.stderr
    );
    // a pyproject without [tool.linea] is not a config: the search goes on upward
    let dir = repo(&[
        ("linea.toml", "ignore = [\"PARSE001\"]\n"),
        ("svc/pyproject.toml", "[project]\nname = \"x\"\n"),
        ("svc/cm.yaml", BROKEN),
    ]);
    // (the layout family would judge the Python project itself)
    assert_eq!(check(dir.path(), &["svc", "--ignore", "layout"]).code, 0);
}

#[test]
fn linea_toml_wins_over_pyproject_and_config_flag_wins_over_both() {
    let dir = repo(&[
        ("cm.yaml", BROKEN),
        ("linea.toml", "ignore = [\"PARSE001\"]\n"),
        ("pyproject.toml", "[tool.linea]\nfail-on = \"info\"\n"),
        ("ci/strict.toml", "select = [\"ALL\"]\n"),
    ]);
    assert_eq!(check(dir.path(), &["--ignore", "layout"]).code, 0);
    assert_eq!(check(dir.path(), &["--config", "ci/strict.toml"]).code, 1);
    write(dir.path(), "svc/pyproject.toml", b"[project]\nname = \"svc\"\n");
    let r = check(dir.path(), &["--config", "svc/pyproject.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("has no `[tool.linea]` table"), "{}", r.stderr);
    let r = check(dir.path(), &["--config", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.toml"), "{}", r.stderr);
}

#[test]
fn show_settings_names_the_file_and_prints_a_loadable_config() {
    let dir = repo(&[(
        "pyproject.toml",
        "[tool.linea]\nignore = [\"PARSE001\"]\n[tool.linea.ports]\ninternal = [8080]\n",
    )]);
    let r = linea(dir.path(), &["check", "--show-settings", "--fail-on", "error"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("# config file: pyproject.toml\n"), "{}", r.stdout);
    assert!(r.stdout.contains("fail-on = \"error\""), "{}", r.stdout);
    let reloaded = linea::config::parse_config(Path::new("linea.toml"), &r.stdout).expect("printed settings load");
    assert_eq!(reloaded.ports.internal, vec![8080]);
    assert_eq!(reloaded.ignore, vec!["PARSE001".to_string()]);
}

// ---- discovery ------------------------------------------------------------------------------

#[test]
fn walk_honours_gitignore_outside_git_includes_github_skips_git() {
    let dir = repo(&[
        (".gitignore", "generated/\n"),
        ("generated/cm.yaml", BROKEN),
        (".github/workflows/ci.yml", "on: push\njobs:\n  test: [\n"),
        (".git/hooks/cm.yaml", BROKEN),
        (".venv/lib/python3.12/site-packages/chart/cm.yaml", BROKEN),
        (".terraform/modules/aks/cm.yaml", BROKEN),
        ("web/node_modules/pkg/cm.yaml", BROKEN),
        ("k8s/cm.yaml", GOOD),
    ]);
    let r = check(dir.path(), &[]);
    let f = findings(&r);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].starts_with("PARSE001 .github/workflows/ci.yml:"), "{f:?}");
    // an explicitly named file is taken even when git-ignored
    assert_eq!(check(dir.path(), &["generated/cm.yaml"]).code, 1);
    // so is an explicitly named tool directory
    assert_eq!(check(dir.path(), &[".terraform/modules"]).code, 1);
}

#[test]
fn one_thread_walks_and_checks_like_the_default() {
    let dir = repo(&[
        (".gitignore", "generated/\n"),
        ("generated/cm.yaml", BROKEN),
        (".git/hooks/cm.yaml", BROKEN),
        (".venv/lib/cm.yaml", BROKEN),
        ("vendor/cm.yaml", BROKEN),
        ("k8s/base/cm.yaml", BROKEN),
        ("k8s/overlays/prod/cm.yaml", BROKEN),
        ("k8s/overlays/dev/cm.yaml", GOOD),
        ("deploy/cm.yaml", BROKEN),
    ]);
    let default = check(dir.path(), &["--exclude", "vendor"]);
    assert_eq!(
        findings(&default),
        [
            "PARSE001 deploy/cm.yaml:4",
            "PARSE001 k8s/base/cm.yaml:4",
            "PARSE001 k8s/overlays/prod/cm.yaml:4"
        ]
    );
    for n in ["1", "2"] {
        let r = check(dir.path(), &["--exclude", "vendor", "--threads", n]);
        assert_eq!((r.code, &r.stdout), (default.code, &default.stdout), "--threads {n}");
    }
}

#[test]
fn exclude_globs() {
    let dir = repo(&[
        ("vendor/chart/cm.yaml", BROKEN),
        ("apps/vendor/cm.yaml", BROKEN),
        ("legacy/old.yaml", BROKEN),
        ("k8s/cm.yaml", BROKEN),
    ]);
    let r = check(dir.path(), &["--exclude", "vendor", "--exclude", "legacy/*.yaml"]);
    assert_eq!(findings(&r), ["PARSE001 k8s/cm.yaml:4"]);
    // explicit files (pre-commit passes them) are excluded too
    assert_eq!(
        check(dir.path(), &["--exclude", "legacy/*.yaml", "legacy/old.yaml"]).code,
        0
    );
    write(dir.path(), "linea.toml", b"exclude = [\"k8s/**\", \"vendor\"]\n");
    let r = check(dir.path(), &[]);
    assert_eq!(findings(&r), ["PARSE001 legacy/old.yaml:4"]);
    assert_eq!(check(dir.path(), &["k8s/cm.yaml"]).code, 0);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed() {
    let outside = repo(&[("secret/cm.yaml", BROKEN), ("one.yaml", BROKEN)]);
    let dir = repo(&[("k8s/cm.yaml", GOOD)]);
    std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("k8s/linked-dir")).expect("symlink");
    std::os::unix::fs::symlink(outside.path().join("one.yaml"), dir.path().join("k8s/linked.yaml")).expect("symlink");
    // inside the root too: the target is scanned once, under its own path
    std::os::unix::fs::symlink(dir.path().join("k8s/cm.yaml"), dir.path().join("alias.yaml")).expect("symlink");
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn unreadable_files_are_parse002_and_the_run_goes_on() {
    let dir = repo(&[("k8s/cm.yaml", BROKEN), ("linea.toml", "max-file-size = \"1KiB\"\n")]);
    write(dir.path(), "k8s/latin1.yaml", b"name: caf\xe9\n");
    write(
        dir.path(),
        "k8s/big.yaml",
        format!("data: \"{}\"\n", "x".repeat(2000)).as_bytes(),
    );
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        findings(&r),
        [
            "PARSE002 k8s/big.yaml:1",
            "PARSE001 k8s/cm.yaml:4",
            "PARSE002 k8s/latin1.yaml:1"
        ]
    );
    assert!(r.stdout.contains("not valid UTF-8"), "{}", r.stdout);
    assert!(r.stdout.contains("max-file-size"), "{}", r.stdout);
    // an integer byte count works too
    write(dir.path(), "linea.toml", b"max-file-size = 100000\n");
    let r = check(dir.path(), &[]);
    assert_eq!(findings(&r), ["PARSE001 k8s/cm.yaml:4", "PARSE002 k8s/latin1.yaml:1"]);
    // a binary key store is expected to be binary: only the committed-secret finding
    write(dir.path(), "certs/gateway.pfx", b"0\x82\x0a\xff\xfe\x00binary");
    let r = check(dir.path(), &[]);
    assert_eq!(
        findings(&r),
        [
            "LAY014 certs/gateway.pfx:1",
            "PARSE001 k8s/cm.yaml:4",
            "PARSE002 k8s/latin1.yaml:1"
        ]
    );
}

#[test]
fn stdin_with_stdin_filename() {
    let dir = repo(&[("linea.toml", "[per-path-ignores]\n\"generated/**\" = [\"PARSE001\"]\n")]);
    let r = linea_stdin(
        dir.path(),
        &["check", "-f", "concise", "-", "--stdin-filename", "k8s/cm.yaml"],
        Some(BROKEN),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(findings(&r), ["PARSE001 k8s/cm.yaml:4"]);
    // the name also decides the path-based settings
    let r = linea_stdin(
        dir.path(),
        &["check", "-f", "concise", "-", "--stdin-filename", "generated/cm.yaml"],
        Some(BROKEN),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    // with no path, --stdin-filename reads stdin
    let r = linea_stdin(
        dir.path(),
        &["check", "-f", "concise", "--stdin-filename", "k8s/cm.yaml"],
        Some(BROKEN),
    );
    assert_eq!(findings(&r), ["PARSE001 k8s/cm.yaml:4"]);
    // the buffer replaces the file it names
    write(dir.path(), "k8s/cm.yaml", BROKEN.as_bytes());
    let r = linea_stdin(
        dir.path(),
        &["check", "-f", "concise", ".", "-", "--stdin-filename", "k8s/cm.yaml"],
        Some(GOOD),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = linea_stdin(dir.path(), &["check", "-"], Some(BROKEN));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--stdin-filename"), "{}", r.stderr);
    let r = linea_stdin(
        dir.path(),
        &["check", "-", "--stdin-filename", "README.md"],
        Some("# hi\n"),
    );
    assert_eq!(r.code, 2);
}

#[test]
fn environment_comes_from_the_path_and_config() {
    // DF002 (base image not pinned by digest) is production-only
    let dockerfile = "FROM python:3.12-slim\nUSER app\n";
    let dir = repo(&[]);
    let run = |name: &str| {
        let r = linea_stdin(
            dir.path(),
            &["check", "-f", "concise", "--select", "DF002", "--stdin-filename", name],
            Some(dockerfile),
        );
        findings(&r)
    };
    assert_eq!(run("envs/prod/Dockerfile"), ["DF002 envs/prod/Dockerfile:1"]);
    assert!(run("envs/dev/Dockerfile").is_empty());
    assert_eq!(
        run("Dockerfile"),
        ["DF002 Dockerfile:1"],
        "unknown counts as prod by default"
    );
    // checking a subdirectory keeps the names above it
    write(dir.path(), "infra/envs/dev/Dockerfile", dockerfile.as_bytes());
    write(dir.path(), "infra/envs/prod/Dockerfile", dockerfile.as_bytes());
    let r = check(dir.path(), &["--select", "DF002", "infra/envs/dev"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = check(dir.path(), &["--select", "DF002", "infra/envs/prod"]);
    assert_eq!(findings(&r), ["DF002 infra/envs/prod/Dockerfile:1"]);
    write(
        dir.path(),
        "linea.toml",
        b"[environments]\nunknown-environment = \"nonprod\"\nprod = [\"deploy/live-eu\"]\n",
    );
    assert!(run("Dockerfile").is_empty());
    assert_eq!(run("deploy/live-eu/Dockerfile"), ["DF002 deploy/live-eu/Dockerfile:1"]);
    // a suppression of a rule that does not run on a non-prod file is not "unused"
    let r = linea_stdin(
        dir.path(),
        &[
            "check",
            "-f",
            "concise",
            "--select",
            "DF002,LINEA001",
            "--stdin-filename",
            "envs/dev/Dockerfile",
        ],
        Some("# linea: ignore[DF002] dev image follows the tag\nFROM python:3.12-slim\nUSER app\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

// ---- suppressions ---------------------------------------------------------------------------

#[test]
fn suppressions_on_the_line_the_line_before_and_the_file() {
    let before = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  # linea: ignore[PARSE001] generated by an old chart\n  name: payments: api\n";
    let same =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments: api # linea: ignore[syntax-error] generated\n";
    let file = "# linea: ignore-file[PARSE001] vendored chart, fixed upstream\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments: api\n";
    for text in [before, same, file] {
        let dir = repo(&[("cm.yaml", text)]);
        let r = check(dir.path(), &[]);
        assert_eq!(r.code, 0, "{text}\n{}", r.stdout);
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        let r = check(dir.path(), &["--show-suppressed"]);
        assert_eq!(r.code, 0);
        assert!(
            r.stdout.contains("PARSE001") && r.stdout.contains("(suppressed)"),
            "{}",
            r.stdout
        );
        // JSON keeps the justification
        let r = linea(dir.path(), &["check", "-f", "json", "--show-suppressed"]);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        assert!(doc["diagnostics"][0]["suppressed"]["justification"]
            .as_str()
            .is_some_and(|j| !j.is_empty()));
    }
}

#[test]
fn unused_and_unknown_suppressions_are_linea001() {
    let text =
        "# linea: ignore[PARSE001] nothing to hide\napiVersion: v1\nkind: ConfigMap # linea: ignore[K8S999] typo\nmetadata: {name: payments-api, namespace: payments}\n";
    let dir = repo(&[("cm.yaml", text)]);
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1);
    assert_eq!(findings(&r), ["LINEA001 cm.yaml:1", "LINEA001 cm.yaml:3"]);
    assert!(r.stdout.contains("unknown rule `K8S999`"), "{}", r.stdout);
    // a suppression of a rule the config disables is not reported: teams share suppressions
    write(dir.path(), "linea.toml", b"ignore = [\"PARSE001\"]\n");
    assert_eq!(findings(&check(dir.path(), &[])), ["LINEA001 cm.yaml:3"]);
    let dir2 = repo(&[("cm.yaml", "a: 1 # linea: ignore[] why\n")]);
    let r = check(dir2.path(), &[]);
    assert_eq!(findings(&r), ["LINEA001 cm.yaml:1"]);
    assert!(r.stdout.contains("suppression names no rule"), "{}", r.stdout);
    // LINEA findings are suppressed like any other, and such a suppression is never "unused"
    let dir3 = repo(&[(
        "cm.yaml",
        "# linea: ignore-file[unused-suppression] vendored chart, comments kept from upstream\n# linea: ignore[PARSE001] stale\na: 1\n",
    )]);
    let r = check(dir3.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = check(dir3.path(), &["--show-suppressed"]);
    assert_eq!(findings(&r), ["LINEA001 cm.yaml:2"]);
    // nor one inside a string value
    let dir = repo(&[(
        "cm.yaml",
        "data:\n  notes: |\n    # linea: ignore[PARSE001] not a comment\n",
    )]);
    assert_eq!(check(dir.path(), &[]).code, 0);
}

#[test]
fn require_reason_turns_on_linea002() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments: api # linea: ignore[PARSE001]\n";
    let dir = repo(&[("cm.yaml", text)]);
    assert_eq!(check(dir.path(), &[]).code, 0);
    write(dir.path(), "linea.toml", b"require-reason = true\n");
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 1);
    assert_eq!(findings(&r), ["LINEA002 cm.yaml:4"]);
}

// ---- baseline -------------------------------------------------------------------------------

#[test]
fn baseline_round_trip() {
    let dir = repo(&[("k8s/cm.yaml", BROKEN)]);
    let r = check(dir.path(), &["--write-baseline", "linea-baseline.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("recorded 1 findings"), "{}", r.stderr);
    let r = check(dir.path(), &["--baseline", "linea-baseline.json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // lines moved: still recognised
    write(
        dir.path(),
        "k8s/cm.yaml",
        format!("# payments config\n\n{BROKEN}").as_bytes(),
    );
    assert_eq!(check(dir.path(), &["--baseline", "linea-baseline.json"]).code, 0);
    // a new finding is reported
    write(dir.path(), "k8s/other.yaml", BROKEN.as_bytes());
    let r = check(dir.path(), &["--baseline", "linea-baseline.json"]);
    assert_eq!(r.code, 1);
    assert_eq!(findings(&r), ["PARSE001 k8s/other.yaml:4"]);
    // a broken baseline is a usage error
    write(dir.path(), "bad.json", b"{}");
    assert_eq!(check(dir.path(), &["--baseline", "bad.json"]).code, 2);
}

// ---- init / schema --------------------------------------------------------------------------

#[test]
fn init_writes_a_config_that_loads() {
    let dir = repo(&[("cm.yaml", BROKEN)]);
    let r = linea(dir.path(), &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = fs::read_to_string(dir.path().join("linea.toml")).expect("written");
    assert!(
        text.contains("# fail-on = \"warning\"") && text.contains("[ports]"),
        "{text}"
    );
    assert_eq!(
        check(dir.path(), &[]).code,
        1,
        "the written config loads and changes nothing"
    );
    let r = linea(dir.path(), &["init"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(linea(dir.path(), &["init", "--force"]).code, 0);
    let r = linea(dir.path(), &["init", "--stdout"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, text);
}

#[test]
fn schema_is_json_and_matches_docs() {
    let dir = repo(&[]);
    let r = linea(dir.path(), &["schema"]);
    assert_eq!(r.code, 0);
    let schema: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(schema["additionalProperties"], serde_json::Value::Bool(false));
    assert!(schema["properties"]["select"].is_object());

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/linea.schema.json");
    let current = fs::read_to_string(&path).unwrap_or_default();
    if current != r.stdout {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            fs::write(&path, &r.stdout).expect("write docs/linea.schema.json");
        } else {
            panic!("docs/linea.schema.json is out of date; run `UPDATE_DOCS=1 cargo test --test cli`");
        }
    }
}

// ---- internal errors ------------------------------------------------------------------------

mod panicking_rule {
    use linea::config::Settings;
    use linea::discover::FileKind;
    use linea::project::ParsedFile;
    use linea::rules::engine::{self, SourceInput};
    use linea::rules::registry::{RegisteredRule, Registry};
    use linea::rules::{target, FileContext, FileRule, Imp};

    struct Panics;

    impl FileRule for Panics {
        type Target = target::File;
        fn check(&self, f: &ParsedFile, _cx: &mut FileContext<'_>) {
            if f.source.display_path().contains("boom") {
                panic!("rule bug");
            }
        }
    }

    fn registry_with_panicking_rule() -> Registry {
        let mut registry = Registry::builtin().expect("built-ins");
        let mut meta = registry.meta("PARSE001").expect("PARSE001").clone();
        meta.id = "TEST900".into();
        meta.slug = "always-panics".into();
        registry.rules.push(RegisteredRule {
            meta,
            imp: Some(Imp::file(Panics)),
        });
        registry
    }

    #[test]
    fn a_panicking_rule_is_reported_and_exits_2() {
        let registry = registry_with_panicking_rule();
        let settings = Settings::default();
        let inputs = vec![
            SourceInput::Memory {
                path: "k8s/boom.yaml".into(),
                kind: FileKind::Yaml,
                text: "a: 1\n".into(),
            },
            SourceInput::Memory {
                path: "k8s/cm.yaml".into(),
                kind: FileKind::Yaml,
                text: super::BROKEN.into(),
            },
        ];
        let outcome = engine::run(&registry, &settings, inputs);
        assert_eq!(outcome.internal_errors.len(), 1, "{:?}", outcome.internal_errors);
        let e = &outcome.internal_errors[0];
        assert!(
            e.contains("TEST900") && e.contains("k8s/boom.yaml") && e.contains("rule bug"),
            "{e}"
        );
        // the other file is still checked
        assert_eq!(outcome.diagnostics.len(), 1);
        assert_eq!(
            linea::cli::exit_status(&outcome, settings.fail_on()),
            linea::cli::ExitStatus::Error
        );
    }

    /// Set in the environment of this test binary run again to check what one test prints.
    const CHILD: &str = "LINEA_TEST_PANIC_CHILD";

    /// Run the test `name` of this binary alone, without output capture; its exit success and
    /// stderr.
    fn run_child(name: &str) -> (bool, String) {
        let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args([name, "--exact", "--nocapture", "--test-threads", "1"])
            .env(CHILD, "1")
            .env("RUST_BACKTRACE", "0")
            .output()
            .expect("run test binary");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    #[test]
    fn child_rule_panic_with_hook() {
        if std::env::var_os(CHILD).is_none() {
            return;
        }
        linea::panics::install_hook();
        let inputs = vec![SourceInput::Memory {
            path: "k8s/boom.yaml".into(),
            kind: FileKind::Yaml,
            text: "a: 1\n".into(),
        }];
        let outcome = engine::run(&registry_with_panicking_rule(), &Settings::default(), inputs);
        let e = &outcome.internal_errors[0];
        // the location the default message would have given is in linea's own message
        assert!(e.contains("rule bug (at tests/cli.rs:"), "{e}");
    }

    #[test]
    fn child_bug_outside_rules_with_hook() {
        if std::env::var_os(CHILD).is_none() {
            return;
        }
        linea::panics::install_hook();
        let _ = linea::panics::catch(|| panic!("caught"));
        panic!("linea bug");
    }

    #[test]
    fn the_panic_hook_silences_rule_panics_only() {
        let (ok, stderr) = run_child("panicking_rule::child_rule_panic_with_hook");
        assert!(ok, "{stderr}");
        assert!(!stderr.contains("panicked at"), "{stderr}");
        let (ok, stderr) = run_child("panicking_rule::child_bug_outside_rules_with_hook");
        assert!(!ok);
        assert!(!stderr.contains("caught"), "{stderr}");
        assert!(
            stderr.contains("panicked at") && stderr.contains("linea bug"),
            "{stderr}"
        );
        assert!(stderr.contains("this is a bug in linea"), "{stderr}");
    }
}

// ---- robustness -----------------------------------------------------------------------------

mod robustness {
    use linea::config::Settings;
    use linea::discover::FileKind;
    use linea::project;
    use linea::rules::engine::{self, SourceInput};
    use linea::rules::registry::Registry;
    use linea::source::FileId;
    use proptest::prelude::*;

    /// Text shaped like the inputs: YAML/HCL/Dockerfile punctuation, comments, directives.
    fn texty() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[ -~\\t\\n]{0,40}",
                Just("# linea: ignore[PARSE001] x\n".to_string()),
                Just("key: [\n".to_string()),
                Just("- &a [*a, *a]\n".to_string()),
                Just("resource \"x\" \"y\" {\n".to_string()),
                Just("FROM python:3.12\nRUN <<EOF\n".to_string()),
                Just("\"\"\"\n".to_string()),
                Just("x = <<-EOT\n".to_string()),
                Just("/* a\\\"".to_string()),
                Just("é\u{feff}\u{0}".to_string()),
            ],
            0..12,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn every_parser_survives_arbitrary_text(text in texty(), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let settings = Settings::default();
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            for kind in FileKind::ALL {
                for t in [&text, &lossy] {
                    let f = project::parse(FileId(0), "fuzz/input".into(), *kind, t.clone(), &settings);
                    for e in &f.errors {
                        prop_assert!(e.span.start <= e.span.end && e.span.end <= t.len());
                    }
                }
            }
        }

        #[test]
        fn config_errors_survive_arbitrary_text(text in "(\\[?[a-z.\\-]{0,12}\\]?( = )?[\\[\\]\"0-9a-zA-Z,{}# ]{0,20}\n){0,6}") {
            for name in ["linea.toml", "pyproject.toml"] {
                if let Err(e) = linea::config::parse_config(std::path::Path::new(name), &text) {
                    let _ = e.render(false);
                    prop_assert!(e.span.is_none_or(|s| s.end <= text.len()));
                }
            }
        }

        #[test]
        fn the_engine_survives_arbitrary_text(text in texty()) {
            let registry = Registry::builtin().expect("built-ins");
            let settings = Settings::default();
            for (name, kind) in [("k8s/a.yaml", FileKind::Yaml), (".github/workflows/ci.yml", FileKind::GithubWorkflow), ("Dockerfile", FileKind::Dockerfile), ("app/main.py", FileKind::Python), ("main.tf", FileKind::Terraform)] {
                let outcome = engine::run(&registry, &settings, vec![SourceInput::Memory { path: name.into(), kind, text: text.clone() }]);
                prop_assert!(outcome.internal_errors.is_empty(), "{:?}", outcome.internal_errors);
                for d in &outcome.diagnostics {
                    prop_assert!(d.span.end <= text.len());
                }
            }
        }
    }
}

#[test]
fn a_template_included_by_two_pipelines_is_reported_once() {
    let pipeline = "trigger:\n  branches:\n    include: [main]\nstages:\n  - stage: deploy\n    jobs:\n      - template: templates/deploy.yml\n";
    let dir = repo(&[
        ("azure-pipelines-eu.yml", pipeline),
        ("azure-pipelines-us.yml", pipeline),
        (
            "templates/deploy.yml",
            "jobs:\n  - job: deploy_prod\n    pool:\n      vmImage: ubuntu-22.04\n    steps:\n      - script: kubectl apply -f k8s/ -n shop-prod\n",
        ),
        ("k8s/.keep", ""),
    ]);
    let r = check(dir.path(), &["--select", "CI001"]);
    assert_eq!(findings(&r), ["CI001 templates/deploy.yml:2"]);
}

// ---- Helm charts -----------------------------------------------------------------------------

const CHART_DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-api
  {{- with .Values.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api, version: v1}
    spec:
      containers:
        - name: api
          image: "{{ .Values.image }}"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
"#;

#[test]
fn helm_findings_land_on_real_template_and_values_lines() {
    let dir = repo(&[
        ("deploy/shop/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 1.0.0\n"),
        (
            "deploy/shop/values.yaml",
            "image: myacr.azurecr.io/shop/api:1.4.2\nsecurityContext: {}\n",
        ),
        ("deploy/shop/templates/deployment.yaml", CHART_DEPLOYMENT),
        ("deploy/envs/live.yaml", "securityContext:\n  privileged: true\n"),
        (
            "linea.toml",
            "select = [\"K8S008\", \"K8S001\", \"PARSE003\"]\n[helm.values]\nprod = [\"deploy/envs/live.yaml\"]\n",
        ),
    ]);
    let r = linea(dir.path(), &["check", "-f", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 1, "{}", r.stdout);
    let d = &diags[0];
    assert_eq!(d["rule"], "K8S008");
    assert_eq!(d["path"], "deploy/shop/templates/deployment.yaml");
    assert_eq!(d["start"]["line"], 20);
    let labels = d["labels"].as_array().expect("labels");
    assert!(
        labels
            .iter()
            .any(|l| l["path"] == "deploy/envs/live.yaml" && l["start"]["line"] == 2),
        "{labels:?}"
    );
    // every place a finding names exists on disk
    for l in labels.iter().chain(std::iter::once(d)) {
        assert!(dir.path().join(l["path"].as_str().unwrap_or("")).is_file(), "{l}");
    }

    // the annotation of the rendered object suppresses it
    write(
        dir.path(),
        "deploy/envs/live.yaml",
        b"securityContext:\n  privileged: true\nannotations:\n  linea.dev/ignore: \"K8S008: tunes node sysctls\"\n",
    );
    let r = check(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn helm_template_that_does_not_render_is_reported_and_the_rest_is_linted() {
    let dir = repo(&[
        ("chart/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 1.0.0\n"),
        ("chart/values.yaml", "image: nginx:latest\nsecurityContext: {}\n"),
        ("chart/templates/deployment.yaml", CHART_DEPLOYMENT),
        (
            "chart/templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {{ required \"set db.password\" .Values.db.password }}\n",
        ),
        ("linea.toml", "select = [\"K8S001\", \"PARSE003\"]\n"),
    ]);
    let r = check(dir.path(), &[]);
    assert_eq!(
        findings(&r),
        [
            "K8S001 chart/templates/deployment.yaml:18",
            "PARSE003 chart/templates/secret.yaml:6"
        ],
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("nil pointer evaluating `.Values.db.password`"),
        "{}",
        r.stdout
    );
}

// ---- Kustomize overlays ----------------------------------------------------------------------

const KUSTOMIZE_BASE_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
spec:
  selector:
    matchLabels: {app: checkout}
  template:
    metadata:
      labels: {app: checkout}
    spec:
      containers:
        - name: web
          image: shopacr.azurecr.io/shop/checkout:3.4.1
";

#[test]
fn kustomize_findings_land_on_base_lines_with_the_overlay_line_that_set_the_value() {
    let k = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
    let dir = repo(&[
        ("k8s/base/kustomization.yaml", &format!("{k}resources:\n  - deployment.yaml\n")),
        ("k8s/base/deployment.yaml", KUSTOMIZE_BASE_DEPLOYMENT),
        (
            "k8s/overlays/dev/kustomization.yaml",
            &format!("{k}namespace: checkout-dev\nresources:\n  - ../../base\n  - github.com/example/platform//monitoring?ref=v1.2.0\n"),
        ),
        (
            "k8s/overlays/prod/kustomization.yaml",
            &format!("{k}namespace: checkout-prod\nresources:\n  - ../../base\nimages:\n  - name: shopacr.azurecr.io/shop/checkout\n    newTag: \"3.4.2\"\n"),
        ),
        ("linea.toml", "select = [\"K8S002\", \"PARSE003\"]\n"),
    ]);
    let r = linea(dir.path(), &["check", "-f", "json"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    let summary: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {} {}:{}", d["rule"], d["severity"], d["path"], d["start"]["line"]))
        .collect();
    assert_eq!(
        summary,
        [
            r#""K8S002" "warning" "k8s/base/deployment.yaml":14"#,
            r#""PARSE003" "info" "k8s/overlays/dev/kustomization.yaml":6"#
        ],
        "{}",
        r.stdout
    );
    // production only (the dev overlay keeps the base tag, and is not production), at the base
    // image line, labelled at the prod overlay's newTag
    let labels = diags[0]["labels"].as_array().expect("labels");
    assert!(
        labels
            .iter()
            .any(|l| l["path"] == "k8s/overlays/prod/kustomization.yaml"
                && l["start"]["line"] == 8
                && l["message"].as_str().is_some_and(|m| m.contains("environment `prod`"))),
        "{labels:?}"
    );
}
