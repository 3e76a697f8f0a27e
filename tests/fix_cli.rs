//! `linea check --fix` end to end on a temporary repository: the files rewritten, the exit code
//! from what remains, idempotence, unsafe fixes only on request, stdin refused, baselined and
//! suppressed findings left alone. (The fix that would break parsing is a unit test in
//! `src/cli/fix.rs`: no built-in fix produces one.)

mod common;
use common::{linea_stdin, temp_repo, Run};

use std::fs;
use std::path::Path;

const DOCKERFILE: &str = "\
FROM python:3.12-slim
MAINTAINER Payments Team <payments@example.com>
ADD requirements.txt /app/
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN pip install -r /app/requirements.txt
ADD https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 /bin/grpc_health_probe
USER app
CMD [\"gunicorn\", \"app:app\"]
";

const FIXED: &str = "\
FROM python:3.12-slim
LABEL org.opencontainers.image.authors=\"Payments Team <payments@example.com>\"
COPY requirements.txt /app/
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r /app/requirements.txt
ADD https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 /bin/grpc_health_probe
USER app
CMD [\"gunicorn\", \"app:app\"]
";

const SELECT: &str = "DF006,DF007,DF010,DF020,DF023";

fn linea(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    linea_stdin(dir, args, stdin)
}

fn repo(dockerfile: &str) -> tempfile::TempDir {
    let dir = temp_repo();
    fs::create_dir_all(dir.path().join("payments")).expect("mkdir");
    fs::write(dir.path().join("payments/Dockerfile"), dockerfile).expect("write");
    dir
}

fn read(dir: &Path) -> String {
    fs::read_to_string(dir.join("payments/Dockerfile")).expect("read")
}

#[test]
fn fix_rewrites_reports_what_remains_and_is_idempotent() {
    let dir = repo(DOCKERFILE);
    let before = linea(dir.path(), &["check", "-f", "concise", "--select", SELECT], None);
    assert_eq!(before.code, 1);
    assert_eq!(before.stdout.matches(" [*]").count(), 3, "{}", before.stdout);

    let r = linea(
        dir.path(),
        &["check", "-f", "concise", "--select", SELECT, "--fix"],
        None,
    );
    assert_eq!(read(dir.path()), FIXED);
    assert!(r.stderr.contains("fixed 3 findings in 1 file"), "{}", r.stderr);
    // what remains: the download without checksum and the (unsafe) apt fix
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(lines.iter().any(|l| l.contains("DF006") && l.contains("downloads")));
    assert!(lines.iter().any(|l| l.contains("DF007") && !l.contains("[*]")));
    assert_eq!(r.code, 1, "warnings remain");

    let again = linea(
        dir.path(),
        &["check", "-f", "concise", "--select", SELECT, "--fix"],
        None,
    );
    assert_eq!(read(dir.path()), FIXED, "a second run changes nothing");
    assert!(again.stderr.contains("fixed 0 findings in 0 files"), "{}", again.stderr);
    assert_eq!(again.stdout, r.stdout);
}

#[test]
fn exit_code_is_0_when_every_finding_was_fixed() {
    let dir = repo(DOCKERFILE);
    let r = linea(dir.path(), &["check", "--select", "DF010,DF020", "--fix"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("No problems found"), "{}", r.stdout);
    assert!(r.stderr.contains("fixed 2 findings in 1 file"), "{}", r.stderr);
}

#[test]
fn unsafe_fixes_only_when_asked() {
    let dir = repo(DOCKERFILE);
    let r = linea(dir.path(), &["check", "--select", "DF007", "--unsafe-fixes"], None);
    assert_eq!(r.code, 2, "--unsafe-fixes needs --fix");
    let r = linea(
        dir.path(),
        &["check", "--select", "DF007", "--fix", "--unsafe-fixes"],
        None,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(read(dir.path()).contains("apt-get install --no-install-recommends -y curl"));
}

#[test]
fn stdin_is_never_fixed() {
    let dir = repo(DOCKERFILE);
    let r = linea(
        dir.path(),
        &["check", "--fix", "--stdin-filename", "payments/Dockerfile", "-"],
        Some(DOCKERFILE),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("stdin"), "{}", r.stderr);
    assert_eq!(read(dir.path()), DOCKERFILE);
}

#[test]
fn baselined_and_suppressed_findings_are_not_fixed() {
    let dir = repo("FROM python:3.12-slim\nRUN pip install -r requirements.txt\n");
    let r = linea(
        dir.path(),
        &["check", "--select", "DF010", "--write-baseline", "baseline.json"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = linea(
        dir.path(),
        &["check", "--select", "DF010", "--baseline", "baseline.json", "--fix"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read(dir.path()).contains("RUN pip install -r"));

    let suppressed = "FROM python:3.12-slim\n# linea: ignore[DF010] cache wanted in this image\nRUN pip install -r requirements.txt\n";
    let dir = repo(suppressed);
    let r = linea(dir.path(), &["check", "--select", "DF010", "--fix"], None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(read(dir.path()), suppressed);
}

#[cfg(unix)]
#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo(DOCKERFILE);
    let p = dir.path().join("payments/Dockerfile");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).expect("chmod");
    linea(dir.path(), &["check", "--select", "DF010", "--fix"], None);
    assert!(read(dir.path()).contains("--no-cache-dir"));
    let mode = fs::metadata(&p).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    let names: Vec<_> = fs::read_dir(dir.path().join("payments"))
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
}
