//! The fixture harness: runs a rule over its `fixtures/<family>/<ID>/` cases and compares the
//! findings with the `# expect: ID` markers. Built-in rules and users' rules (`linea test`) go
//! through the same code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{self, Settings};
use crate::discover::{self, Input};
use crate::rules::engine::{self, SourceInput};
use crate::rules::fix;
use crate::rules::registry::Registry;
use crate::source::display_path;

/// One expected finding: a rule on a line, optionally with the highlighted text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expectation {
    pub path: String,
    pub line: u32,
    pub rule: String,
    pub text: Option<String>,
}

/// A finding the engine produced in a fixture.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub rule: String,
    pub text: String,
    pub message: String,
}

/// The result of one fixture case (a file, or a directory for project rules).
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub case: PathBuf,
    pub missing: Vec<Expectation>,
    pub unexpected: Vec<Found>,
    /// The case could not be run (bad config, unreadable file).
    pub error: Option<String>,
}

impl CaseReport {
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.error.is_none()
    }
}

/// All cases of one rule.
#[derive(Debug, Clone)]
pub struct RuleReport {
    pub rule: String,
    pub cases: Vec<CaseReport>,
    /// Contract problems: no failing case, no passing case, no fixture directory.
    pub problems: Vec<String>,
}

impl RuleReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.cases.iter().all(CaseReport::passed)
    }

    /// Human-readable failures, one per line.
    pub fn failures(&self) -> Vec<String> {
        let mut out: Vec<String> = self.problems.iter().map(|p| format!("{}: {p}", self.rule)).collect();
        for c in &self.cases {
            if let Some(e) = &c.error {
                out.push(format!("{}: {}: {e}", self.rule, c.case.display()));
            }
            for m in &c.missing {
                let text = m.text.as_ref().map(|t| format!(" on {t:?}")).unwrap_or_default();
                out.push(format!(
                    "{}: missed   {}:{} {}{text}",
                    self.rule, m.path, m.line, m.rule
                ));
            }
            for u in &c.unexpected {
                out.push(format!(
                    "{}: unexpected {}:{}:{} {} {:?}: {}",
                    self.rule, u.path, u.line, u.column, u.rule, u.text, u.message
                ));
            }
        }
        out
    }
}

/// Markers in a file: `# expect: ID` / `# expect: ID "text"` (also after `//`).
pub fn markers(path_label: &str, text: &str) -> Vec<Expectation> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = marker_body(line) else { continue };
        let (rule, pinned) = match rest.split_once(char::is_whitespace) {
            Some((r, t)) => {
                let t = t.trim();
                let pinned = t
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .map(str::to_string);
                (r.to_string(), pinned)
            }
            None => (rest.to_string(), None),
        };
        // the next line that is not itself a marker
        let target = lines
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, l)| marker_body(l).is_none())
            .map(|(j, _)| j as u32 + 1)
            .unwrap_or(i as u32 + 2);
        out.push(Expectation {
            path: path_label.to_string(),
            line: target,
            rule,
            text: pinned,
        });
    }
    out
}

fn marker_body(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix('#').or_else(|| t.strip_prefix("//"))?;
    let t = t.trim_start().strip_prefix("expect:")?;
    let t = t.trim();
    (!t.is_empty()).then_some(t)
}

/// How a fixture name classifies as a case: `fail.tf`, `open-ports.pass.yaml`, `nested.fail/`.
fn case_kind(name: &str) -> Option<(&str, bool)> {
    for (prefix, fail) in [("fail", true), ("pass", false)] {
        if name == prefix || name.starts_with(&format!("{prefix}.")) {
            return Some(("", fail));
        }
    }
    for marker in [".fail", ".pass"] {
        if let Some(i) = name.find(marker) {
            let after = &name[i + marker.len()..];
            if after.is_empty() || after.starts_with('.') {
                return Some((&name[..i], marker == ".fail"));
            }
        }
    }
    None
}

fn case_settings(dir: &Path, case: &str, root: &Path) -> Result<Settings, String> {
    let mut candidates = Vec::new();
    if !case.is_empty() {
        candidates.push(dir.join(format!("{case}.config.toml")));
    }
    candidates.push(dir.join("config.toml"));
    let config = match candidates.into_iter().find(|p| p.is_file()) {
        Some(p) => {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            config::parse_config(&p, &text).map_err(|e| format!("{}: {}", p.display(), e.message))?
        }
        None => config::Config::default(),
    };
    Settings::from_config(config, None, root.to_path_buf())
}

