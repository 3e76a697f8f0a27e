//! CI010: untrusted input (`${{ github.event.* }}`, `$(Build.SourceBranchName)`) expanded
//! into a script before the shell runs it.

use std::sync::LazyLock;

use regex::Regex;

use crate::lang::pipeline::System;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ScriptInjection;

/// Event fields an outsider controls: titles, bodies, messages, branch names, labels, authors.
static GHA_UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bgithub\.head_ref\b|\bgithub\.event\.[a-z_]+\.[\w.\[\]*]*?\b(title|body|message|ref|label|name|email|page_name|default_branch|head_branch|display_title)\b",
    )
    .expect("valid regex")
});

/// Azure predefined variables set from the source branch, commit or pull request.
static AZURE_UNTRUSTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(variables\[')?(build\.sourcebranch|build\.sourcebranchname|build\.sourceversionmessage|build\.sourceversionauthor|build\.requestedfor|build\.requestedforemail|system\.pullrequest\.sourcebranch|system\.pullrequest\.sourcebranchname|system\.pullrequest\.pullrequesttitle|system\.pullrequest\.sourcerepositoryuri)('\])?$",
    )
    .expect("valid regex")
});

impl Rule for ScriptInjection {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::PipelineStep]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::PipelineStep { pipeline, step, .. } = subject else {
            return;
        };
        let Some(script) = &step.script else { return };
        for e in script.expressions() {
            let hit = match pipeline.system {
                System::GithubActions => {
                    let whole = cx.source().map(|s| s.slice(e.span)).unwrap_or("");
                    // repository settings and labels are chosen by maintainers, not by outsiders
                    let maintained = e.text.contains(".repository.") || e.text.contains(".labels");
                    whole.starts_with("${{") && !maintained && GHA_UNTRUSTED.is_match(&e.text)
                }
                System::AzurePipelines => AZURE_UNTRUSTED.is_match(e.text.trim()),
            };
            if hit {
                let message = format!("untrusted `{}` is expanded into the script", e.text);
                cx.report_in(step.file, e.span, message);
            }
        }
    }
}
