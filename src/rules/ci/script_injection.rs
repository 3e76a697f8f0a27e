//! CI010: untrusted input (`${{ github.event.* }}`, `$(Build.SourceBranchName)`) expanded
//! into a script before the shell runs it.

use std::sync::LazyLock;

use regex::Regex;

use crate::lang::pipeline::{Job, Pipeline, Step, System};
use crate::project::Model;
use crate::rules::target::{self, JobPart};
use crate::rules::{FileContext, FileRule, Label};
use crate::source::Node;

pub struct ScriptInjection;

/// Event fields an outsider controls: titles, bodies, messages, branch names, labels, authors.
static GHA_UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bgithub\.head_ref\b|\bgithub\.event\.[a-z_]+\.[\w.\[\]*]*?\b(title|body|message|ref|label|name|email|page_name|default_branch|head_branch|display_title)\b",
    )
    .expect("valid regex")
});

/// `inputs.NAME` (not `github.event.inputs.NAME`, which names the triggering dispatch's inputs,
/// not what a caller passes).
static GHA_INPUT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\w.])inputs\.([A-Za-z_][\w-]*)").expect("valid regex"));

/// Whether a reusable workflow declares `name` as a string input (which can carry any text).
fn string_input(root: &Node, name: &str) -> bool {
    root.at("on.workflow_call.inputs")
        .and_then(|inputs| inputs.get(name))
        .is_some_and(|input| {
            let kind = input.get("type").and_then(Node::as_str).unwrap_or("string");
            kind.eq_ignore_ascii_case("string")
        })
}

/// The value the calling job passes for input `name` of the workflow it calls, when that
/// value is untrusted event data: the job `caller/called` of `pipeline` runs a step of the
/// workflow that `caller` calls with `with: {name: ${{ github.event.pull_request.title }}}`.
fn untrusted_argument<'a>(pipeline: &'a Pipeline, job: &Job, name: &str) -> Option<&'a Node> {
    let (caller, called) = job.id.text.split_once('/')?;
    // one level of calls: deeper chains would need the arguments of every level
    if called.contains('/') {
        return None;
    }
    let j = pipeline
        .jobs
        .iter()
        .find(|j| j.id.text == caller && j.calls.is_some())?;
    let value = j.node.at("with")?.get(name)?;
    let text = value.as_str()?;
    (text.contains("${{") && !maintained(text) && GHA_UNTRUSTED.is_match(text)).then_some(value)
}

/// Azure predefined variables set from the source branch, commit or pull request.
static AZURE_UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(variables\[')?(build\.sourcebranch|build\.sourcebranchname|build\.sourceversionmessage|build\.sourceversionauthor|build\.requestedfor|build\.requestedforemail|system\.pullrequest\.sourcebranch|system\.pullrequest\.sourcebranchname|system\.pullrequest\.pullrequesttitle|system\.pullrequest\.sourcerepositoryuri)('\])?$",
    )
    .expect("valid regex")
});

impl FileRule for ScriptInjection {
    type Target = target::PipelineJobOrStep;

    fn check(&self, part: JobPart<'_>, cx: &mut FileContext<'_>) {
        match part {
            // each step once, where it is written: untrusted event data in its script
            JobPart::Step(pipeline, _, step) => event_data(cx, pipeline.system, step),
            // a called workflow's job, seen from its caller: inputs the caller fills with
            // untrusted event data
            JobPart::Job(view) if view.pipeline.system == System::GithubActions => {
                let (pipeline, job) = (view.pipeline, view.job());
                for step in &job.steps {
                    tainted_inputs(cx, pipeline, job, step);
                }
            }
            _ => {}
        }
    }
}

fn event_data(cx: &mut FileContext<'_>, system: System, step: &Step) {
    let Some(script) = &step.script else { return };
    // a step of a called workflow is written in that file
    let project = cx.project;
    let Some(file) = project.file(step.file) else { return };
    for e in script.expressions() {
        let hit = match system {
            System::GithubActions => {
                let whole = file.source.slice(e.span);
                whole.starts_with("${{") && !maintained(&e.text) && GHA_UNTRUSTED.is_match(&e.text)
            }
            System::AzurePipelines => AZURE_UNTRUSTED.is_match(e.text.trim()),
        };
        if hit {
            let message = format!("untrusted `{}` is expanded into the script", e.text);
            cx.report_in(step.file, e.span, message);
        }
    }
}

fn tainted_inputs(cx: &mut FileContext<'_>, pipeline: &Pipeline, job: &Job, step: &Step) {
    let Some(script) = &step.script else { return };
    let project = cx.project;
    let Some(file) = project.file(step.file) else { return };
    let Model::Pipeline(pf) = &file.model else { return };
    let Some(root) = pf.stream.documents.first().map(|d| &d.root) else {
        return;
    };
    for e in script.expressions() {
        if !file.source.slice(e.span).starts_with("${{") {
            continue;
        }
        let Some(input) = GHA_INPUT.captures(&e.text).and_then(|c| c.get(1)) else {
            continue;
        };
        let input = input.as_str();
        if !string_input(root, input) {
            continue;
        }
        let Some(argument) = untrusted_argument(pipeline, job, input) else {
            continue;
        };
        let message = format!("input `{input}` carries untrusted event data into the script");
        let d = cx.report_in(step.file, e.span, message);
        d.labels.push(Label {
            file: pipeline.file,
            span: argument.span,
            message: format!("the caller passes `{}`", argument.as_str().unwrap_or("").trim()),
        });
    }
}

/// Repository settings and labels are chosen by maintainers, not by outsiders.
fn maintained(expression: &str) -> bool {
    expression.contains(".repository.") || expression.contains(".labels")
}