/// Run one rule's fixture directory.
pub fn check_rule(registry: &Registry, rule: &str, dir: &Path) -> RuleReport {
    let mut report = RuleReport {
        rule: rule.to_string(),
        cases: Vec::new(),
        problems: Vec::new(),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        report.problems.push(format!("no fixture directory {}", dir.display()));
        return report;
    };
    let mut names: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().to_string(), e.path()))
        .collect();
    names.sort();
    let (mut fails, mut passes) = (0, 0);
    for (name, path) in names {
        let Some((case, fail)) = case_kind(&name) else { continue };
        if name.ends_with(".config.toml") {
            continue;
        }
        if fail {
            fails += 1;
        } else {
            passes += 1;
        }
        report.cases.push(run_case(registry, rule, dir, case, &path, fail));
    }
    if fails == 0 {
        report
            .problems
            .push("no failing fixture (fail.* or <case>.fail.*)".into());
    }
    if passes == 0 {
        report
            .problems
            .push("no passing fixture (pass.* or <case>.pass.*)".into());
    }
    report
}

fn run_case(registry: &Registry, rule: &str, dir: &Path, case: &str, path: &Path, fail: bool) -> CaseReport {
    let mut cr = CaseReport {
        case: path.to_path_buf(),
        missing: Vec::new(),
        unexpected: Vec::new(),
        error: None,
    };
    let is_dir = path.is_dir();
    let root = if is_dir { path.to_path_buf() } else { dir.to_path_buf() };
    let mut settings = match case_settings(dir, case, &root) {
        Ok(s) => s,
        Err(e) => {
            cr.error = Some(e);
            return cr;
        }
    };
    if is_dir {
        let inner = path.join("linea.toml");
        if inner.is_file() {
            match config::load(Some(&inner), path) {
                Ok(s) => settings = s,
                Err(e) => {
                    cr.error = Some(e.message);
                    return cr;
                }
            }
        }
    }
    // the folder selects the rule under test, plus whatever the case's config selects
    let mut select = settings.config.select.clone().unwrap_or_default();
    select.push(rule.to_string());
    settings.config.select = Some(select);
    let settings = match Settings::from_config(settings.config.clone(), settings.path.clone(), settings.root.clone()) {
        Ok(s) => s,
        Err(e) => {
            cr.error = Some(e);
            return cr;
        }
    };
    let label = |p: &Path| -> String {
        let rel = p.strip_prefix(&root).unwrap_or(p);
        let s = display_path(rel);
        if s.is_empty() {
            display_path(p.file_name().map(Path::new).unwrap_or(p))
        } else {
            s
        }
    };

    let inputs: Vec<Input> = if is_dir {
        discover::discover(&[path.to_path_buf()], &settings, &globset::GlobSet::empty(), 0)
    } else {
        match discover::classify(path) {
            Some(kind) => vec![Input {
                path: path.to_path_buf(),
                kind,
            }],
            None => {
                cr.error = Some("the fixture's name does not classify as a known file kind".into());
                return cr;
            }
        }
    };
    let mut expected = Vec::new();
    for i in &inputs {
        if let Ok(text) = std::fs::read_to_string(&i.path) {
            expected.extend(markers(&label(&i.path), &text));
        }
    }
    if is_dir {
        let ex = path.join("expect.yaml");
        if let Ok(text) = std::fs::read_to_string(&ex) {
            let stream = crate::lang::yaml::parse(&text);
            for d in &stream.documents {
                for item in d.root.items() {
                    let field = |k: &str| item.get(k).and_then(|v| v.scalar_text());
                    let (Some(r), Some(p)) = (field("rule"), field("path")) else {
                        continue;
                    };
                    expected.push(Expectation {
                        path: p,
                        line: field("line").and_then(|l| l.parse().ok()).unwrap_or(1),
                        rule: r,
                        text: field("text"),
                    });
                }
            }
        }
    }
    if !fail && !expected.is_empty() {
        cr.error = Some("a passing fixture carries `expect:` markers".into());
    }
    if fail && expected.is_empty() {
        cr.error = Some("a failing fixture has no `# expect:` marker".into());
    }
    let outcome = engine::run(registry, &settings, inputs.into_iter().map(SourceInput::Disk).collect());
    let mut found = Vec::new();
    for d in outcome.diagnostics.iter().filter(|d| d.suppressed.is_none()) {
        let Some(f) = outcome.project.file(d.file) else {
            continue;
        };
        let pos = f.source.position(d.span.start);
        found.push(Found {
            path: label(&f.source.path),
            line: pos.line,
            column: pos.column,
            rule: d.rule.clone(),
            text: f.source.slice(d.span).to_string(),
            message: d.message.clone(),
        });
    }
    for e in &outcome.internal_errors {
        cr.error = Some(e.clone());
    }
    // match each expectation with one finding
    let mut remaining: BTreeMap<usize, &Found> = found.iter().enumerate().collect();
    for e in expected {
        let hit = remaining
            .iter()
            .find(|(_, f)| {
                f.path == e.path && f.line == e.line && f.rule == e.rule && e.text.as_ref().is_none_or(|t| &f.text == t)
            })
            .map(|(k, _)| *k);
        match hit {
            Some(k) => {
                remaining.remove(&k);
            }
            None => cr.missing.push(e),
        }
    }
    cr.unexpected = remaining.into_values().cloned().collect();
    if fail && !is_dir && cr.error.is_none() {
        if let Some(e) = check_fixed(registry, rule, &settings, path, &outcome) {
            cr.error = Some(e);
        }
    }
    cr
}

