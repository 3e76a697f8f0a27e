//! CI016: a production deploy with no rollout verification after it.

use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::{Job, Step};
use crate::rules::ci::{command_tests, opaque, prod_deploy_in, upstream, DeployKind};
use crate::rules::{target, FileContext, FileRule};

pub struct DeployNoVerify;

/// Whether a step waits for the rollout or checks the deployed service.
fn verifies(s: &Step) -> bool {
    let by_command = s.commands().iter().any(|c| {
        c.is("kubectl", &["rollout", "status"])
            || c.is("kubectl", &["wait"])
            || c.is("helm", &["test"])
            || (c.program() == "helm" && (c.flag("--wait").is_some() || c.flag("--atomic").is_some()))
            || c.is("argocd", &["app", "wait"])
            || (matches!(c.program(), "curl" | "wget") && !c.piped_to)
            || command_tests(c)
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

    fn check(&self, (pipeline, job): (&Pipeline, &Job), cx: &mut FileContext<'_>) {
        let Some(prod) = prod_deploy_in(cx, pipeline, job) else {
            return;
        };
        let app: Vec<_> = crate::rules::ci::deploys(job)
            .into_iter()
            .filter(|d| d.kind == DeployKind::App)
            .collect();
        let Some(deploy) = app.first() else { return };
        // steps of the deploy job (the deploy itself may wait), then jobs that run after it
        if job.steps.iter().any(verifies) {
            return;
        }
        let after = pipeline.expanded.iter().filter(|j| {
            upstream(pipeline, j)
                .iter()
                .any(|u| std::ptr::eq(*u, job) || u.id == job.id)
        });
        let later: Vec<&Job> = after.collect();
        if opaque(job) || later.iter().any(|j| opaque(j) || j.steps.iter().any(verifies)) {
            return;
        }
        let message = format!(
            "`{}` in job `{}` is not followed by a rollout check",
            deploy.action,
            job.label()
        );
        cx.report_in(deploy.file, deploy.span, message).note = Some(prod.note(job));
    }
}
