//! The rule contract: metadata, fixtures, implementations and docs agree.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use linea::rules::meta::Logic;
use linea::rules::registry::Registry;

/// Each rules/ folder and the id prefixes it may hold.
const FAMILIES: &[(&str, &[&str])] = &[
    ("core", &["PARSE", "LINEA"]),
    ("docker", &["DF"]),
    ("terraform", &["TF"]),
    ("kubernetes", &["K8S"]),
    ("istio", &["IST"]),
    ("api", &["API"]),
    ("compose", &["DC"]),
    ("python", &["PY"]),
    ("layout", &["LAY"]),
    ("ci", &["CI"]),
    ("cross", &["XR"]),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn registry() -> Registry {
    Registry::builtin().expect("built-in rules load")
}

#[test]
fn ids_match_files_and_families() {
    for r in registry().iter() {
        let m = &r.meta;
        let stem = m.origin.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        assert_eq!(stem, m.id, "{}: file stem must equal the id", m.origin.display());
        let prefixes = FAMILIES
            .iter()
            .find(|(f, _)| *f == m.family)
            .unwrap_or_else(|| panic!("{}: unknown family folder `{}`", m.id, m.family))
            .1;
        assert!(
            prefixes.contains(&m.prefix()),
            "{}: prefix does not belong to family {}",
            m.id,
            m.family
        );
        assert!(
            !m.summary.is_empty() && m.summary.len() <= 120,
            "{}: summary must be 1..=120 chars",
            m.id
        );
    }
}

#[test]
fn rules_have_docs_sections() {
    for r in registry().iter() {
        let m = &r.meta;
        if matches!(m.logic, Logic::Engine) && m.id == "PARSE002" {
            continue; // no input that can be shown as a code block
        }
        for heading in ["## Why is this bad?", "## Example", "## Use instead"] {
            assert!(m.docs.contains(heading), "{}: docs lack `{heading}`", m.id);
        }
    }
}

#[test]
fn every_fixture_dir_maps_to_a_rule() {
    let reg = registry();
    let ids: BTreeSet<(String, String)> = reg.iter().map(|r| (r.meta.family.clone(), r.meta.id.clone())).collect();
    for fam in std::fs::read_dir(root().join("fixtures")).expect("fixtures/").flatten() {
        for dir in std::fs::read_dir(fam.path()).expect("family dir").flatten() {
            let key = (
                fam.file_name().to_string_lossy().to_string(),
                dir.file_name().to_string_lossy().to_string(),
            );
            assert!(ids.contains(&key), "fixtures/{}/{} has no rule", key.0, key.1);
        }
    }
}

#[test]
fn every_native_file_is_a_referenced_rule() {
    let reg = registry();
    let natives: BTreeSet<String> = reg
        .iter()
        .filter_map(|r| match &r.meta.logic {
            Logic::Native(slug) => Some(format!("{}/{}.rs", r.meta.family, slug.replace('-', "_"))),
            _ => None,
        })
        .collect();
    for (fam, _) in FAMILIES {
        let dir = root().join("src/rules").join(fam);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name == "mod.rs" || !name.ends_with(".rs") {
                continue;
            }
            let key = format!("{fam}/{name}");
            assert!(
                natives.contains(&key),
                "src/rules/{key} is not named by any rule's `native:`"
            );
        }
    }
}