/// The expected text after fixing a failing case: `fail.Dockerfile` → `fixed.Dockerfile`,
/// `heredoc.fail.Dockerfile` → `heredoc.fixed.Dockerfile`.
pub fn fixed_path(case: &Path) -> Option<PathBuf> {
    let name = case.file_name()?.to_str()?;
    let fixed = match name.strip_prefix("fail") {
        Some(rest) if rest.is_empty() || rest.starts_with('.') => format!("fixed{rest}"),
        _ => {
            let i = name.find(".fail")?;
            format!("{}.fixed{}", &name[..i], &name[i + ".fail".len()..])
        }
    };
    Some(case.with_file_name(fixed))
}

/// Apply every fix (safe or unsafe) of the rule under test to a failing file case, pass after
/// pass, and compare the result with the case's `.fixed` file. A case whose findings carry
/// fixes must have one; the fixed text must have no fixable finding left and one finding less
/// per applied fix. `None` when all is well.
fn check_fixed(
    registry: &Registry,
    rule: &str,
    settings: &Settings,
    path: &Path,
    outcome: &engine::Outcome,
) -> Option<String> {
    let file = outcome.project.files.first()?;
    let (kind, source_path) = (file.kind, file.source.path.clone());
    let count = |o: &engine::Outcome| {
        o.diagnostics
            .iter()
            .filter(|d| d.rule == rule && d.suppressed.is_none())
            .count()
    };
    let before = count(outcome);
    let mut text = file.source.text.to_string();
    let mut applied = 0;
    let mut last: Option<engine::Outcome> = None;
    for _ in 0..10 {
        let current = last.as_ref().unwrap_or(outcome);
        let Some(f) = current.project.files.first() else { break };
        let fixes = fix::fixes_of(&current.diagnostics, f.source.id, Some(rule), true);
        let (next, n) = fix::apply(&text, &fixes);
        if n == 0 {
            break;
        }
        applied += n;
        text = next;
        let input = SourceInput::Memory {
            path: source_path.clone(),
            kind,
            text: text.clone(),
        };
        last = Some(engine::run(registry, settings, vec![input]));
    }
    let expected_path = fixed_path(path)?;
    let expected = std::fs::read_to_string(&expected_path).ok();
    let Some(expected) = expected else {
        return (applied > 0).then(|| {
            format!(
                "fixes apply but there is no {} with the expected result",
                expected_path.display()
            )
        });
    };
    if expected != text {
        return Some(format!(
            "the text after fixing differs from {}:\n--- expected\n{expected}\n--- got\n{text}",
            expected_path.display()
        ));
    }
    let last = last.as_ref().unwrap_or(outcome);
    let after = count(last);
    let left = last.project.files.first().map_or(0, |f| {
        fix::fixes_of(&last.diagnostics, f.source.id, Some(rule), true).len()
    });
    if left > 0 {
        return Some(format!("{left} fixes still apply after fixing (overlapping edits?)"));
    }
    if after + applied != before {
        return Some(format!(
            "{before} findings, {applied} fixes applied, {after} findings left: a fix does not remove its finding"
        ));
    }
    None
}

/// Run every rule that has a fixture directory under `fixtures_root/<family>/<ID>/`, and
/// report rules without one.
pub fn check_all(registry: &Registry, fixtures_root: &Path, builtin_only: bool) -> Vec<RuleReport> {
    registry
        .iter()
        .filter(|r| r.meta.builtin == builtin_only)
        .map(|r| {
            check_rule(
                registry,
                &r.meta.id,
                &fixtures_root.join(&r.meta.family).join(&r.meta.id),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_markers() {
        let m = markers("f", "# expect: DF001 \"debian\"\n# expect: DF003\nFROM debian\n");
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].line, 3);
        assert_eq!(m[0].text.as_deref(), Some("debian"));
        assert_eq!(m[1].line, 3);
        assert_eq!(m[1].rule, "DF003");
    }

    #[test]
    fn names_cases() {
        assert_eq!(case_kind("fail.Dockerfile"), Some(("", true)));
        assert_eq!(case_kind("pass.tf"), Some(("", false)));
        assert_eq!(case_kind("ranges.fail.tf"), Some(("ranges", true)));
        assert_eq!(case_kind("nested.pass"), Some(("nested", false)));
        assert_eq!(case_kind("failover.tf"), None);
        assert_eq!(case_kind("config.toml"), None);
        assert_eq!(case_kind("fixed.Dockerfile"), None);
        assert_eq!(case_kind("heredoc.fixed.Dockerfile"), None);
        let fixed = |p: &str| fixed_path(Path::new(p)).map(|p| p.display().to_string());
        assert_eq!(fixed("d/fail.Dockerfile").as_deref(), Some("d/fixed.Dockerfile"));
        assert_eq!(
            fixed("d/heredoc.fail.Dockerfile").as_deref(),
            Some("d/heredoc.fixed.Dockerfile")
        );
    }
}
