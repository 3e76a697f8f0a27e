//! Rule documentation pages, generated from the rule metadata (`docs/rules/<ID>.md` and the
//! index `docs/rules/README.md`). A test keeps the committed pages current.

use std::fmt::Write as _;

use crate::rules::meta::RuleMeta;
use crate::rules::registry::Registry;

/// The Markdown page of one rule.
pub fn page(meta: &RuleMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {} — {}\n", meta.id, meta.slug);
    let _ = writeln!(s, "{}\n", meta.summary);
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| Family | `{}` |", meta.family);
    if !meta.aliases.is_empty() {
        let former: Vec<String> = meta.aliases.iter().map(|a| format!("`{a}`")).collect();
        let _ = writeln!(s, "| Former slugs | {} (still accepted) |", former.join(", "));
    }
    let _ = writeln!(s, "| Default severity | {} |", meta.severity);
    let scope = match meta.scope {
        crate::rules::Scope::All => "all files",
        crate::rules::Scope::Prod => "production files only",
    };
    let _ = writeln!(s, "| Scope | {scope} |");
    let _ = writeln!(
        s,
        "| Enabled by default | {} |",
        if meta.default_enabled { "yes" } else { "no" }
    );
    let kind = match &meta.logic {
        crate::rules::meta::Logic::Native(_) => "native",
        crate::rules::meta::Logic::Check(_) => "declarative (`check:` in the rule file)",
        crate::rules::meta::Logic::Engine => "engine",
    };
    let _ = writeln!(s, "| Implementation | {kind} |");
    if !meta.sources.is_empty() {
        let peers: Vec<String> = meta
            .sources
            .iter()
            .map(|p| {
                format!(
                    "{} `{}`{}",
                    p.tool,
                    p.id,
                    if p.relation == "same" { "" } else { " (inspired)" }
                )
            })
            .collect();
        let _ = writeln!(s, "| Peers | {} |", peers.join(", "));
    }
    s.push('\n');
    if let Some(help) = &meta.help {
        let _ = writeln!(s, "**How to fix:** {help}\n");
    }
    s.push_str(meta.docs.trim_end());
    s.push('\n');
    let _ = writeln!(
        s,
        "\nSuppress one finding with `# linea: ignore[{}] reason` on the line or the line before.",
        meta.id
    );
    s
}

/// The index page, rules grouped by family.
pub fn index(registry: &Registry) -> String {
    let mut s = String::from("# Rules\n\nGenerated from `rules/<family>/<ID>.yaml`; do not edit by hand (`UPDATE_DOCS=1 cargo test` regenerates).\n");
    let mut families: Vec<&str> = registry.iter().map(|r| r.meta.family.as_str()).collect();
    families.sort();
    families.dedup();
    for fam in families {
        let _ = writeln!(
            s,
            "\n## {fam}\n\n| ID | slug | severity | scope | summary |\n|---|---|---|---|---|"
        );
        for r in registry.iter().filter(|r| r.meta.family == fam) {
            let m = &r.meta;
            let _ = writeln!(
                s,
                "| [{id}]({id}.md) | `{}` | {} | {} | {} |",
                m.slug,
                m.severity,
                m.scope.as_str(),
                m.summary.replace('|', "\\|"),
                id = m.id
            );
        }
    }
    s
}

/// ANSI styles for the terminal rendering; empty strings when colour is off.
struct Style {
    bold: &'static str,
    code: &'static str,
    dim: &'static str,
    reset: &'static str,
}

impl Style {
    fn new(color: bool) -> Style {
        if color {
            Style {
                bold: "\u{1b}[1m",
                code: "\u{1b}[36m",
                dim: "\u{1b}[2m",
                reset: "\u{1b}[0m",
            }
        } else {
            Style {
                bold: "",
                code: "",
                dim: "",
                reset: "",
            }
        }
    }
}