#[test]
fn generated_docs_are_current() {
    let reg = registry();
    let dir = root().join("docs/rules");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut expected = vec![(dir.join("README.md"), linea::rules::docs::index(&reg))];
    for r in reg.iter() {
        expected.push((dir.join(format!("{}.md", r.meta.id)), linea::rules::docs::page(&r.meta)));
    }
    let mut stale = Vec::new();
    for (path, text) in &expected {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if &current != text {
            if update {
                std::fs::create_dir_all(&dir).expect("create docs/rules");
                std::fs::write(path, text).expect("write doc page");
            } else {
                stale.push(path.strip_prefix(root()).unwrap_or(path).display().to_string());
            }
        }
    }
    // pages of rules that no longer exist
    let wanted: BTreeSet<&Path> = expected.iter().map(|(p, _)| p.as_path()).collect();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let p = e.path();
            if !wanted.contains(p.as_path()) {
                if update {
                    let _ = std::fs::remove_file(&p);
                } else {
                    stale.push(format!("{} (no such rule)", p.display()));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs out of date; run `UPDATE_DOCS=1 cargo test --test meta`:\n{}",
        stale.join("\n")
    );
}

/// Rules whose docs examples cannot be run as one file, and why.
const EXAMPLES_EXEMPT: &[(&str, &str)] = &[
    (
        "K8S003",
        "silent without a `[registries] allowed` list, which a manifest example cannot configure",
    ),
    (
        "PARSE002",
        "needs a non-UTF-8 or oversized file, which a Markdown code block cannot hold",
    ),
    (
        "PARSE003",
        "a chart is several files (Chart.yaml, values, templates); the fixtures hold whole charts",
    ),
    (
        "layout",
        "layout rules judge a repository's file tree; their examples show a tree, not one file",
    ),
    ("cross", "cross-artifact rules compare several files of a repository"),
    (
        "PY001",
        "a module's layer comes from its place in a Python package, which one file cannot show",
    ),
    (
        "TF014",
        "a module call is checked against the variables of another directory's module",
    ),
    ("TF016", "a module is reusable when another directory's module calls it"),
    (
        "TF017",
        "a test file is checked against the module of its parent directory",
    ),
];

/// The file name an example block is written to: `file=NAME` in the fence's info string
/// (```` ```yaml file=.github/workflows/release.yml ````) wins, then a first line that is a
/// comment naming a path (`# blueprint/core/scoring.py`); otherwise the language and family
/// decide.
fn example_file_name(family: &str, info: &str, code: &str, tags: &[String]) -> Option<String> {
    let mut words = info.split_whitespace();
    let lang = words.next().unwrap_or_default().to_ascii_lowercase();
    if let Some(name) = words.find_map(|w| w.strip_prefix("file=")) {
        return Some(name.to_string());
    }
    // a first line that is a comment naming a path (`# blueprint/core/scoring.py`)
    let first = code.lines().next().unwrap_or_default().trim();
    if let Some(named) = first.strip_prefix("# ").or_else(|| first.strip_prefix("// ")) {
        let named = named.trim();
        let safe = !named.contains(' ') && !named.starts_with('/') && !named.split('/').any(|p| p == "..");
        if safe && linea::discover::classify(Path::new(named)).is_some() {
            return Some(named.to_string());
        }
    }
    let name = match lang.as_str() {
        "dockerfile" | "docker" => "Dockerfile",
        "hcl" | "terraform" | "tf" => "main.tf",
        "tfvars" => "terraform.tfvars",
        "python" | "py" => "app.py",
        "toml" => "pyproject.toml",
        "cfg" | "ini" => "setup.cfg",
        "text" | "txt" | "requirements" | "pip" => "requirements.txt",
        "make" | "makefile" => "Makefile",
        "json" => "openapi.json",
        "yaml" | "yml" if family == "ci" => {
            let gha = tags
                .iter()
                .any(|t| t == "gha" || t == "github" || t == "github-actions")
                || code.contains("runs-on:")
                || code.contains("uses: actions/");
            if gha {
                // not `ci.yml`: `ci` names a non-production environment, and prod-scoped rules skip it
                ".github/workflows/deploy.yml"
            } else {
                "azure-pipelines.yml"
            }
        }
        "yaml" | "yml" if family == "api" => "openapi.yaml",
        "yaml" | "yml" if family == "compose" => "docker-compose.yml",
        "yaml" | "yml" => "manifest.yaml",
        _ => return None,
    };
    Some(name.to_string())
}

/// Every rule's `## Example` block triggers the rule and its `## Use instead` block does not.
#[test]
fn docs_examples_trigger_their_rule() {
    use linea::config::{Config, Settings};
    use linea::discover::{self, Input};
    use linea::rules::engine::{self, SourceInput};

    let reg = registry();
    let base = std::env::temp_dir().join(format!("linea-doc-examples-{}", std::process::id()));
    let mut failures = Vec::new();
    for r in reg.iter() {
        let m = &r.meta;
        if EXAMPLES_EXEMPT.iter().any(|(k, _)| *k == m.id || *k == m.family) {
            continue;
        }
        for (heading, must_fire) in [("Example", true), ("Use instead", false)] {
            let blocks = m.doc_examples(heading);
            let [(info, code)] = blocks.as_slice() else {
                failures.push(format!(
                    "{}: `## {heading}` needs exactly one code block, has {}",
                    m.id,
                    blocks.len()
                ));
                continue;
            };
            let Some(name) = example_file_name(&m.family, info, code, &m.tags) else {
                failures.push(format!(
                    "{}: `## {heading}` block language `{info}` has no file name; write ```{info} file=NAME",
                    m.id
                ));
                continue;
            };
            let dir = base.join(&m.id).join(if must_fire { "example" } else { "use-instead" });
            let path = dir.join(&name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("temp dir");
            std::fs::write(&path, code).expect("write example");
            let Some(kind) = discover::classify(&path) else {
                failures.push(format!(
                    "{}: `## {heading}` file `{name}` is not a kind linea checks",
                    m.id
                ));
                continue;
            };
            let config = Config {
                select: Some(vec![m.id.clone()]),
                ..Config::default()
            };
            let settings = Settings::from_config(config, None, dir.clone()).expect("settings");
            let outcome = engine::run(&reg, &settings, vec![SourceInput::Disk(Input { path, kind })]);
            let fired: Vec<&str> = outcome
                .diagnostics
                .iter()
                .filter(|d| d.rule == m.id && d.suppressed.is_none())
                .map(|d| d.message.as_str())
                .collect();
            if must_fire && fired.is_empty() {
                failures.push(format!(
                    "{}: the `## Example` block ({name}) does not trigger the rule",
                    m.id
                ));
            }
            if !must_fire && !fired.is_empty() {
                failures.push(format!(
                    "{}: the `## Use instead` block ({name}) triggers the rule: {}",
                    m.id,
                    fired.join("; ")
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&base);
    assert!(failures.is_empty(), "docs examples:\n{}", failures.join("\n"));
}
