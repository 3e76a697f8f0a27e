//! The pipeline model both CI languages produce (GitHub Actions in `lang::gha`, Azure Pipelines
//! in `lang::azure_pipelines`): triggers, permissions, jobs with their dependencies, conditions
//! and environments, and steps whose scripts are parsed into shell commands. Every element keeps
//! its span; `${{ }}`, `$( )` and `$[ ]` expressions stay as text.
//!
//! References to other files (local templates, reusable workflows) are recorded, not followed:
//! a language module sees one file; the project index follows them.

pub mod script;

use crate::source::{FileId, Node, NodeValue, Span};

pub use crate::lang::shell::Command;
pub use script::Script;

/// Which CI system a pipeline file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum System {
    GithubActions,
    AzurePipelines,
}

/// What the file is within its system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A workflow or pipeline that runs on its own triggers.
    Pipeline,
    /// A composite action (`action.yml`).
    Action,
    /// A file included by another pipeline (known to the project's pipeline index).
    Template,
}

/// A string with the span of its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub text: String,
    pub span: Span,
}

impl Text {
    pub fn new(text: impl Into<String>, span: Span) -> Self {
        Text {
            text: text.into(),
            span,
        }
    }
    /// A scalar node as text (numbers and booleans by their spelling).
    pub fn of(node: &Node) -> Option<Text> {
        node.scalar_text().map(|t| Text::new(t, node.span))
    }
    /// Whether the value is (or contains) a runtime expression, so it cannot be read statically.
    pub fn is_expression(&self) -> bool {
        self.text.contains("${{") || self.text.contains("$(") || self.text.contains("$[")
    }
}

/// A scalar or a list of scalars as texts (`needs: build` / `needs: [build, test]`).
pub fn texts(node: &Node) -> Vec<Text> {
    match &node.value {
        NodeValue::Seq(items) => items.iter().filter_map(Text::of).collect(),
        _ => Text::of(node).into_iter().collect(),
    }
}

/// The image of a `container:` / service value: the scalar, or the map's `image:` (both systems
/// accept either).
pub fn container_image(node: &Node) -> Option<Text> {
    Text::of(node).or_else(|| node.get("image").and_then(Text::of))
}

/// One event that starts the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// `push`, `pull_request`, `pull_request_target`, `workflow_dispatch`, `schedule`,
    /// `workflow_run`, `workflow_call`, `release`... (Azure: `trigger` → `push`, `pr` →
    /// `pull_request`).
    pub event: String,
    /// The key (or list item) naming the event; for an implicit Azure trigger, the file start.
    pub span: Span,
    /// Branch filters (`branches` / `branches.include`); empty means every branch.
    pub branches: Vec<Text>,
    pub branches_ignore: Vec<Text>,
    /// Tag filters; a push trigger with tags and no branches runs on tags only.
    pub tags: Vec<Text>,
    /// Azure: no `trigger`/`pr` key at all, which means "every branch".
    pub implicit: bool,
    /// `workflow_run.workflows`: names of the workflows whose runs start this one.
    pub workflows: Vec<Text>,
}

impl Trigger {
    pub fn new(event: &str, span: Span) -> Self {
        Trigger {
            event: event.to_string(),
            span,
            branches: Vec::new(),
            branches_ignore: Vec::new(),
            tags: Vec::new(),
            implicit: false,
            workflows: Vec::new(),
        }
    }
    pub fn is_pull_request(&self) -> bool {
        self.event == "pull_request" || self.event == "pull_request_target"
    }
}

/// `permissions:` at workflow or job level.
#[derive(Debug, Clone, PartialEq)]
pub struct Permissions {
    /// The value (`write-all`, or the map).
    pub span: Span,
    /// The `permissions` key.
    pub key_span: Span,
    /// `write-all` / `read-all` / empty for a map.
    pub shorthand: Option<String>,
    /// `scope: level` entries.
    pub scopes: Vec<(Text, Text)>,
}

/// A job's deployment environment (`environment:` in both systems).
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentRef {
    pub name: Text,
    /// Azure `resourceName` (a Kubernetes namespace or VM resource of the environment).
    pub resource: Option<Text>,
}

