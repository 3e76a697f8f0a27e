//! Rules: metadata, the native rule trait, the engine that walks each model once and dispatches
//! to the enabled rules, suppressions, and one folder per family with one native rule per file.
//!
//! Adding a rule is `rules/<family>/<ID>.yaml` plus `fixtures/<family>/<ID>/`; a native rule
//! adds `src/rules/<family>/<slug_snake>.rs` and one `mod` line. The build script reads the
//! YAML and generates the registry, so there is no hand-kept table of rules.

pub mod engine;
pub mod fix;
pub mod harness;
pub mod meta;
pub mod registry;
pub mod suppress;

pub mod api;
pub mod ci;
pub mod core;
pub mod cross;
pub mod declarative;
pub mod docker;
pub mod docs;
pub mod istio;
pub mod kubernetes;
pub mod layout;
pub mod python;
pub mod terraform;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::discover::FileKind;
use crate::lang::ParseError;
use crate::project::{ParsedFile, Project};
use crate::source::{Environment, FileId, SourceFile, Span};

pub use meta::{RuleMeta, Scope};

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
    pub fn with_label(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }
}

/// The kinds of model node a rule can ask to see. The engine walks each model once and calls
/// every enabled rule registered for the node kind it is at.
///
/// A language adds its kinds here together with the matching [`Subject`] variants and its walk
/// in [`engine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// Every parsed file, once, whatever its kind.
    File,
    /// The whole repository, once per run.
    Project,
    /// A top-level Terraform block (resource, data, module, variable, output, provider...).
    TfBlock,
    /// A Kubernetes object (any kind, Istio included).
    K8sObject,
    /// The pod spec of a pod-bearing object.
    K8sPod,
    /// A container (regular, init or ephemeral) of a pod-bearing object.
    K8sContainer,
    /// An OpenAPI / Swagger document.
    OpenApiDocument,
    /// One operation (method under a path) of an OpenAPI document.
    OpenApiOperation,
    /// A CI pipeline file (workflow, composite action, Azure pipeline or template), once.
    Pipeline,
    /// A job of a pipeline with its templates and reusable workflows followed (not visited in
    /// template files: their jobs are visited through the pipelines that include them).
    PipelineJob,
    /// A step as written in its own file.
    PipelineStep,
    /// A Dockerfile that parsed, once per file.
    Dockerfile,
    /// Each instruction of a Dockerfile (global ARGs included), in order.
    DockerInstruction,
    /// A parsed Python module (once per `.py` file).
    PythonModule,
}

