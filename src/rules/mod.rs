//! Rules: metadata, the native rule traits, the engine that walks each model once and dispatches
//! to the enabled rules, suppressions, and one folder per family with one native rule per file.
//!
//! A native rule is a [`FileRule`] — it names its [`target::Target`] and receives that node
//! typed, with a [`FileContext`] that reports into the target's file — or a [`ProjectRule`],
//! which sees the whole [`Project`] and names the file of every finding ([`ProjectContext`]).
//! `scope: prod` is applied by the engine for both: a production-scoped file rule is called
//! only for targets in production, and a project rule's findings about non-production things
//! (the [`Diagnostic::env`] they carry) are dropped.
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
pub mod target;

pub mod api;
pub mod ci;
pub mod compose;
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

use crate::config::Settings;
use crate::discover::FileKind;
use crate::lang::ParseError;
use crate::project::{ParsedFile, Project};
use crate::source::{Environment, FileId, SourceFile, Span};

pub use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, RuleInfo, Severity, Suppressed};
pub use meta::{RuleMeta, Scope};
pub use target::View;

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
    /// A service of a Docker Compose file.
    ComposeService,
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
    /// A job with its templates followed, and what the project's pipeline index reads about it.
    PipelineJob(crate::project::pipeline::JobView<'a>),
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
    ComposeService(&'a crate::lang::compose::ComposeFile, &'a crate::lang::compose::Service),
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
            Subject::PipelineJob(_) => NodeKind::PipelineJob,
            Subject::PipelineStep { .. } => NodeKind::PipelineStep,
            Subject::Dockerfile(_) => NodeKind::Dockerfile,
            Subject::DockerInstruction(..) => NodeKind::DockerInstruction,
            Subject::PythonModule(_) => NodeKind::PythonModule,
            Subject::ComposeService(..) => NodeKind::ComposeService,
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
                type_name: b.checked_as.unwrap_or(b.type_name()),
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
            Subject::PipelineJob(view) => Some(TargetView {
                target: "pipeline.job",
                type_name: if view.job().deployment { "deployment" } else { "job" },
                name: Some(view.job().id.text.as_str()),
                node: &view.job().node,
                header: view.job().header,
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
            Subject::ComposeService(_, svc) => Some(TargetView {
                target: "compose.service",
                type_name: "service",
                name: Some(&svc.name),
                node: &svc.node,
                header: svc.header,
            }),
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
        "compose.service" => Some(NodeKind::ComposeService),
        _ => None,
    }
}

/// A rule that inspects one kind of node of one file at a time: the engine walks each model
/// once and calls it with its [`target::Target`] already matched and typed.
///
/// ```ignore
/// impl FileRule for ImageNotDigestPinned {
///     type Target = target::Dockerfile;
///     fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) { ... }
/// }
/// ```
pub trait FileRule: Send + Sync {
    type Target: target::Target;
    /// Inspect one node and report findings through `cx`.
    fn check(&self, target: View<'_, Self::Target>, cx: &mut FileContext<'_>);
}

/// A rule that looks at the repository as a whole (its indexes), once per run.
pub trait ProjectRule: Send + Sync {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>);
}

/// A file rule with its target erased, as the engine holds it.
pub trait AnyFileRule: Send + Sync {
    /// The node kinds the rule is called for.
    fn kinds(&self) -> &'static [NodeKind];
    /// Inspect a subject of one of [`AnyFileRule::kinds`]; other subjects are ignored.
    fn check_subject(&self, subject: &Subject<'_>, cx: &mut FileContext<'_>);
    /// Whether the rule may read the validation schemas of CustomResourceDefinitions: a run
    /// none of whose rules does lets go of them as each file is parsed ([`crate::project::Keep`]).
    /// No native rule reads them (`tests/select.rs` runs every rule over CRDs with their schemas
    /// and without); a native rule that comes to must say so here.
    fn reads_crd_schemas(&self) -> bool {
        false
    }
}

