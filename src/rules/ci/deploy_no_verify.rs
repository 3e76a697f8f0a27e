//! CI016: a production deploy with no rollout verification after it.

use crate::lang::pipeline::{Job, Step};
use crate::project::pipeline::JobView;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::cli::{self, Tool};
use crate::semantic::command::Read;
use crate::semantic::deploy::Kind;
use crate::semantic::pipeline::{called_from_elsewhere, command_tests, opaque};

pub struct DeployNoVerify;

/// Whether a step waits for the rollout or checks the deployed service.
fn verifies(cx: &FileContext<'_>, s: &Step) -> bool {
    let by_command = s.commands().iter().any(|c| {
        let inv = cli::read(c);
        let helm_waits = inv
            .as_ref()
            .is_some_and(|i| i.tool == Tool::Helm && (i.has("wait") || i.has("atomic") || i.is(&["test"])));
        let kubectl_waits = inv
            .as_ref()
            .is_some_and(|i| i.tool == Tool::Kubectl && (i.is(&["rollout", "status"]) || i.is(&["wait"])));
        helm_waits
            || kubectl_waits
            || c.is("argocd", &["app", "wait"])
            || (matches!(c.program(), "curl" | "wget") && !c.piped_to)
            || command_tests(cx.settings, c)
    });
    let tool = s.tool().map(str::to_ascii_lowercase);
    // these deploy tasks and actions wait for the rollout themselves
    let by_tool = tool
        .as_deref()
        .is_some_and(|t| t == "kubernetesmanifest" || t == "azure/k8s-deploy" || t.starts_with("azure/k8s-deploy"))
        && s.input("action").is_none_or(|a| a.text.eq_ignore_ascii_case("deploy"));
    let helm_task_waits = tool.as_deref() == Some("helmdeploy")
        && s.input("arguments")
            .is_some_and(|a| a.text.contains("--wait") || a.text.contains("--atomic"));
    let named = s.name.as_ref().is_some_and(|n| {
        let l = n.text.to_ascii_lowercase();
        ["smoke", "verify", "health", "rollout status"]
            .iter()
            .any(|w| l.contains(w))
    });
    by_command || by_tool || helm_task_waits || named
}

impl FileRule for DeployNoVerify {
    type Target = target::PipelineJob;

    fn check(&self, view: JobView<'_>, cx: &mut FileContext<'_>) {
        let job = view.job();
        let reading = view.reading();
        if !reading.prod {
            return;
        }
        // an application rollout, not a teardown or an infrastructure change
        let Some(deploy) = reading
            .actions
            .iter()
            .find(|a| a.change.kind == Kind::App && !a.change.teardown)
        else {
            return;
        };
        // steps of the deploy job (the deploy itself may wait), then jobs that run after it
        if job.steps.iter().any(|s| verifies(cx, s)) {
            return;
        }
        let later: Vec<&Job> = view.downstream().collect();
        // a workflow called from another repository may be verified by its caller
        if called_from_elsewhere(view.pipeline, Some(view.entry.role))
            || opaque(job)
            || later
                .iter()
                .any(|j| opaque(j) || j.steps.iter().any(|s| verifies(cx, s)))
        {
            return;
        }
        let message = format!(
            "`{}` in job `{}` is not followed by a rollout check",
            deploy.label(),
            job.label()
        );
        cx.report_in(deploy.file, deploy.span, message).note = Some(reading.note(job));
    }
}
