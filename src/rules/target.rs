//! What a file rule inspects. Each marker type names one kind of model node (or a small set)
//! and the typed view of it the rule receives, so a rule states its target once
//! (`type Target = target::Dockerfile;`) and its `check` takes `&Dockerfile`, never a
//! `Subject` it has to match.
//!
//! A language adds its markers here together with its [`NodeKind`]s and [`Subject`] variants.

use crate::lang::compose::{ComposeFile, Service};
use crate::lang::docker;
use crate::lang::k8s::{Container, Object};
use crate::lang::openapi::{Document, Operation};
use crate::lang::pipeline::{Job, Pipeline as PipelineModel, Step};
use crate::lang::python::Module;
use crate::lang::terraform::TfBlock as TfBlockModel;
use crate::project::pipeline::JobView;
use crate::project::ParsedFile;
use crate::rules::{NodeKind, Subject};
use crate::source::Node;

/// A kind of node a file rule inspects, and how it is handed to the rule.
pub trait Target: 'static {
    /// The node kinds the engine calls rules of this target for.
    const KINDS: &'static [NodeKind];
    /// What the rule receives.
    type View<'a>;
    /// The view of a subject, when the subject is of this target.
    fn view<'a>(subject: &Subject<'a>) -> Option<Self::View<'a>>;
}

/// The view a rule of target `T` receives.
pub type View<'a, T> = <T as Target>::View<'a>;

macro_rules! target {
    ($(#[$doc:meta])* $name:ident, $kind:ident, $view:ty, |$s:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name;
        impl Target for $name {
            const KINDS: &'static [NodeKind] = &[NodeKind::$kind];
            type View<'a> = $view;
            fn view<'a>($s: &Subject<'a>) -> Option<$view> {
                $body
            }
        }
    };
}

target!(
    /// Every parsed file, once, whatever its kind.
    File, File, &'a ParsedFile, |s| match *s {
        Subject::File(f) => Some(f),
        _ => None,
    }
);
target!(
    /// A top-level Terraform block (resource, data, module, variable, output, provider...).
    TfBlock, TfBlock, &'a TfBlockModel, |s| match *s {
        Subject::TfBlock(b) => Some(b),
        _ => None,
    }
);
target!(
    /// A Kubernetes object (any kind, Istio included).
    K8sObject, K8sObject, &'a Object, |s| match *s {
        Subject::K8sObject(o) => Some(o),
        _ => None,
    }
);
target!(
    /// The pod spec of a pod-bearing object, with its object.
    K8sPod, K8sPod, (&'a Object, &'a Node), |s| match *s {
        Subject::K8sPod(o, spec) => Some((o, spec)),
        _ => None,
    }
);
target!(
    /// A container (regular, init or ephemeral) of a pod-bearing object, with its object.
    K8sContainer, K8sContainer, (&'a Object, Container<'a>), |s| match *s {
        Subject::K8sContainer(o, c) => Some((o, c)),
        _ => None,
    }
);
target!(
    /// An OpenAPI / Swagger document.
    OpenApiDocument, OpenApiDocument, &'a Document, |s| match *s {
        Subject::OpenApiDocument(d) => Some(d),
        _ => None,
    }
);
target!(
    /// One operation (method under a path) of an OpenAPI document, with its document.
    OpenApiOperation, OpenApiOperation, (&'a Document, &'a Operation), |s| match *s {
        Subject::OpenApiOperation(d, op) => Some((d, op)),
        _ => None,
    }
);
target!(
    /// A CI pipeline file (workflow, composite action, Azure pipeline or template), once.
    Pipeline, Pipeline, &'a PipelineModel, |s| match *s {
        Subject::Pipeline(p) => Some(p),
        _ => None,
    }
);
target!(
    /// A job of a pipeline with its templates and reusable workflows followed, and what the
    /// project's pipeline index reads about it (deploys, environment, jobs before and after).
    PipelineJob, PipelineJob, JobView<'a>, |s| match *s {
        Subject::PipelineJob(view) => Some(view),
        _ => None,
    }
);
target!(
    /// A step as written in its own file, with its pipeline and job.
    PipelineStep, PipelineStep, (&'a PipelineModel, &'a Job, &'a Step), |s| match *s {
        Subject::PipelineStep { pipeline, job, step } => Some((pipeline, job, step)),
        _ => None,
    }
);
target!(
    /// A Dockerfile that parsed, once per file.
    Dockerfile, Dockerfile, &'a docker::Dockerfile, |s| match *s {
        Subject::Dockerfile(d) => Some(d),
        _ => None,
    }
);
target!(
    /// Each instruction of a Dockerfile (global ARGs included), in order, with its Dockerfile.
    DockerInstruction, DockerInstruction, (&'a docker::Dockerfile, &'a docker::Instruction), |s| match *s {
        Subject::DockerInstruction(d, i) => Some((d, i)),
        _ => None,
    }
);
target!(
    /// A parsed Python module (once per `.py` file).
    PythonModule, PythonModule, &'a Module, |s| match *s {
        Subject::PythonModule(m) => Some(m),
        _ => None,
    }
);

target!(
    /// A service of a Docker Compose file, with its file.
    ComposeService, ComposeService, (&'a ComposeFile, &'a Service), |s| match *s {
        Subject::ComposeService(f, svc) => Some((f, svc)),
        _ => None,
    }
);

/// A pod spec or one of its containers.
pub enum PodPart<'a> {
    Pod(&'a Object, &'a Node),
    Container(&'a Object, Container<'a>),
}

/// Pod specs and containers, for rules that judge both.
pub struct K8sPodOrContainer;
impl Target for K8sPodOrContainer {
    const KINDS: &'static [NodeKind] = &[NodeKind::K8sPod, NodeKind::K8sContainer];
    type View<'a> = PodPart<'a>;
    fn view<'a>(s: &Subject<'a>) -> Option<PodPart<'a>> {
        match *s {
            Subject::K8sPod(o, spec) => Some(PodPart::Pod(o, spec)),
            Subject::K8sContainer(o, c) => Some(PodPart::Container(o, c)),
            _ => None,
        }
    }
}

/// A pipeline job or one of its steps.
pub enum JobPart<'a> {
    Job(JobView<'a>),
    Step(&'a PipelineModel, &'a Job, &'a Step),
}

/// Jobs and steps, for rules that judge both.
pub struct PipelineJobOrStep;
impl Target for PipelineJobOrStep {
    const KINDS: &'static [NodeKind] = &[NodeKind::PipelineJob, NodeKind::PipelineStep];
    type View<'a> = JobPart<'a>;
    fn view<'a>(s: &Subject<'a>) -> Option<JobPart<'a>> {
        match *s {
            Subject::PipelineJob(view) => Some(JobPart::Job(view)),
            Subject::PipelineStep { pipeline, job, step } => Some(JobPart::Step(pipeline, job, step)),
            _ => None,
        }
    }
}