impl<R: FileRule> AnyFileRule for R {
    fn kinds(&self) -> &'static [NodeKind] {
        <R::Target as target::Target>::KINDS
    }
    fn check_subject(&self, subject: &Subject<'_>, cx: &mut FileContext<'_>) {
        if let Some(view) = <R::Target as target::Target>::view(subject) {
            self.check(view, cx);
        }
    }
}

/// A rule's logic as the registry binds it.
pub enum Imp {
    File(Box<dyn AnyFileRule>),
    Project(Box<dyn ProjectRule>),
}

impl Imp {
    pub fn file(rule: impl FileRule + 'static) -> Imp {
        Imp::File(Box::new(rule))
    }
    pub fn project(rule: impl ProjectRule + 'static) -> Imp {
        Imp::Project(Box::new(rule))
    }
    /// The node kinds the engine calls the rule for.
    pub fn kinds(&self) -> &'static [NodeKind] {
        match self {
            Imp::File(r) => r.kinds(),
            Imp::Project(_) => &[NodeKind::Project],
        }
    }
}

/// What a file rule sees besides its target, and where it reports: the file being walked, its
/// settings, and the environment of the target (a Kubernetes object's namespace, a pipeline
/// job's deploy, a Terraform module's root).
pub struct FileContext<'a> {
    pub meta: &'a RuleMeta,
    /// The settings that govern this file.
    pub settings: &'a Settings,
    /// The repository, read-only, for rules that compare the file with others.
    pub project: &'a Project,
    pub file: &'a ParsedFile,
    /// The file the target is written in (a pipeline job of a template lives in the template).
    pub(crate) home: FileId,
    pub(crate) env: Environment,
    pub(crate) out: &'a mut Vec<Diagnostic>,
}

impl<'a> FileContext<'a> {
    /// Report a finding on the target's file; returns it for labels, help and fixes.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let home = self.home;
        self.report_in(home, span, message)
    }

    /// Report a finding in another file the target is made of (a step of a template a job
    /// includes). Findings about other files belong to project rules.
    pub fn report_in(&mut self, file: FileId, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let mut d = Diagnostic::new(self.meta.id.clone(), self.meta.severity, file, span, message);
        d.help = self.meta.help.clone();
        d.env = Some(self.env);
        self.out.push(d);
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// The walked file's source.
    pub fn source(&self) -> &'a SourceFile {
        &self.file.source
    }

    /// The environment of the target being checked.
    pub fn environment(&self) -> Environment {
        self.env
    }

    /// Whether `env` counts as production under the current settings.
    pub fn is_prod(&self, env: Environment) -> bool {
        self.settings.is_prod(env)
    }

    pub fn file_kind(&self) -> FileKind {
        self.file.kind
    }
}

/// What a project rule sees, and where it reports: any file of the project, always named.
pub struct ProjectContext<'a> {
    pub meta: &'a RuleMeta,
    /// The settings of the run's root.
    pub settings: &'a Settings,
    pub project: &'a Project,
    pub(crate) out: &'a mut Vec<Diagnostic>,
}

impl<'a> ProjectContext<'a> {
    /// Report a finding in a file of the project. Its environment is the file's; for a
    /// finding about an object or a job, set [`Diagnostic::env`] to that thing's environment.
    pub fn report_in(&mut self, file: FileId, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let mut d = Diagnostic::new(self.meta.id.clone(), self.meta.severity, file, span, message);
        d.help = self.meta.help.clone();
        d.env = self.project.file(file).map(|f| f.env);
        self.out.push(d);
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// Whether `env` counts as production under the current settings.
    pub fn is_prod(&self, env: Environment) -> bool {
        self.settings.is_prod(env)
    }
}

/// Build a PARSE001 (syntax) or PARSE004 (budget) diagnostic from a parser error.
pub fn parse_error_diagnostic(file: FileId, e: &ParseError) -> Diagnostic {
    Diagnostic::new(e.rule(), Severity::Error, file, e.span, e.message.clone())
}