/// How a step runs: an action, a task, a script or another file.
#[derive(Debug, Clone, PartialEq)]
pub enum StepKind {
    /// GitHub `uses: owner/repo@ref`.
    Action(Text),
    /// Azure `task: TerraformTaskV4@4`.
    Task(Text),
    /// `run:` / `script:` / `bash:` / `pwsh:` / `powershell:`.
    Script,
    /// Azure `template: steps/build.yml` (followed by the project index when local).
    Template(Text),
    /// `checkout:`, `download:`, `publish:`... and anything else.
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The file the step is written in (a template's steps keep their own file).
    pub file: FileId,
    /// The whole step map.
    pub span: Span,
    /// The step's first key: where "missing" findings point.
    pub header: Span,
    pub name: Option<Text>,
    pub kind: StepKind,
    /// `with:` / `inputs:` entries.
    pub inputs: Vec<(Text, Text)>,
    /// `env:` entries.
    pub env: Vec<(Text, Text)>,
    /// `if:` / `condition:`.
    pub condition: Option<Text>,
    /// The shell script of the step, or of a task's inline script input.
    pub script: Option<Script>,
    pub node: Node,
}

impl Step {
    pub fn input(&self, key: &str) -> Option<&Text> {
        self.inputs
            .iter()
            .find(|(k, _)| k.text.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
    /// The action or task name without its version: `actions/checkout`, `TerraformTaskV4`.
    pub fn tool(&self) -> Option<&str> {
        match &self.kind {
            StepKind::Action(t) | StepKind::Task(t) => Some(t.text.split('@').next().unwrap_or(&t.text)),
            _ => None,
        }
    }
    pub fn commands(&self) -> &[Command] {
        self.script.as_ref().map(|s| s.commands.as_slice()).unwrap_or(&[])
    }
    /// Display label: the step's name, else its action/task, else `script`.
    pub fn label(&self) -> String {
        if let Some(n) = &self.name {
            return n.text.clone();
        }
        match &self.kind {
            StepKind::Action(t) | StepKind::Task(t) | StepKind::Template(t) => t.text.clone(),
            StepKind::Script => "script".into(),
            StepKind::Other(k) => k.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The file the job is written in.
    pub file: FileId,
    /// The job id (GitHub key, Azure `job:`/`deployment:` name); a steps-only Azure pipeline
    /// has one implicit job named after the file.
    pub id: Text,
    /// Where findings about the job point (its key or `job:` entry).
    pub header: Span,
    pub display_name: Option<Text>,
    /// Azure stage (name and its span).
    pub stage: Option<Text>,
    /// `needs:` / job `dependsOn:`.
    pub needs: Vec<Text>,
    /// Azure stage `dependsOn:`; `None` means the previous stage (Azure's default order).
    pub stage_depends_on: Option<Vec<Text>>,
    /// `if:` / `condition:` of the job and of everything enclosing it (stage, caller job).
    pub conditions: Vec<Text>,
    pub environment: Option<EnvironmentRef>,
    /// Azure `deployment:` job.
    pub deployment: bool,
    /// Container images the job runs in (`container:`, `services:`).
    pub containers: Vec<Text>,
    pub permissions: Option<Permissions>,
    pub concurrency: Option<Text>,
    /// GitHub job-level `uses:` (reusable workflow) or Azure job/stage `template:`.
    pub calls: Option<Text>,
    /// Job-level `env:` / `variables:` (name, value).
    pub variables: Vec<(Text, Text)>,
    /// Default working directory of the job's scripts (`defaults.run.working-directory`).
    pub working_directory: Option<Text>,
    pub steps: Vec<Step>,
    pub node: Node,
}

impl Job {
    /// A job named `id` (findings point at it) with nothing set yet; the parsers fill in what
    /// the file says.
    pub fn new(file: FileId, id: Text, node: &Node) -> Self {
        Job {
            file,
            header: id.span,
            id,
            display_name: None,
            stage: None,
            needs: Vec::new(),
            stage_depends_on: None,
            conditions: Vec::new(),
            environment: None,
            deployment: false,
            containers: Vec::new(),
            permissions: None,
            concurrency: None,
            calls: None,
            variables: Vec::new(),
            working_directory: None,
            steps: Vec::new(),
            node: node.clone(),
        }
    }
    /// Display label for messages: the job id.
    pub fn label(&self) -> &str {
        &self.id.text
    }
}

/// One pipeline file.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub system: System,
    pub role: Role,
    pub file: FileId,
    /// The first key of the document: where findings about missing top-level things point.
    pub header: Span,
    pub name: Option<Text>,
    pub triggers: Vec<Trigger>,
    /// The `on:` / `trigger:` key, when written.
    pub triggers_key: Option<Span>,
    pub permissions: Option<Permissions>,
    /// Pipeline-level `env:` / `variables:` (name, value); Azure groups as (`group`, name).
    pub variables: Vec<(Text, Text)>,
    /// Azure `resources.containers` (alias, image).
    pub container_resources: Vec<(Text, Text)>,
    /// Azure `extends: template:`.
    pub extends: Option<Text>,
    /// Jobs as written in this file (template references are followed by the project's
    /// pipeline index, `project::pipeline`).
    pub jobs: Vec<Job>,
}

impl Pipeline {
    /// A PARSE004 error for each step script that went over a budget and was not parsed.
    pub fn budget_errors(&self) -> impl Iterator<Item = crate::lang::ParseError> + '_ {
        self.jobs
            .iter()
            .flat_map(|j| &j.steps)
            .filter_map(|s| s.script.as_ref())
            .filter_map(|s| {
                let over = s.over_budget.as_ref()?;
                Some(crate::lang::ParseError::budget(over.to_string(), s.span))
            })
    }
}

/// A template or reusable-workflow reference that is not followed, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    pub reference: Text,
    pub reason: UnresolvedReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnresolvedReason {
    /// `file@repo`, `owner/repo/.github/workflows/x.yml@ref`
    Remote,
    /// Chosen by an expression at run time (`${{ parameters.x }}`).
    Dynamic,
    /// A local path that is not among the scanned pipeline files.
    NotScanned,
    /// Templates including templates deeper than the index follows.
    TooDeep,
}

impl UnresolvedReason {
    /// Why the reference is not followed, as a clause for messages.
    pub fn describe(self) -> &'static str {
        match self {
            UnresolvedReason::Remote => "lives in another repository",
            UnresolvedReason::Dynamic => "is chosen by an expression at run time",
            UnresolvedReason::NotScanned => "is not among the scanned files",
            UnresolvedReason::TooDeep => "is nested deeper than linea follows templates",
        }
    }
}

impl Pipeline {
    /// The pipeline of document `root` with its `name:`, and nothing else read yet; its header
    /// is the document's first key.
    pub fn new(system: System, role: Role, file: FileId, root: &Node) -> Self {
        Pipeline {
            system,
            role,
            file,
            header: root
                .entries()
                .first()
                .map(|e| e.key_span)
                .unwrap_or(Span::empty(root.span.start)),
            name: root.get("name").and_then(Text::of),
            triggers: Vec::new(),
            triggers_key: None,
            permissions: None,
            variables: Vec::new(),
            container_resources: Vec::new(),
            extends: None,
            jobs: Vec::new(),
        }
    }
    pub fn triggered_by(&self, event: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.event == event)
    }
    /// Whether any trigger runs the pipeline for pull requests.
    pub fn runs_on_pull_requests(&self) -> bool {
        self.triggers.iter().any(Trigger::is_pull_request)
    }
}

/// Key/value pairs of a map node as texts (`with:`, `env:`, `inputs:`).
pub fn pairs(node: Option<&Node>) -> Vec<(Text, Text)> {
    let Some(node) = node else { return Vec::new() };
    node.entries()
        .iter()
        .filter_map(|e| Some((Text::new(e.key.clone(), e.key_span), Text::of(&e.value)?)))
        .collect()
}

#[cfg(test)]
mod robustness {
    use proptest::prelude::*;

    use crate::lang::{azure_pipelines, gha, yaml};
    use crate::source::FileId;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever YAML comes in, both pipeline readers return without panicking.
        #[test]
        fn readers_never_panic(src in "(on|jobs|steps|stages|trigger|pr|run|script|uses|task|needs|environment|- |: |\\||\\n  |\\n|\\$\\{\\{ x \\}\\}|\"|curl a \\| sh|[a-z]{1,4}){0,40}") {
            let s = yaml::parse(&src);
            for d in &s.documents {
                let _ = gha::parse(&d.root, &src, FileId(0), false);
                let _ = gha::parse(&d.root, &src, FileId(0), true);
                if azure_pipelines::is_pipeline(&d.root) {
                    let _ = azure_pipelines::parse(&d.root, &src, FileId(0), "p");
                }
                let _ = azure_pipelines::parse(&d.root, &src, FileId(0), "p");
            }
        }
    }
}
