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
