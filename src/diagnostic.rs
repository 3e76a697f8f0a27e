//! Findings and their severities: the lowest layer, below configuration, rules and reports,
//! so that every other module can speak of a finding without depending on the rule engine.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::source::{Environment, FileId, Span};

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "i" => Some(Severity::Info),
            "warning" | "warn" | "w" => Some(Severity::Warning),
            "error" | "e" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location shown with a diagnostic (e.g. the other end of a cross-file mismatch).
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// A text edit of a fix.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

/// A suppression that silenced a diagnostic (kept for SARIF and `--show-suppressed`).
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub justification: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Rule id, e.g. `DF001`.
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub file: FileId,
    pub span: Span,
    pub labels: Vec<Label>,
    /// Why it matters (optional; the rule docs say more).
    pub note: Option<String>,
    /// What to do, in the imperative.
    pub help: Option<String>,
    pub fix: Option<Fix>,
    pub suppressed: Option<Suppressed>,
    /// The environment of what the finding is about (a file, an object, a job), when the rule
    /// that made it is production-scoped: the engine drops findings about non-production
    /// things for such rules.
    pub env: Option<Environment>,
}

impl Diagnostic {
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule: rule.into(),
            severity,
            message: message.into(),
            file,
            span,
            labels: Vec::new(),
            note: None,
            help: None,
            fix: None,
            suppressed: None,
            env: None,
        }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
    /// Say which environment the finding is about (an object's namespace, a module's root),
    /// when that is not its file's.
    pub fn in_env(&mut self, env: Environment) -> &mut Self {
        self.env = Some(env);
        self
    }
    pub fn with_label(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }
}

/// What configuration needs to know of a rule to select it, override its severity or ignore
/// it for a path. Rule metadata implements it; configuration never depends on the rule engine.
pub trait RuleInfo {
    /// `DF001`
    fn id(&self) -> &str;
    /// `image-tag-latest`
    fn slug(&self) -> &str;
    /// Former slugs, still accepted wherever the slug is (`apt-unpinned` for DF009).
    fn aliases(&self) -> &[String] {
        &[]
    }
    /// Whether `name` is the rule's slug or a former one.
    fn has_slug(&self, name: &str) -> bool {
        name == self.slug() || self.aliases().iter().any(|a| a == name)
    }
    /// `docker`
    fn family(&self) -> &str;
    /// The severity before configuration overrides it.
    fn default_severity(&self) -> Severity;
    /// Whether the rule runs unless configuration selects it by name.
    fn default_enabled(&self) -> bool;
}

/// A value as quoted in a message: long values (image references, URLs, package lists) are
/// cut so the message stays short; the highlighted span shows the whole value.
pub fn shown(value: &str) -> String {
    const MAX: usize = 48;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_string(),
    }
}
