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
        let _ = writeln!(s, "**Fix:** {help}\n");
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