/// What a rule is looking at; the variant matches a [`NodeKind`].
#[derive(Clone, Copy)]
pub enum Subject<'a> {
    File(&'a ParsedFile),
    Project(&'a Project),
    TfBlock(&'a crate::lang::terraform::TfBlock),
    K8sObject(&'a crate::lang::k8s::Object),
    /// An object and its pod spec.
    K8sPod(&'a crate::lang::k8s::Object, &'a crate::source::Node),
    K8sContainer(&'a crate::lang::k8s::Object, crate::lang::k8s::Container<'a>),
    OpenApiDocument(&'a crate::lang::openapi::Document),
    OpenApiOperation(&'a crate::lang::openapi::Document, &'a crate::lang::openapi::Operation),
    Pipeline(&'a crate::lang::pipeline::Pipeline),
    PipelineJob {
        pipeline: &'a crate::lang::pipeline::Pipeline,
        job: &'a crate::lang::pipeline::Job,
    },
    PipelineStep {
        pipeline: &'a crate::lang::pipeline::Pipeline,
        job: &'a crate::lang::pipeline::Job,
        step: &'a crate::lang::pipeline::Step,
    },
    Dockerfile(&'a crate::lang::docker::Dockerfile),
    DockerInstruction(
        &'a crate::lang::docker::Dockerfile,
        &'a crate::lang::docker::Instruction,
    ),
    PythonModule(&'a crate::lang::python::Module),
}

impl Subject<'_> {
    /// The environment of the subject when it is not its file's: a Terraform block evaluated
    /// for one caller or one environment's var file.
    pub fn environment(&self) -> Option<Environment> {
        match self {
            Subject::TfBlock(b) => b.instance.as_ref().map(|i| i.env),
            _ => None,
        }
    }

    pub fn kind(&self) -> NodeKind {
        match self {
            Subject::File(_) => NodeKind::File,
            Subject::Project(_) => NodeKind::Project,
            Subject::TfBlock(_) => NodeKind::TfBlock,
            Subject::K8sObject(_) => NodeKind::K8sObject,
            Subject::K8sPod(..) => NodeKind::K8sPod,
            Subject::K8sContainer(..) => NodeKind::K8sContainer,
            Subject::OpenApiDocument(_) => NodeKind::OpenApiDocument,
            Subject::OpenApiOperation(..) => NodeKind::OpenApiOperation,
            Subject::Pipeline(_) => NodeKind::Pipeline,
            Subject::PipelineJob { .. } => NodeKind::PipelineJob,
            Subject::PipelineStep { .. } => NodeKind::PipelineStep,
            Subject::Dockerfile(_) => NodeKind::Dockerfile,
            Subject::DockerInstruction(..) => NodeKind::DockerInstruction,
            Subject::PythonModule(_) => NodeKind::PythonModule,
        }
    }
}

/// What a declarative check sees of a subject: which target it is (`terraform.resource`,
/// `k8s.container`, ...), the type or kind name that `type:`/`kind:` filters match, the spanned
/// node its paths are evaluated on, and the span to point at when an asserted value is absent.
#[derive(Clone, Copy)]
pub struct TargetView<'a> {
    /// The declarative target name, e.g. `terraform.resource`.
    pub target: &'static str,
    /// Resource type, object kind, instruction keyword... (`azurerm_key_vault`, `Deployment`).
    pub type_name: &'a str,
    /// Name of the block/object, when it has one.
    pub name: Option<&'a str>,
    pub node: &'a crate::source::Node,
    /// The block header / object start: where "missing" findings point.
    pub header: Span,
}

impl<'a> Subject<'a> {
    /// The subject as a declarative target, when it is one.
    /// A language adds an arm here for each target it offers.
    pub fn target_view(&self) -> Option<TargetView<'a>> {
        match self {
            Subject::File(_) | Subject::Project(_) => None,
            Subject::TfBlock(b) => Some(TargetView {
                target: match b.kind.as_str() {
                    "resource" => "terraform.resource",
                    "data" => "terraform.data",
                    "module" => "terraform.module",
                    "provider" => "terraform.provider",
                    "variable" => "terraform.variable",
                    "output" => "terraform.output",
                    _ => return None,
                },
                type_name: b.type_name(),
                name: b.name(),
                node: &b.body,
                header: b.header,
            }),
            Subject::K8sObject(o) => Some(TargetView {
                target: "k8s.object",
                type_name: &o.kind,
                name: o.name.as_deref(),
                node: &o.root,
                header: o.header,
            }),
            Subject::K8sPod(o, spec) => Some(TargetView {
                target: "k8s.pod",
                type_name: &o.kind,
                name: o.name.as_deref(),
                node: spec,
                header: o.header,
            }),
            Subject::K8sContainer(o, c) => Some(TargetView {
                target: "k8s.container",
                type_name: &o.kind,
                name: c.name,
                node: c.node,
                header: c.header,
            }),
            Subject::OpenApiDocument(d) => Some(TargetView {
                target: "api.document",
                type_name: if d.is_swagger2() { "swagger" } else { "openapi" },
                name: None,
                node: &d.root,
                header: d.header,
            }),
            Subject::OpenApiOperation(d, op) => d.operation_node(op).map(|node| TargetView {
                target: "api.operation",
                type_name: &op.method,
                name: Some(&op.path),
                node,
                header: op.header,
            }),
            Subject::Pipeline(_) => None,
            Subject::PipelineJob { job, .. } => Some(TargetView {
                target: "pipeline.job",
                type_name: if job.deployment { "deployment" } else { "job" },
                name: Some(job.id.text.as_str()),
                node: &job.node,
                header: job.header,
            }),
            Subject::PipelineStep { step, .. } => Some(TargetView {
                target: "pipeline.step",
                type_name: step.tool().unwrap_or(match &step.kind {
                    crate::lang::pipeline::StepKind::Script => "script",
                    _ => "other",
                }),
                name: step.name.as_ref().map(|n| n.text.as_str()),
                node: &step.node,
                header: step.header,
            }),
            Subject::Dockerfile(_) => None,
            Subject::DockerInstruction(d, i) => Some(TargetView {
                target: "dockerfile.instruction",
                type_name: &i.keyword,
                name: i
                    .stage
                    .and_then(|s| d.stages.get(s))
                    .and_then(|s| s.name.as_ref())
                    .map(|n| n.text.as_str()),
                node: &i.node,
                header: i.keyword_span,
            }),
            Subject::PythonModule(_) => None,
        }
    }
}

/// The node kind the engine must visit for a declarative target name.
/// A language adds an arm here for each target it offers.
#[allow(clippy::match_single_binding)]
pub fn target_node_kind(target: &str) -> Option<NodeKind> {
    match target {
        "terraform.resource" | "terraform.data" | "terraform.module" | "terraform.provider" | "terraform.variable"
        | "terraform.output" => Some(NodeKind::TfBlock),
        "k8s.object" => Some(NodeKind::K8sObject),
        "k8s.pod" => Some(NodeKind::K8sPod),
        "k8s.container" => Some(NodeKind::K8sContainer),
        "api.document" => Some(NodeKind::OpenApiDocument),
        "api.operation" => Some(NodeKind::OpenApiOperation),
        "pipeline.job" => Some(NodeKind::PipelineJob),
        "pipeline.step" => Some(NodeKind::PipelineStep),
        "dockerfile.instruction" => Some(NodeKind::DockerInstruction),
        _ => None,
    }
}

/// A native rule: stateless, infallible, shared between threads.
pub trait Rule: Send + Sync {
    /// The node kinds this rule inspects.
    fn kinds(&self) -> &'static [NodeKind];
    /// Inspect one node and report findings through `cx`.
    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>);
}

/// What a rule sees besides its subject, and where it reports.
pub struct Context<'a> {
    pub meta: &'a RuleMeta,
    pub settings: &'a Settings,
    pub project: &'a Project,
    /// The file being checked (for project rules: the first file; use `report_in`).
    pub file: Option<&'a ParsedFile>,
    pub(crate) out: &'a mut Vec<Diagnostic>,
}

impl<'a> Context<'a> {
    /// Report a finding on the current file; returns it for labels, help and fixes.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let file = self.file.map(|f| f.source.id).unwrap_or_default();
        self.report_in(file, span, message)
    }

    /// Report a finding in any file of the project.
    pub fn report_in(&mut self, file: FileId, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let mut d = Diagnostic::new(self.meta.id.clone(), self.meta.severity, file, span, message);
        d.help = self.meta.help.clone();
        self.out.push(d);
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// The current file's source.
    pub fn source(&self) -> Option<&'a SourceFile> {
        self.file.map(|f| &f.source)
    }

    /// Environment of the current file.
    pub fn environment(&self) -> Environment {
        self.file.map(|f| f.env).unwrap_or_default()
    }

    /// Whether `env` counts as production under the current settings.
    pub fn is_prod(&self, env: Environment) -> bool {
        self.settings.is_prod(env)
    }

    pub fn file_kind(&self) -> Option<FileKind> {
        self.file.map(|f| f.kind)
    }
}

/// Build a PARSE001 diagnostic from a parser error.
pub fn parse_error_diagnostic(file: FileId, e: &ParseError) -> Diagnostic {
    Diagnostic::new("PARSE001", Severity::Error, file, e.span, e.message.clone())
}
