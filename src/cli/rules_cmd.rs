//! `linea rules` and `linea explain`

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use super::{print_error, ExitStatus, RulesArgs, RulesFormat};
use crate::rules::registry::Registry;
use crate::rules::Severity;

/// One rule in `linea rules --format json`, keys in this order.
#[derive(serde::Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    slug: &'a str,
    family: &'a str,
    severity: Severity,
    scope: crate::rules::Scope,
    enabled_by_default: bool,
    summary: &'a str,
    help: Option<&'a str>,
    tags: &'a [String],
    sources: &'a [crate::rules::meta::RuleSource],
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
}

/// Colour on a terminal unless `NO_COLOR` is set (to anything but the empty string).
fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The rule table: one row per rule, grouped by family, summaries cut to the terminal width.
pub fn table(registry: &Registry, color: bool) -> String {
    let w_id = registry.iter().map(|r| r.meta.id.len()).max().unwrap_or(2).max(2);
    let w_slug = registry.iter().map(|r| r.meta.slug.len()).max().unwrap_or(4).max(4);
    let width = if color {
        std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok())
    } else {
        None
    };
    let (bold, dim, reset) = if color {
        ("\u{1b}[1m", "\u{1b}[2m", "\u{1b}[0m")
    } else {
        ("", "", "")
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{bold}{:<w_id$}  {:<w_slug$}  {:<8}  {:<5}  SUMMARY{reset}",
        "ID", "SLUG", "SEVERITY", "SCOPE"
    );
    let fixed = w_id + w_slug + 8 + 5 + 8;
    let mut family = "";
    let (mut total, mut off) = (0, 0);
    for r in registry.iter() {
        let m = &r.meta;
        if m.family != family {
            family = &m.family;
            let _ = writeln!(out, "{dim}# {family}{reset}");
        }
        total += 1;
        let mut summary = m.summary.clone();
        if !m.default_enabled {
            off += 1;
            summary.push_str(" (off by default)");
        }
        if let Some(w) = width.filter(|w| *w > fixed + 20) {
            if summary.chars().count() > w - fixed {
                summary = summary.chars().take(w - fixed - 1).collect::<String>() + "…";
            }
        }
        let sev = match (color, m.severity) {
            (false, _) => m.severity.as_str().to_string(),
            (true, Severity::Error) => format!("\u{1b}[31m{:<8}{reset}", "error"),
            (true, Severity::Warning) => format!("\u{1b}[33m{:<8}{reset}", "warning"),
            (true, Severity::Info) => format!("\u{1b}[36m{:<8}{reset}", "info"),
        };
        let _ = writeln!(
            out,
            "{:<w_id$}  {:<w_slug$}  {:<8}  {:<5}  {}",
            m.id,
            m.slug,
            sev,
            m.scope.as_str(),
            summary
        );
    }
    let _ = writeln!(
        out,
        "\n{total} rules, {} on by default. `linea explain ID` shows a rule's documentation.",
        total - off
    );
    out
}

/// The built-in rules plus the custom rules of the configuration (its `rules` directories),
/// so `rules` and `explain` show what `check` runs.
fn registry(config: Option<&Path>) -> Result<Registry, ExitStatus> {
    let mut registry = Registry::builtin().map_err(|e| {
        print_error(&e.to_string());
        ExitStatus::Error
    })?;
    let settings = crate::config::load(config, Path::new(".")).map_err(|e| {
        super::config_error(&e);
        ExitStatus::Error
    })?;
    for dir in &settings.config.rules {
        let repository = crate::config::repository_root(&settings.root).unwrap_or_else(|| settings.root.clone());
        if let Err(e) = registry.load_dir_within(&settings.root.join(dir), Some(&repository)) {
            super::meta_error(&e);
            return Err(ExitStatus::Error);
        }
    }
    Ok(registry)
}

pub fn list(args: RulesArgs) -> ExitStatus {
    let registry = match registry(args.config.as_deref()) {
        Ok(r) => r,
        Err(status) => return status,
    };
    match args.format {
        RulesFormat::Json => {
            let items: Vec<RuleRow<'_>> = registry
                .iter()
                .map(|r| {
                    let m = &r.meta;
                    RuleRow {
                        id: &m.id,
                        slug: &m.slug,
                        family: &m.family,
                        severity: m.severity,
                        scope: m.scope,
                        enabled_by_default: m.default_enabled,
                        summary: &m.summary,
                        help: m.help.as_deref(),
                        tags: &m.tags,
                        sources: &m.sources,
                        help_uri: m.doc_url(),
                    }
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&items).unwrap_or_default());
        }
        RulesFormat::Table => print!("{}", table(&registry, color_stdout())),
    }
    ExitStatus::Success
}

pub fn explain(key: &str, config: Option<&Path>) -> ExitStatus {
    let registry = match registry(config) {
        Ok(r) => r,
        Err(status) => return status,
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
    print!("{}", crate::rules::docs::terminal(&rule.meta, color_stdout()));
    ExitStatus::Success
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_rule_without_colour() {
        let registry = Registry::builtin().unwrap_or_default();
        let out = table(&registry, false);
        assert!(out.starts_with("ID "));
        assert!(out.contains("# core\n"));
        for r in registry.iter() {
            assert!(out.contains(&format!("{} ", r.meta.id)), "{} missing", r.meta.id);
        }
        assert!(out.contains("(off by default)"));
        assert!(!out.contains('\u{1b}'));
        assert!(table(&registry, true).contains('\u{1b}'));
    }
}