/// A rule's documentation for a terminal (`linea explain`): a header with the metadata, then the
/// Markdown body with headings underlined, code blocks indented, list bullets and, with colour,
/// inline code highlighted instead of back-quoted. No Markdown crate: the docs use a small,
/// fixed subset (headings, paragraphs, lists, fenced code, inline code), which this covers.
pub fn terminal(meta: &RuleMeta, color: bool) -> String {
    let st = Style::new(color);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}{} {}{} — {}",
        st.bold,
        meta.id,
        meta.slug,
        st.reset,
        inline(&meta.summary, &st)
    );
    let scope = match meta.scope {
        crate::rules::Scope::All => "all files",
        crate::rules::Scope::Prod => "production files only",
    };
    let _ = writeln!(
        s,
        "{}family {} · severity {} · scope: {} · {}{}",
        st.dim,
        meta.family,
        meta.severity,
        scope,
        if meta.default_enabled {
            "on by default"
        } else {
            "off by default"
        },
        st.reset
    );
    if !meta.sources.is_empty() {
        let peers: Vec<String> = meta
            .sources
            .iter()
            .map(|p| {
                let rel = if p.relation == "same" { "" } else { " (inspired)" };
                format!("{} {}{rel}", p.tool, p.id)
            })
            .collect();
        let _ = writeln!(s, "{}peers: {}{}", st.dim, peers.join(", "), st.reset);
    }
    if let Some(help) = &meta.help {
        let _ = writeln!(s, "\n{}How to fix:{} {}", st.bold, st.reset, inline(help, &st));
    }
    s.push('\n');
    s.push_str(&markdown(&meta.docs, &st));
    let _ = writeln!(
        s,
        "\nSuppress one finding with `# linea: ignore[{}] reason` on the line or the line before.",
        meta.id
    );
    if let Some(url) = meta.doc_url() {
        let _ = writeln!(s, "Docs: {url}");
    }
    s
}

fn markdown(md: &str, st: &Style) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for line in md.trim_end().lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            let _ = writeln!(out, "    {}{line}{}", st.code, st.reset);
            continue;
        }
        if let Some(h) = t.strip_prefix('#') {
            let h = h.trim_start_matches('#').trim();
            let rule: String = "─".repeat(h.chars().count());
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            let _ = writeln!(out, "{}{h}{}\n{}{rule}{}", st.bold, st.reset, st.dim, st.reset);
            continue;
        }
        if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            let indent = &line[..line.len() - t.len()];
            let _ = writeln!(out, "{indent}  • {}", inline(item, st));
            continue;
        }
        let _ = writeln!(out, "{}", inline(line, st));
    }
    out
}

/// Inline Markdown: `code` is coloured when colour is on (back-quotes kept otherwise, so the
/// text still reads as code in a pipe); `**bold**` loses its stars.
fn inline(text: &str, st: &Style) -> String {
    let text = text.replace("**", "");
    if st.code.is_empty() {
        return text;
    }
    let mut out = String::new();
    let mut open = false;
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            open = !open;
            out.push_str(if open { st.code } else { st.reset });
        }
        out.push_str(part);
    }
    if open {
        out.push_str(st.reset);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> RuleMeta {
        let reg = Registry::builtin().unwrap_or_default();
        reg.meta("LINEA001")
            .cloned()
            .unwrap_or_else(|| panic!("LINEA001 is built in"))
    }

    #[test]
    fn terminal_rendering_has_no_markdown_fences() {
        let out = terminal(&meta(), false);
        assert!(out.starts_with("LINEA001 unused-suppression — "));
        assert!(!out.contains("```"));
        assert!(!out.contains("## "));
        assert!(out.contains("Why is this bad?\n────"));
        // code blocks are indented
        assert!(out.contains("\n    containers:\n"));
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn colour_replaces_backquotes() {
        let st = Style::new(true);
        assert_eq!(inline("use `x` now", &st), "use \u{1b}[36mx\u{1b}[0m now");
        assert!(terminal(&meta(), true).contains('\u{1b}'));
    }
}
