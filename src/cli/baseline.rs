//! `--write-baseline` / `--baseline`: accept the findings a repository has today and fail only
//! on new ones. A finding is fingerprinted by rule id, path (relative to the config root) and
//! the whitespace-normalised text of its line, so it survives lines moving up or down.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::rules::engine::Outcome;
use crate::rules::Diagnostic;
use crate::source::display_path;

/// Bumped on any incompatible change of the file's shape.
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Fingerprint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fingerprint {
    rule: String,
    path: String,
    /// The offending line, trimmed, inner whitespace collapsed.
    line: String,
}

fn fingerprint(outcome: &Outcome, settings: &Settings, d: &Diagnostic) -> Option<Fingerprint> {
    let file = outcome.project.file(d.file)?;
    let line_no = file.source.position(d.span.start).line;
    let line = file
        .source
        .line_index
        .line_span(&file.source.text, line_no)
        .map(|s| s.slice(&file.source.text))
        .unwrap_or("");
    Some(Fingerprint {
        rule: d.rule.clone(),
        path: display_path(&settings.relative(&file.source.path)),
        line: line.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}

/// Write every unsuppressed finding to `path`; returns how many.
pub fn write(path: &Path, outcome: &Outcome, settings: &Settings) -> Result<usize, String> {
    let mut findings: Vec<Fingerprint> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.suppressed.is_none())
        .filter_map(|d| fingerprint(outcome, settings, d))
        .collect();
    findings.sort();
    let n = findings.len();
    let doc = BaselineFile {
        version: VERSION,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("{}: cannot write baseline: {e}", path.display()))?;
    Ok(n)
}

/// Drop the findings recorded in the baseline at `path` from `outcome`; returns how many.
/// Each recorded entry hides one finding, so a second identical finding is still new.
pub fn apply(path: &Path, outcome: &mut Outcome, settings: &Settings) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
    let doc: BaselineFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a linea baseline: {e}", path.display()))?;
    if doc.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not supported (expected {VERSION}); write it again with --write-baseline",
            path.display(),
            doc.version
        ));
    }
    let mut budget: HashMap<Fingerprint, usize> = HashMap::new();
    for f in doc.findings {
        *budget.entry(f).or_default() += 1;
    }
    let keep: Vec<bool> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            if d.suppressed.is_some() {
                return true;
            }
            let Some(fp) = fingerprint(outcome, settings, d) else {
                return true;
            };
            match budget.get_mut(&fp) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            }
        })
        .collect();
    let before = outcome.diagnostics.len();
    let mut keep = keep.into_iter();
    outcome.diagnostics.retain(|_| keep.next().unwrap_or(true));
    Ok(before - outcome.diagnostics.len())
}
