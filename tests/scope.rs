//! The repository seen whole: a run asked about some files (a pre-commit hook's staged files,
//! a subdirectory, `--exclude`) still judges the repository as one system and reports only on
//! what it was asked about; each directory's nearest config governs its files.

mod common;

use std::fs;
use std::path::Path;

use common::{linea_stdin, temp_repo, Run};
use tempfile::TempDir;

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("create dirs");
    }
    fs::write(p, text).expect("write file");
}

fn linea(dir: &Path, args: &[&str]) -> Run {
    linea_stdin(dir, args, None)
}

/// `RULE path:line` of every finding of a concise report.
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

const RULES: &str = "XR001,XR002,XR006,LAY001,LAY003,LAY005,LAY010";

/// A small, healthy Python service in a git repository.
fn service() -> TempDir {
    let dir = temp_repo();
    let d = dir.path();
    write(d, ".gitignore", "settings.local.toml\n");
    write(d, "settings.local.toml", "debug = false\n");
    write(
        d,
        "pyproject.toml",
        "[project]\nname = \"orders\"\nversion = \"1.0.0\"\ndependencies = [\"flask==3.0.3\"]\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n\n[tool.ruff]\nline-length = 100\n",
    );
    write(d, "requirements.txt", "flask==3.0.3\ngunicorn==22.0.0\n");
    write(d, "src/orders/__init__.py", "");
    write(d, "src/orders/__main__.py", "from orders.app import main\n\nmain()\n");
    write(
        d,
        "src/orders/app.py",
        "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef main():\n    app.run(host=\"0.0.0.0\", port=8080)\n",
    );
    write(d, "tests/conftest.py", "import pytest\n");
    write(d, "tests/test_app.py", "def test_app():\n    assert True\n");
    write(
        d,
        "Dockerfile",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY settings.local.toml .\nCOPY src/ src/\nUSER 10001\nEXPOSE 8080\nCMD [\"python\", \"-m\", \"orders\"]\n",
    );
    write(
        d,
        ".github/workflows/ci.yml",
        "name: ci\non:\n  pull_request:\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt pytest\n      - run: pytest\n",
    );
    write(
        d,
        ".github/workflows/deploy.yml",
        "name: deploy\non:\n  push:\n    branches: [main]\npermissions:\n  contents: read\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: actions/checkout@v4\n      - run: kubectl apply -f k8s/\n",
    );
    write(
        d,
        "k8s/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n  namespace: orders\nspec:\n  selector:\n    matchLabels: {app: orders}\n  template:\n    metadata:\n      labels: {app: orders}\n    spec:\n      containers:\n        - name: orders\n          image: orders:1.0.0\n",
    );
    dir
}

#[test]
fn the_whole_service_is_clean_for_these_rules() {
    let dir = service();
    let r = linea(dir.path(), &["check", "-f", "concise", "--select", RULES]);
    assert_eq!(findings(&r), Vec::<String>::new(), "{}{}", r.stdout, r.stderr);
}

#[test]
fn the_current_directory_and_dotted_paths_are_not_called_empty() {
    let dir = service();
    for args in [
        &["check", "."][..],
        &["check", "./src"],
        &["check", "src/../tests", "./src/orders/"],
    ] {
        let r = linea(dir.path(), args);
        assert!(!r.stderr.contains("no files linea checks"), "{args:?}: {}", r.stderr);
    }
    fs::create_dir_all(dir.path().join("empty")).expect("empty dir");
    let r = linea(dir.path(), &["check", "./empty"]);
    assert!(r.stderr.contains("./empty: no files linea checks"), "{}", r.stderr);
}

#[test]
fn one_staged_file_is_judged_against_the_whole_repository() {
    let dir = service();
    for file in [
        "Dockerfile",
        "requirements.txt",
        "src/orders/app.py",
        ".github/workflows/deploy.yml",
    ] {
        let r = linea(dir.path(), &["check", "-f", "concise", "--select", RULES, file]);
        assert_eq!(findings(&r), Vec::<String>::new(), "{file}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
    }
}

#[test]
fn a_missing_file_is_still_found_and_only_asked_paths_are_reported() {
    let dir = service();
    fs::remove_file(dir.path().join("requirements.txt")).expect("rm");
    let r = linea(
        dir.path(),
        &["check", "-f", "concise", "--select", "XR002", "Dockerfile"],
    );
    assert_eq!(findings(&r), ["XR002 Dockerfile:3"], "{}", r.stderr);
    // the same defect is not reported when another file is asked about
    let r = linea(
        dir.path(),
        &["check", "-f", "concise", "--select", "XR002", "src/orders/app.py"],
    );
    assert_eq!(findings(&r), Vec::<String>::new());
    // file rules run only on the paths asked about
    write(dir.path(), "Dockerfile", "FROM python:latest\nUSER 10001\n");
    let r = linea(dir.path(), &["check", "-f", "concise", "--select", "DF001", "src"]);
    assert_eq!(findings(&r), Vec::<String>::new());
    let r = linea(
        dir.path(),
        &["check", "-f", "concise", "--select", "DF001", "Dockerfile"],
    );
    assert_eq!(findings(&r), ["DF001 Dockerfile:1"]);
}

#[test]
fn excluded_and_ignored_paths_still_exist() {
    let dir = service();
    let r = linea(
        dir.path(),
        &["check", "-f", "concise", "--select", "XR006,XR002", "--exclude", "k8s"],
    );
    assert_eq!(findings(&r), Vec::<String>::new(), "{}", r.stdout);
    fs::remove_dir_all(dir.path().join("k8s")).expect("rm k8s");
    let r = linea(
        dir.path(),
        &["check", "-f", "concise", "--select", "XR006", "--exclude", "k8s"],
    );
    assert_eq!(findings(&r), ["XR006 .github/workflows/deploy.yml:13"], "{}", r.stdout);
}

#[test]
fn each_directory_takes_its_nearest_config_in_any_order() {
    let dir = temp_repo();
    let d = dir.path();
    write(d, "svcA/linea.toml", "ignore = [\"DF001\"]\n");
    write(d, "svcA/Dockerfile", "FROM python:latest\nUSER 10001\n");
    write(d, "svcB/Dockerfile", "FROM python:latest\nUSER 10001\n");
    for args in [["svcA", "svcB"], ["svcB", "svcA"]] {
        let mut all = vec!["check", "-f", "concise", "--select", "DF001"];
        all.extend(args);
        let r = linea(d, &all);
        assert_eq!(findings(&r), ["DF001 svcB/Dockerfile:1"], "{args:?}: {}", r.stderr);
    }
    // `extend` inherits, and the nearer file wins
    write(d, "linea.toml", "ignore = [\"DF003\"]\n");
    write(d, "svcB/linea.toml", "extend = \"../linea.toml\"\n");
    write(d, "svcB/Dockerfile", "FROM python:latest\n");
    let r = linea(d, &["check", "-f", "concise", "--select", "DF001,DF003", "svcB"]);
    assert_eq!(findings(&r), ["DF001 svcB/Dockerfile:1"], "{}", r.stderr);
    // `--config` overrides every file
    let r = linea(
        d,
        &[
            "check",
            "-f",
            "concise",
            "--select",
            "DF001",
            "--config",
            "linea.toml",
            "svcA",
        ],
    );
    assert_eq!(findings(&r), ["DF001 svcA/Dockerfile:1"], "{}", r.stderr);
}

#[test]
fn a_config_above_the_repository_root_is_not_used() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "linea.toml", "exclude = [\"**\"]\n");
    let repo = dir.path().join("repo");
    fs::create_dir_all(repo.join(".git")).expect("git dir");
    write(&repo, "Dockerfile", "FROM python:latest\nUSER 10001\n");
    let r = linea(&repo, &["check", "-f", "concise", "--select", "DF001"]);
    assert_eq!(findings(&r), ["DF001 Dockerfile:1"], "{}", r.stderr);
    assert_eq!(r.code, 1);
}
