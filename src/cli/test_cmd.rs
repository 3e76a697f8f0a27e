//! `linea test [DIR...]`: unit tests for users' own rules.
//!
//! Layout: rules in `DIR/<ID>.yaml` (any depth), their fixtures in `DIR/fixtures/<ID>/`, with
//! the same cases and `# expect: ID` markers as the built-in fixtures. Without DIRs, the
//! `rules` directories of the configuration are tested.

use std::path::{Path, PathBuf};

use super::{print_error, ExitStatus, TestArgs};
use crate::config;
use crate::rules::harness;
use crate::rules::registry::Registry;

pub fn run(args: TestArgs) -> ExitStatus {
    let mut dirs = args.dirs.clone();
    if dirs.is_empty() {
        let settings = match config::load(args.config.as_deref(), Path::new(".")) {
            Ok(s) => s,
            Err(e) => {
                crate::cli::config_error(&e);
                return ExitStatus::Error;
            }
        };
        dirs = settings.config.rules.iter().map(|d| settings.root.join(d)).collect();
    }
    if dirs.is_empty() {
        print_error("no rule directories: pass `linea test DIR` or set `rules = [\"policies/\"]` in linea.toml");
        return ExitStatus::Error;
    }
    let mut registry = match Registry::builtin() {
        Ok(r) => r,
        Err(e) => {
            print_error(&format!("built-in rules: {e}"));
            return ExitStatus::Error;
        }
    };
    let mut tested: Vec<(PathBuf, String)> = Vec::new();
    for dir in &dirs {
        if !dir.is_dir() {
            print_error(&format!("{}: not a directory", dir.display()));
            return ExitStatus::Error;
        }
        let before: Vec<String> = registry.iter().map(|r| r.meta.id.clone()).collect();
        if let Err(e) = registry.load_dir(dir) {
            crate::cli::meta_error(&e);
            return ExitStatus::Error;
        }
        for r in registry.iter().filter(|r| !before.contains(&r.meta.id)) {
            tested.push((dir.join("fixtures").join(&r.meta.id), r.meta.id.clone()));
        }
    }
    if tested.is_empty() {
        print_error("no rules found in the given directories");
        return ExitStatus::Error;
    }
    let mut failed = 0;
    for (fixtures, id) in &tested {
        let report = harness::check_rule(&registry, id, fixtures);
        let cases = report.cases.len();
        if report.passed() {
            println!("ok    {id} ({cases} case{})", if cases == 1 { "" } else { "s" });
        } else {
            failed += 1;
            println!("FAIL  {id}");
            for line in report.failures() {
                println!("      {}", line.strip_prefix(&format!("{id}: ")).unwrap_or(&line));
            }
        }
    }
    println!(
        "\n{} rule{} tested, {} failed",
        tested.len(),
        if tested.len() == 1 { "" } else { "s" },
        failed
    );
    if failed > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    }
}
