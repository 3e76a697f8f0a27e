//! Renamed rules keep their former slugs (`aliases:` in the rule file): a team's `linea.toml`,
//! `--select` and `# linea: ignore[...]` that name DF008 `apt-lists-not-cleaned`, DF009
//! `apt-unpinned` or DF011 `pip-unpinned` still name the rule.

mod common;
use common::{linea_stdin, temp_repo, Run};

use std::fs;
use std::path::Path;

use linea::config::selector_matches;
use linea::rules::registry::Registry;

/// A Dockerfile with a DF008 (apt lists left), a DF009 (unpinned apt package) and a DF011
/// (unpinned pip package), each on its own line.
const DOCKERFILE: &str = "FROM python:3.12-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8
RUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir flask
USER app
";

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = temp_repo();
    for (path, text) in files {
        fs::write(dir.path().join(path), text).expect("write file");
    }
    dir
}

/// `linea check -f concise --exit-zero ARGS` in `dir`: `ID:line` of the DF008/DF009/DF011
/// findings, and the run.
fn check(dir: &Path, args: &[&str]) -> (Vec<String>, Run) {
    let mut all = vec!["check", "-f", "concise", "--exit-zero"];
    all.extend_from_slice(args);
    let run = linea_stdin(dir, &all, None);
    let found = run
        .stdout
        .lines()
        .filter_map(|l| {
            let mut parts = l.splitn(4, ':');
            let (_path, line, _col, rest) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            let id = rest.split_whitespace().next()?;
            ["DF008", "DF009", "DF011", "LINEA001"]
                .contains(&id)
                .then(|| format!("{id}:{line}"))
        })
        .collect();
    (found, run)
}

#[test]
fn the_renamed_rules_have_their_former_slugs() {
    let registry = Registry::builtin().expect("rules");
    for (id, former) in [
        ("DF008", "apt-lists-not-cleaned"),
        ("DF009", "apt-unpinned"),
        ("DF011", "pip-unpinned"),
    ] {
        let rule = registry
            .find(former)
            .unwrap_or_else(|| panic!("`{former}` names a rule"));
        assert_eq!(rule.meta.id, id);
        assert_ne!(rule.meta.slug, former, "{id} was renamed");
        assert!(selector_matches(former, &rule.meta));
    }
    // a former slug is no rule's current name
    for r in registry.iter() {
        for a in &r.meta.aliases {
            assert!(
                registry
                    .iter()
                    .all(|o| o.meta.slug != *a && !o.meta.id.eq_ignore_ascii_case(a)),
                "{}'s former slug `{a}` is another rule's name",
                r.meta.id
            );
        }
    }
}

#[test]
fn the_baseline_run_finds_all_three() {
    let dir = repo(&[("Dockerfile", DOCKERFILE)]);
    let (found, run) = check(dir.path(), &[]);
    assert_eq!(found, ["DF008:2", "DF009:3", "DF011:4"], "{}{}", run.stdout, run.stderr);
}

#[test]
fn select_and_ignore_by_former_slug() {
    let dir = repo(&[("Dockerfile", DOCKERFILE)]);
    let (found, run) = check(dir.path(), &["--select", "apt-unpinned"]);
    assert_eq!(found, ["DF009:3"], "{}{}", run.stdout, run.stderr);
    let (found, _) = check(dir.path(), &["--ignore", "pip-unpinned"]);
    assert_eq!(found, ["DF008:2", "DF009:3"]);
    fs::write(
        dir.path().join("linea.toml"),
        "select = [\"apt-lists-not-cleaned\", \"pip-unpinned\"]\n",
    )
    .expect("config");
    let (found, run) = check(dir.path(), &[]);
    assert_eq!(found, ["DF008:2", "DF011:4"], "{}{}", run.stdout, run.stderr);
    fs::write(dir.path().join("linea.toml"), "ignore = [\"apt-unpinned\"]\n").expect("config");
    let (found, run) = check(dir.path(), &[]);
    assert_eq!(run.code, 0, "a former slug is no unknown name: {}", run.stderr);
    assert_eq!(found, ["DF008:2", "DF011:4"]);
}

#[test]
fn severity_and_per_path_ignores_by_former_slug() {
    let dir = repo(&[
        ("Dockerfile", DOCKERFILE),
        (
            "linea.toml",
            "[severity]\napt-unpinned = \"error\"\n\n[per-path-ignores]\n\"Dockerfile\" = [\"pip-unpinned\"]\n",
        ),
    ]);
    let (found, run) = check(dir.path(), &[]);
    assert_eq!(found, ["DF008:2", "DF009:3"], "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("DF009 [error]"), "{}", run.stdout);
}

#[test]
fn suppressions_by_former_slug() {
    let suppressed = DOCKERFILE
        .replace(
            "RUN apt-get update && apt-get install -y --no-install-recommends curl",
            "# linea: ignore[apt-lists-not-cleaned] the next stage copies only /app\nRUN apt-get update && apt-get install -y --no-install-recommends curl",
        )
        .replace(
            "RUN pip install",
            "# linea: ignore[pip-unpinned] flask follows the base image\nRUN pip install",
        );
    let dir = repo(&[("Dockerfile", &suppressed)]);
    // used, so no LINEA001 either
    let (found, run) = check(dir.path(), &[]);
    assert_eq!(found, ["DF009:4"], "{}{}", run.stdout, run.stderr);
    // and `linea explain` finds the rule by its former slug
    let run = linea_stdin(dir.path(), &["explain", "apt-unpinned"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("DF009 os-package-unpinned"), "{}", run.stdout);
}
