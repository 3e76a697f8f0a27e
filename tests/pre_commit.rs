//! The pre-commit hooks (`.pre-commit-hooks.yaml`) with the real pre-commit: `try-repo` on a
//! bad Dockerfile (blocked, its finding shown), then a repository that uses both hooks from its
//! `.pre-commit-config.yaml` and commits through the installed git hook (a healthy commit
//! passes; `linea-all` blocks a bad file that was committed earlier without the hook), and a
//! healthy service where staging one file is judged against the whole repository.
//!
//! pre-commit builds linea from this repository's HEAD commit with `cargo install` (what
//! `language: rust` does), so an uncommitted change is not what this tests. To keep the suite
//! fast the build goes to a target directory of its own under `target/`, reused across runs,
//! at `opt-level = 0` (the hooks run correctly at any optimisation), offline (from the crates
//! `cargo build` already fetched, so the versions are the locked ones).
//! pre-commit itself is installed into `target/tools/pre-commit` when it is not on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/` of this build.
fn target_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_linea"));
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root().join("target"))
}

/// The pre-commit executable: on PATH, or installed into a virtual environment under target/.
fn pre_commit() -> PathBuf {
    if Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return PathBuf::from("pre-commit");
    }
    let venv = target_dir().join("tools/pre-commit");
    let exe = venv.join("bin/pre-commit");
    if !exe.is_file() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "pre-commit"])
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            ok,
            "cannot install pre-commit (`pip install pre-commit`, or let .ci/run do it)"
        );
    }
    exe
}

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_NAME", "linea")
        .env("GIT_AUTHOR_EMAIL", "linea@example.com")
        .env("GIT_COMMITTER_NAME", "linea")
        .env("GIT_COMMITTER_EMAIL", "linea@example.com")
        .output()
        .expect("run git")
}

