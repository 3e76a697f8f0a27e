//! SARIF 2.1.0 (GitHub code scanning, Azure DevOps' SARIF viewer), with our own serde structs:
//! the few types we emit, not the whole standard (see shared/crates.md 5.3 for why not
//! serde-sarif).
//!
//! Suppressed findings are always kept, with `suppressions: [{kind: "inSource"}]`, so a viewer
//! can show what was waived and why. Columns are Unicode code points (`columnKind`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::{fingerprint, range, Report};
use crate::rules::meta::RuleMeta;
use crate::rules::{Diagnostic, Severity};
use crate::source::{SourceFile, Span};

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// GitHub code scanning's limits for one upload: results per run, and the gzip-compressed size.
pub const GITHUB_MAX_RESULTS: usize = 25_000;
pub const GITHUB_MAX_GZIP_BYTES: usize = 10 * 1024 * 1024;
/// The base that every relative artifact URI is resolved against.
const SRCROOT: &str = "%SRCROOT%";
/// Longest region text copied into `snippet`.
const MAX_SNIPPET: usize = 4096;
/// Tags that make a rule a security rule for code scanning (`security-severity` is set).
const SECURITY_TAGS: &[&str] = &[
    "security",
    "secrets",
    "network",
    "tls",
    "encryption",
    "privilege",
    "supply-chain",
    "access-control",
    "injection",
    "exposure",
    "rbac",
    "ports",
    "production-gating",
];

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: Vec<Invocation>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

/// `id` is `category/`: code scanning keeps one analysis per category, so two linea runs with
/// different categories (two parts of a monorepo) do not replace each other's results.
#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help,
    /// Only built-in rules have a page, and only when linea's repository URL is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    enabled: bool,
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    scope: &'static str,
    tags: Vec<String>,
    precision: &'static str,
    /// GitHub code scanning's severity of a security rule, a number in a string.
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

/// A SARIF `fix`: the edits of a finding's fix, all in the finding's file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

/// An insertion is an empty `deletedRegion` (start and end at the same place).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    byte_offset: usize,
    byte_length: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    justification: &'a str,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Percent-encode a path for a URI reference, keeping `/` and RFC 3986's unreserved characters.
