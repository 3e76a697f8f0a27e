//! Embeds the built-in rule YAML and generates the native rule registry from it, so adding a
//! rule never means editing a central table.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn pascal(slug: &str) -> String {
    slug.split(['-', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let rules_dir = Path::new(&root).join("rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    let mut files = Vec::new();
    if let Ok(families) = fs::read_dir(&rules_dir) {
        for fam in families.flatten() {
            let fam_path = fam.path();
            if !fam_path.is_dir() {
                continue;
            }
            println!("cargo:rerun-if-changed={}", fam_path.display());
            let family = fam.file_name().to_string_lossy().to_string();
            if let Ok(entries) = fs::read_dir(&fam_path) {
                for e in entries.flatten() {
                    let p = e.path();
                    if p.extension().is_some_and(|x| x == "yaml") {
                        println!("cargo:rerun-if-changed={}", p.display());
                        files.push((family.clone(), p));
                    }
                }
            }
        }
    }
    files.sort();

    let mut embedded = String::from("&[\n");
    let mut natives = String::from(
        "/// The native rule named by `native: <slug>` in a YAML file of `family`.\n#[allow(clippy::match_single_binding)]\n\
         pub fn native_rule(family: &str, slug: &str) -> Option<crate::rules::Imp> {\n    match (family, slug) {\n",
    );
    for (family, path) in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            embedded,
            "    ({rel:?}, {family:?}, include_str!({:?})),",
            path.display().to_string()
        );
        let text = fs::read_to_string(path).unwrap_or_default();
        for line in text.lines() {
            if let Some(slug) = line.strip_prefix("native:") {
                let slug = slug.trim().trim_matches(['"', '\'']);
                let module = slug.replace('-', "_");
                let name = pascal(slug);
                // a rule is a project rule when its file says so; a wrong guess does not compile
                let rs = Path::new(&root)
                    .join("src/rules")
                    .join(family)
                    .join(format!("{module}.rs"));
                println!("cargo:rerun-if-changed={}", rs.display());
                let source = fs::read_to_string(&rs).unwrap_or_default();
                let ctor = if source.contains(&format!("impl ProjectRule for {name}")) {
                    "project"
                } else {
                    "file"
                };
                let _ = writeln!(
                    natives,
                    "        ({family:?}, {slug:?}) => Some(crate::rules::Imp::{ctor}(crate::rules::{family}::{module}::{name})),",
                );
            }
        }
    }
    embedded.push(']');
    natives.push_str("        _ => None,\n    }\n}\n");
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out).join("builtin_rules.rs"), embedded).expect("write builtin_rules.rs");
    fs::write(Path::new(&out).join("native_rules.rs"), natives).expect("write native_rules.rs");
}