fn ok(out: &Output) -> bool {
    out.status.success()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A command with the environment every pre-commit run of this test gets.
fn with_env(mut cmd: Command, home: &Path) -> Command {
    cmd.env("PRE_COMMIT_HOME", home)
        .env("PRE_COMMIT_COLOR", "never")
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", target_dir().join("pre-commit-build"))
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_INCREMENTAL", "0")
        .env("GIT_AUTHOR_NAME", "linea")
        .env("GIT_AUTHOR_EMAIL", "linea@example.com")
        .env("GIT_COMMITTER_NAME", "linea")
        .env("GIT_COMMITTER_EMAIL", "linea@example.com");
    cmd
}

const BAD_DOCKERFILE: &str = "FROM python:latest\nUSER root\nCMD [\"python\", \"-m\", \"app\"]\n";
const GOOD_CONFIGMAP: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments-api\n  namespace: payments\ndata:\n  LOG_LEVEL: info\n";

#[test]
fn hooks_block_a_bad_dockerfile_and_pass_a_healthy_commit() {
    let pre_commit = pre_commit();
    let head = String::from_utf8_lossy(&git(&root(), &["rev-parse", "HEAD"]).stdout)
        .trim()
        .to_string();
    assert_eq!(head.len(), 40, "the hooks are built from a commit of this repository");
    let home = tempfile::tempdir().expect("temp dir");

    // try-repo: a staged bad Dockerfile is blocked, and the finding is in the output
    let repo = tempfile::tempdir().expect("temp dir");
    assert!(ok(&git(repo.path(), &["init", "-q", "-b", "main"])));
    std::fs::write(repo.path().join("Dockerfile"), BAD_DOCKERFILE).expect("write");
    assert!(ok(&git(repo.path(), &["add", "Dockerfile"])));
    let mut cmd = Command::new(&pre_commit);
    cmd.current_dir(repo.path())
        .arg("try-repo")
        .arg(root())
        .args(["linea", "--ref", &head]);
    let out = with_env(cmd, home.path()).output().expect("run pre-commit");
    let log = text(&out);
    assert!(!ok(&out), "the bad Dockerfile passed:\n{log}");
    assert!(log.contains("linea") && log.contains("Failed"), "{log}");
    assert!(log.contains("DF001 image-tag-latest"), "{log}");
    assert!(log.contains("image `python:latest` uses the `latest` tag"), "{log}");

    // a repository using both hooks through its config and the installed git hook
    let repo = tempfile::tempdir().expect("temp dir");
    assert!(ok(&git(repo.path(), &["init", "-q", "-b", "main"])));
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: linea\n",
        root().display()
    );
    std::fs::write(repo.path().join(".pre-commit-config.yaml"), &config).expect("write");
    std::fs::create_dir(repo.path().join("k8s")).expect("mkdir");
    std::fs::write(repo.path().join("k8s/config.yaml"), GOOD_CONFIGMAP).expect("write");
    let mut cmd = Command::new(&pre_commit);
    cmd.current_dir(repo.path()).arg("install");
    assert!(ok(&with_env(cmd, home.path()).output().expect("install")));
    assert!(ok(&git(repo.path(), &["add", "-A"])));
    let mut cmd = Command::new("git");
    cmd.current_dir(repo.path()).args([
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-qm",
        "config for the payments API",
    ]);
    let out = with_env(cmd, home.path()).output().expect("git commit");
    assert!(ok(&out), "a healthy commit was blocked:\n{}", text(&out));
    assert!(text(&out).contains("Passed"), "{}", text(&out));

    // a bad file committed without the hook: the staged-files hook does not see it, linea-all does
    std::fs::write(repo.path().join("Dockerfile"), BAD_DOCKERFILE).expect("write");
    assert!(ok(&git(repo.path(), &["add", "Dockerfile"])));
    assert!(ok(&git(repo.path(), &["commit", "-qm", "image", "--no-verify"])));
    std::fs::write(
        repo.path().join("k8s/config.yaml"),
        GOOD_CONFIGMAP.replace("info", "debug"),
    )
    .expect("write");
    assert!(ok(&git(repo.path(), &["add", "-A"])));
    let mut cmd = Command::new(&pre_commit);
    cmd.current_dir(repo.path()).args(["run"]);
    let out = with_env(cmd, home.path()).output().expect("pre-commit run");
    assert!(ok(&out), "only k8s/config.yaml is staged:\n{}", text(&out));

    std::fs::write(
        repo.path().join(".pre-commit-config.yaml"),
        config.replace("- id: linea\n", "- id: linea-all\n"),
    )
    .expect("write");
    assert!(ok(&git(repo.path(), &["add", "-A"])));
    let mut cmd = Command::new(&pre_commit);
    cmd.current_dir(repo.path()).args(["run"]);
    let out = with_env(cmd, home.path()).output().expect("pre-commit run");
    let log = text(&out);
    assert!(!ok(&out), "linea-all checks the whole repository:\n{log}");
    assert!(
        log.contains("linea (whole repository)") && log.contains("DF003 runs-as-root"),
        "{log}"
    );

    // one staged file of a healthy service is judged against the whole repository: the checks
    // across files (the module `python -m` runs, the files COPY copies, the layout) see the
    // files that were not staged, and find a real mismatch in the staged one
    let svc = tempfile::tempdir().expect("temp dir");
    let d = svc.path();
    assert!(ok(&git(d, &["init", "-q", "-b", "main"])));
    for (path, body) in SERVICE {
        let p = d.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: linea\n        args: [--select, \"{CROSS_FILE}\"]\n",
        root().display()
    );
    std::fs::write(d.join(".pre-commit-config.yaml"), config).expect("write");
    assert!(ok(&git(d, &["add", "-A"])));
    assert!(ok(&git(d, &["commit", "-qm", "orders service", "--no-verify"])));
    let dockerfile = SERVICE
        .iter()
        .find(|(p, _)| *p == "Dockerfile")
        .map(|(_, b)| *b)
        .expect("Dockerfile");
    std::fs::write(
        d.join("Dockerfile"),
        dockerfile.replace("USER 10001", "LABEL team=orders\nUSER 10001"),
    )
    .expect("write");
    assert!(ok(&git(d, &["add", "Dockerfile"])));
    let mut cmd = Command::new(&pre_commit);
    cmd.current_dir(d).args(["run"]);
    let out = with_env(cmd, home.path()).output().expect("pre-commit run");
    assert!(ok(&out), "one staged file of a healthy service:\n{}", text(&out));
    std::fs::write(
        d.join("Dockerfile"),
        dockerfile.replace("\"-m\", \"orders\"", "\"-m\", \"billing\""),
    )
    .expect("write");
    assert!(ok(&git(d, &["add", "Dockerfile"])));
    let mut cmd = Command::new(&pre_commit);
    cmd.current_dir(d).args(["run"]);
    let out = with_env(cmd, home.path()).output().expect("pre-commit run");
    let log = text(&out);
    assert!(!ok(&out), "a module that does not exist:\n{log}");
    assert!(log.contains("XR001 main-module-missing"), "{log}");
}

/// The rules across files and of the layout that a partial scan must not get wrong.
const CROSS_FILE: &str = "XR001,XR002,XR006,LAY001,LAY003,LAY005,LAY010";

/// A small, healthy Python service.
const SERVICE: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[project]\nname = \"orders\"\nversion = \"1.0.0\"\ndependencies = [\"flask==3.0.3\"]\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
    ),
    ("requirements.txt", "flask==3.0.3\ngunicorn==22.0.0\n"),
    ("src/orders/__init__.py", ""),
    ("src/orders/__main__.py", "from orders.app import main\n\nmain()\n"),
    (
        "src/orders/app.py",
        "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef main():\n    app.run(host=\"0.0.0.0\", port=8080)\n",
    ),
    ("tests/test_app.py", "def test_app():\n    assert True\n"),
    (
        "Dockerfile",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY src/ src/\nUSER 10001\nEXPOSE 8080\nCMD [\"python\", \"-m\", \"orders\"]\n",
    ),
    (
        ".github/workflows/ci.yml",
        "name: ci\non:\n  pull_request:\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt pytest\n      - run: pytest\n",
    ),
];
