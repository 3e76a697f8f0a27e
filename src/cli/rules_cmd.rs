//! `linea rules` and `linea explain`

use super::{print_error, ExitStatus, RulesArgs, RulesFormat};
use crate::rules::registry::Registry;

pub fn list(args: RulesArgs) -> ExitStatus {
    let registry = match Registry::builtin() {
        Ok(r) => r,
        Err(e) => {
            print_error(&e.to_string());
            return ExitStatus::Error;
        }
    };
    match args.format {
        RulesFormat::Json => {
            let items: Vec<serde_json::Value> = registry
                .iter()
                .map(|r| {
                    let m = &r.meta;
                    serde_json::json!({
                        "id": m.id, "slug": m.slug, "family": m.family, "severity": m.severity,
                        "scope": m.scope, "summary": m.summary, "enabled_by_default": m.default_enabled,
                        "sources": m.sources,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&items).unwrap_or_default());
        }
        RulesFormat::Table => {
            let w_slug = registry.iter().map(|r| r.meta.slug.len()).max().unwrap_or(4).max(4);
            println!(
                "{:<9} {:<w_slug$} {:<8} {:<5} SUMMARY",
                "ID", "SLUG", "SEVERITY", "SCOPE"
            );
            for r in registry.iter() {
                let m = &r.meta;
                println!(
                    "{:<9} {:<w_slug$} {:<8} {:<5} {}",
                    m.id,
                    m.slug,
                    m.severity.as_str(),
                    m.scope.as_str(),
                    m.summary
                );
            }
        }
    }
    ExitStatus::Success
}

pub fn explain(key: &str) -> ExitStatus {
    let registry = match Registry::builtin() {
        Ok(r) => r,
        Err(e) => {
            print_error(&e.to_string());
            return ExitStatus::Error;
        }
    };
    let Some(rule) = registry.find(key) else {
        let names: Vec<&str> = registry
            .iter()
            .flat_map(|r| [r.meta.id.as_str(), r.meta.slug.as_str()])
            .collect();
        let hint = crate::config::nearest(key, &names)
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        print_error(&format!("no rule `{key}`{hint}"));
        return ExitStatus::Error;
    };
    let m = &rule.meta;
    println!("{} ({}) — {}", m.id, m.slug, m.summary);
    println!(
        "family: {}  severity: {}  scope: {}",
        m.family,
        m.severity,
        m.scope.as_str()
    );
    if !m.sources.is_empty() {
        let s: Vec<String> = m
            .sources
            .iter()
            .map(|s| format!("{} {} ({})", s.tool, s.id, s.relation))
            .collect();
        println!("peers: {}", s.join(", "));
    }
    println!();
    println!("{}", m.docs.trim_end());
    ExitStatus::Success
}