pub(crate) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `file:///abs/dir/` for a directory.
fn dir_uri(dir: &Path) -> String {
    let mut s = crate::source::display_path(dir);
    if !s.starts_with('/') {
        s.insert(0, '/'); // Windows `C:/x` becomes `/C:/x`
    }
    if !s.ends_with('/') {
        s.push('/');
    }
    format!("file://{}", encode_path(&s))
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved in the text (not through the
/// file system: a link must not move a finding).
fn lexical_absolute(cwd: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in cwd.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Where the files are: relative to `%SRCROOT%` (the repository root), whatever the working
/// directory, or absolute file URIs for files outside it.
struct Locator {
    cwd: PathBuf,
    root: PathBuf,
}

impl Locator {
    fn artifact(&self, file: &SourceFile) -> ArtifactLocation {
        let abs = lexical_absolute(&self.cwd, &file.path);
        match abs.strip_prefix(&self.root) {
            Ok(rel) if !rel.as_os_str().is_empty() => ArtifactLocation {
                uri: encode_path(&crate::source::display_path(rel)),
                uri_base_id: Some(SRCROOT),
            },
            _ => ArtifactLocation {
                uri: dir_uri(&abs).trim_end_matches('/').to_string(),
                uri_base_id: None,
            },
        }
    }
}

fn region(file: &SourceFile, span: Span) -> Region {
    let len = file.text.len();
    let span = Span::new(span.start.min(len), span.end.min(len).max(span.start.min(len)));
    let (start, end) = range(file, span);
    // a whole-object span would copy the object; viewers show the file anyway
    let text = if span.len() <= MAX_SNIPPET {
        file.slice(span)
    } else {
        ""
    };
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
        byte_offset: span.start,
        byte_length: span.len(),
        snippet: (!text.is_empty()).then(|| Text { text: text.to_string() }),
    }
}

fn descriptor<'a>(meta: &'a RuleMeta, settings: &crate::config::Settings) -> ReportingDescriptor<'a> {
    // the severity in force: a rule set to `info` in linea.toml is not High in code scanning
    let severity = settings.severity(meta);
    let mut tags = vec![meta.family.clone()];
    tags.extend(meta.tags.iter().filter(|t| **t != meta.family).cloned());
    let security = meta.tags.iter().any(|t| SECURITY_TAGS.contains(&t.as_str()));
    if security && !tags.iter().any(|t| t == "security") {
        tags.push("security".into());
    }
    let full = meta
        .docs
        .split("\n## ")
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with("## "))
        .unwrap_or(&meta.summary)
        .to_string();
    let mut help_text = String::new();
    if let Some(h) = &meta.help {
        help_text.push_str(h);
        help_text.push_str("\n\n");
    }
    help_text.push_str(meta.docs.trim());
    ReportingDescriptor {
        id: &meta.id,
        name: &meta.slug,
        short_description: Text {
            text: meta.summary.clone(),
        },
        full_description: Text { text: full },
        help: Help {
            text: help_text,
            markdown: crate::rules::docs::page(meta),
        },
        help_uri: meta.doc_url(),
        default_configuration: Configuration {
            enabled: settings.rule_enabled(meta),
            level: level(severity),
        },
        properties: RuleProperties {
            scope: meta.scope.as_str(),
            tags,
            precision: if meta.family == "core" { "very-high" } else { "high" },
            security_severity: security.then_some(match severity {
                Severity::Error => "8.0",
                Severity::Warning => "5.0",
                Severity::Info => "2.0",
            }),
        },
    }
}

