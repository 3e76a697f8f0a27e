//! Running the built `linea` binary from the integration tests, on temporary repositories.

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

/// An empty temporary directory that is a repository root (it holds `.git`), so linea's config
/// discovery and run root stop there: nothing above it (`$TMPDIR`, `/tmp`) changes a test.
pub fn temp_repo() -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect("create .git");
    dir
}

/// What one run printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run `linea ARGS` in `dir` without colour, with `stdin` on its standard input.
pub fn linea_stdin(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_linea"));
    cmd.current_dir(dir).env("NO_COLOR", "1").args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s);
    }
    let out = cmd.output().expect("run linea");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