pub fn render(report: &Report<'_>) -> String {
    let mut buf = Vec::new();
    let _ = write(report, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// The report written to `w` as it is serialised.
pub fn write(report: &Report<'_>, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let project = &report.outcome.project;
    // the rules that ran, plus any rule a finding names (engine rules, custom rules)
    let named: HashSet<&str> = report.outcome.diagnostics.iter().map(|d| d.rule.as_str()).collect();
    let mut rules: Vec<&RuleMeta> = report
        .registry
        .iter()
        .map(|r| &r.meta)
        .filter(|m| report.settings.rule_enabled(*m) || named.contains(m.id.as_str()))
        .collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();

    let cwd = std::env::current_dir().unwrap_or_default();
    let root = report
        .options
        .root
        .clone()
        .unwrap_or_else(|| lexical_absolute(&cwd, &report.outcome.project.root));
    let locator = Locator { cwd, root };

    // the Nth finding with the same fingerprint in a run gets `:N`, so duplicates stay distinct
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut results = Vec::new();
    for d in &report.outcome.diagnostics {
        let Some(file) = project.file(d.file) else { continue };
        results.push((d.severity, result(report, &locator, d, file, &index, &mut seen)));
    }

    let mut notifications: Vec<Notification> = report
        .outcome
        .internal_errors
        .iter()
        .map(|e| Notification {
            level: "error",
            message: Text { text: e.clone() },
        })
        .collect();
    if let Some(max) = report.options.sarif_max_results.filter(|&m| results.len() > m) {
        // the most severe first, each severity in the report's order
        results.sort_by_key(|(severity, _)| std::cmp::Reverse(*severity));
        let omitted = results.len() - max;
        results.truncate(max);
        notifications.push(Notification {
            level: "warning",
            message: Text {
                text: format!("{omitted} results omitted by --sarif-max-results {max} (the least severe)"),
            },
        });
    }
    let results: Vec<SarifResult<'_>> = results.into_iter().map(|(_, r)| r).collect();
    let mut base = BTreeMap::new();
    base.insert(
        SRCROOT,
        ArtifactLocation {
            uri: dir_uri(&locator.root),
            uri_base_id: None,
        },
    );
    let category = report.options.sarif_category.as_deref().unwrap_or("linea");
    let repository = env!("CARGO_PKG_REPOSITORY");
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "linea",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: (!repository.is_empty()).then_some(repository),
                    rules: rules.into_iter().map(|m| descriptor(m, report.settings)).collect(),
                },
            },
            automation_details: AutomationDetails {
                id: format!("{}/", category.trim_end_matches('/')),
            },
            invocations: vec![Invocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: base,
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    super::escape::write_json_pretty(&log, w)
}

fn result<'a>(
    report: &Report<'_>,
    locator: &Locator,
    d: &'a Diagnostic,
    file: &crate::project::ParsedFile,
    index: &HashMap<&str, usize>,
    seen: &mut HashMap<u64, usize>,
) -> SarifResult<'a> {
    let project = &report.outcome.project;
    let path = file.source.display_path();
    let hash = fingerprint(&d.rule, &path, &file.source, d.span.start);
    let n = seen.entry(hash).or_insert(0);
    *n += 1;
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("linea/v1", format!("{hash:016x}:{n}"));
    let related = d
        .labels
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let f = project.file(l.file)?;
            Some(Location {
                id: Some(i + 1),
                physical_location: PhysicalLocation {
                    artifact_location: locator.artifact(&f.source),
                    region: region(&f.source, l.span),
                },
                message: Some(Text {
                    text: l.message.clone(),
                }),
            })
        })
        .collect();
    let mut message = d.message.clone();
    if let Some(note) = &d.note {
        message.push_str(&format!(". {note}"));
    }
    SarifResult {
        rule_id: &d.rule,
        rule_index: index.get(d.rule.as_str()).copied(),
        level: level(d.severity),
        message: Text { text: message },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: locator.artifact(&file.source),
                region: region(&file.source, d.span),
            },
            message: None,
        }],
        related_locations: related,
        partial_fingerprints: fingerprints,
        suppressions: d
            .suppressed
            .iter()
            .map(|s| Suppression {
                kind: "inSource",
                justification: &s.justification,
            })
            .collect(),
        fixes: d.fix.iter().map(|f| sarif_fix(locator, &file.source, f)).collect(),
    }
}

fn sarif_fix(locator: &Locator, file: &SourceFile, fix: &crate::rules::Fix) -> SarifFix {
    let description = match fix.applicability {
        crate::rules::Applicability::Safe => "safe fix: `linea check --fix` applies it",
        crate::rules::Applicability::Unsafe => {
            "unsafe fix (may change behaviour): `linea check --fix --unsafe-fixes` applies it"
        }
    };
    SarifFix {
        description: Text {
            text: description.to_string(),
        },
        artifact_changes: vec![ArtifactChange {
            artifact_location: locator.artifact(file),
            replacements: fix
                .edits
                .iter()
                .map(|e| Replacement {
                    deleted_region: Region {
                        snippet: None,
                        ..region(file, e.span)
                    },
                    inserted_content: (!e.replacement.is_empty()).then(|| Text {
                        text: e.replacement.clone(),
                    }),
                })
                .collect(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_uris() {
        assert_eq!(encode_path("k8s/my app/déploy.yaml"), "k8s/my%20app/d%C3%A9ploy.yaml");
        assert_eq!(dir_uri(Path::new("/work/repo")), "file:///work/repo/");
    }

    #[test]
    fn region_counts_code_points() {
        let f = SourceFile::new(crate::source::FileId(0), "a.yaml".into(), "é: 😀x\n");
        let at = f.text.find('x').unwrap_or(0);
        let r = region(&f, Span::new(at, at + 1));
        assert_eq!(
            (r.start_column, r.end_column, r.byte_offset, r.byte_length),
            (5, 6, 8, 1)
        );
    }
}
