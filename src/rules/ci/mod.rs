//! CI pipeline rules (GitHub Actions and Azure Pipelines) and the family's shared reading of a
//! job: what it deploys, whether that deploy targets production and why, whether it tests and
//! lints, which jobs run before it, and whether it is bound to the main branch. The heuristics
//! are written down for users in `docs/pipelines.md`.

pub mod action_not_pinned;
pub mod apply_without_plan;
pub mod auto_approve_ungated;
pub mod broad_permissions;
pub mod container_not_pinned;
pub mod deploy_no_verify;
pub mod infra_no_validate;
pub mod no_lint_step;
pub mod no_pr_validation;
pub mod pr_target_checkout;
pub mod prod_deploy_any_branch;
pub mod prod_deploy_ungated;
pub mod prod_deploy_untested;
pub mod script_injection;
pub mod secret_echo;
pub mod step_pipe_to_shell;
pub mod template_not_followed;

use crate::config::Settings;
use crate::lang::pipeline::script::flag_text;
use crate::lang::pipeline::{Command, Job, Pipeline, Step, StepKind, System, Text};
use crate::source::{Environment, FileId, Span};

/// What a deploy changes: infrastructure (terraform, ARM) or a running application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployKind {
    Infra,
    App,
}

/// One deploy action of a job: a command, a task, an action, or an Azure deployment job.
#[derive(Debug, Clone)]
pub struct Deploy<'a> {
    /// How it reads in a message: `kubectl apply`, `HelmDeploy upgrade`, `azure/k8s-deploy`.
    pub action: String,
    pub kind: DeployKind,
    pub file: FileId,
    pub span: Span,
    pub step: Option<&'a Step>,
    pub command: Option<&'a Command>,
}

/// Why a job was taken for a production deploy.
#[derive(Debug, Clone)]
pub struct ProdDeploy<'a> {
    pub deploy: Deploy<'a>,
    /// `environment`, `stage`, `namespace`, `service connection`...
    pub source: &'static str,
    pub value: String,
}

impl ProdDeploy<'_> {
    /// "job `deploy` deploys to production: environment `production` (`kubectl apply`)"
    pub fn note(&self, job: &Job) -> String {
        format!(
            "job `{}` deploys to production: {} `{}` (`{}`)",
            job.label(),
            self.source,
            self.value,
            self.deploy.action
        )
    }
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

const DEPLOY_ACTIONS: &[(&str, DeployKind)] = &[
    ("azure/k8s-deploy", DeployKind::App),
    ("azure/webapps-deploy", DeployKind::App),
    ("azure/functions-action", DeployKind::App),
    ("azure/container-apps-deploy-action", DeployKind::App),
    ("azure/arm-deploy", DeployKind::Infra),
    ("azure/aci-deploy", DeployKind::App),
    ("google-github-actions/deploy-cloudrun", DeployKind::App),
    ("google-github-actions/deploy-appengine", DeployKind::App),
    ("aws-actions/amazon-ecs-deploy-task-definition", DeployKind::App),
    ("dflook/terraform-apply", DeployKind::Infra),
];

/// The deploy a command performs, if any.
pub fn command_deploy(c: &Command) -> Option<(String, DeployKind)> {
    let p = c.program();
    let sub = c.subcommand().map(|s| s.text.as_str()).unwrap_or("");
    let d = |s: &str, k| Some((s.to_string(), k));
    // a dry run changes nothing
    if c.args
        .iter()
        .any(|a| a.text.starts_with("--dry-run") || a.text == "--what-if" || a.text == "what-if")
    {
        return None;
    }
    match p {
        "terraform" | "tofu" | "terragrunt" if matches!(sub, "apply" | "destroy" | "run-all") => {
            d(&format!("{p} {sub}"), DeployKind::Infra)
        }
        "kubectl" | "oc" if matches!(sub, "apply" | "create" | "replace" | "patch" | "set") => {
            d(&format!("{p} {sub}"), DeployKind::App)
        }
        "kubectl" if c.is("kubectl", &["rollout", "restart"]) => d("kubectl rollout restart", DeployKind::App),
        "helm" if matches!(sub, "upgrade" | "install") => d(&format!("helm {sub}"), DeployKind::App),
        "helmfile" if matches!(sub, "apply" | "sync") => d(&format!("helmfile {sub}"), DeployKind::App),
        "az" if c.is("az", &["deployment"]) && c.args.iter().any(|a| a.text == "create") => {
            d("az deployment create", DeployKind::Infra)
        }
        "az" if ["webapp", "functionapp", "containerapp", "spring"].contains(&sub)
            && c.args
                .iter()
                .any(|a| matches!(a.text.as_str(), "deploy" | "up" | "update" | "create")) =>
        {
            d(&format!("az {sub} deploy"), DeployKind::App)
        }
        "gcloud" if c.args.iter().any(|a| a.text == "deploy") => d("gcloud deploy", DeployKind::App),
        "skaffold" if matches!(sub, "run" | "deploy") => d(&format!("skaffold {sub}"), DeployKind::App),
        "argocd" if c.is("argocd", &["app", "sync"]) => d("argocd app sync", DeployKind::App),
        "pulumi" if sub == "up" => d("pulumi up", DeployKind::Infra),
        "azd" if matches!(sub, "up" | "deploy") => d(&format!("azd {sub}"), DeployKind::App),
        "azd" if sub == "provision" => d("azd provision", DeployKind::Infra),
        _ => None,
    }
}

/// The deploy a task or action performs, if any.
pub fn step_deploy(step: &Step) -> Option<(String, DeployKind)> {
    let tool = step.tool()?;
    match &step.kind {
        StepKind::Action(_) => {
            let t = lower(tool);
            DEPLOY_ACTIONS
                .iter()
                .find(|(a, _)| t == *a || t.starts_with(&format!("{a}/")))
                .map(|(a, k)| (a.to_string(), *k))
        }
        StepKind::Task(_) => {
            let input = |k: &str| step.input(k).map(|v| lower(&v.text)).unwrap_or_default();
            let t = lower(tool);
            if t.starts_with("terraformtask") || t.starts_with("terraformcli") || t == "terraform" {
                let cmd = input("command");
                matches!(cmd.as_str(), "apply" | "destroy").then(|| (format!("{tool} {cmd}"), DeployKind::Infra))
            } else if t == "kubernetesmanifest" {
                let a = input("action");
                matches!(a.as_str(), "deploy" | "patch" | "scale" | "promote")
                    .then(|| (format!("{tool} {a}"), DeployKind::App))
            } else if t == "kubernetes" {
                let a = input("command");
                matches!(a.as_str(), "apply" | "create" | "set" | "replace" | "patch")
                    .then(|| (format!("{tool} {a}"), DeployKind::App))
            } else if t == "helmdeploy" {
                let a = input("command");
                matches!(a.as_str(), "upgrade" | "install").then(|| (format!("{tool} {a}"), DeployKind::App))
            } else if t.starts_with("azurewebapp")
                || t.starts_with("azurermwebappdeployment")
                || t.starts_with("azurefunctionapp")
                || t.starts_with("azurecontainerapps")
                || t.starts_with("azurespringcloud")
            {
                Some((tool.to_string(), DeployKind::App))
            } else if t.starts_with("azureresourcemanagertemplatedeployment")
                || t.starts_with("azureresourcegroupdeployment")
            {
                Some((tool.to_string(), DeployKind::Infra))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Every deploy action of a job, in step order.
pub fn deploys(job: &Job) -> Vec<Deploy<'_>> {
    let mut out = Vec::new();
    for step in &job.steps {
        if let Some((action, kind)) = step_deploy(step) {
            out.push(Deploy {
                action,
                kind,
                file: step.file,
                span: step.header,
                step: Some(step),
                command: None,
            });
        }
        for c in step.commands() {
            if let Some((action, kind)) = command_deploy(c) {
                out.push(Deploy {
                    action,
                    kind,
                    file: step.file,
                    span: c.span,
                    step: Some(step),
                    command: Some(c),
                });
            }
        }
    }
    if out.is_empty() && job.deployment {
        if let Some(env) = &job.environment {
            out.push(Deploy {
                action: format!("deployment to environment {}", env.name.text),
                kind: DeployKind::App,
                file: job.file,
                span: job.header,
                step: None,
                command: None,
            });
        }
    }
    out
}

const CONNECTION_INPUTS: &[&str] = &[
    "azuresubscription",
    "connectedservicename",
    "connectedservicenamearm",
    "azureresourcemanagerconnection",
    "kubernetesserviceconnection",
    "kubernetesserviceendpoint",
    "environmentservicename",
    "environmentservicenameazurerm",
    "backendservicearm",
    "azuresubscriptionendpoint",
];

/// Names of the deploy's target that can say which environment it is, most specific first.
fn target_names<'a>(job: &'a Job, deploy: &Deploy<'a>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(step) = deploy.step {
        for (k, v) in &step.inputs {
            let key = lower(&k.text);
            if CONNECTION_INPUTS.contains(&key.as_str()) {
                out.push(("service connection", v.text.clone()));
            } else if key == "namespace" {
                out.push(("namespace", v.text.clone()));
            } else if matches!(
                key.as_str(),
                "workingdirectory" | "working-directory" | "manifests" | "chartpath"
            ) {
                out.push(("path", v.text.clone()));
            } else if matches!(
                key.as_str(),
                "releasename" | "app-name" | "appname" | "webappname" | "resource-group-name"
            ) {
                out.push(("target", v.text.clone()));
            } else if key == "commandoptions" {
                for w in v.text.split_whitespace() {
                    if w.starts_with("-var-file") {
                        out.push(("terraform var-file", flag_text(&Text::new(w, v.span)).to_string()));
                    }
                }
            }
        }
        if let Some(c) = deploy.command {
            if let Some(ns) = c.flag_value(&["-n", "--namespace"]) {
                out.push(("namespace", flag_text(ns).to_string()));
            }
            for a in c.argv().1 {
                if a.text.starts_with("-var-file") {
                    out.push(("terraform var-file", flag_text(a).to_string()));
                } else if a.text.starts_with("-chdir") {
                    out.push(("path", flag_text(a).to_string()));
                } else if a.text.starts_with("--kube-context") || a.text.starts_with("--context") {
                    out.push(("kube context", flag_text(a).to_string()));
                }
            }
            if c.program() == "helm" {
                let pos: Vec<&Text> = c.argv().1.iter().filter(|a| !a.text.starts_with('-')).collect();
                if let Some(release) = pos.get(1) {
                    out.push(("helm release", release.text.clone()));
                }
            }
            // `terraform workspace select prod` earlier in the job
            if c.program() == "terraform" {
                for s in &job.steps {
                    for w in s.commands() {
                        if w.is("terraform", &["workspace", "select"]) || w.is("terraform", &["workspace", "new"]) {
                            if let Some(name) = w.argv().1.iter().filter(|a| !a.text.starts_with('-')).nth(2) {
                                out.push(("terraform workspace", name.text.clone()));
                            }
                        }
                    }
                }
                for (k, v) in job.variables.iter().chain(&step.env) {
                    if k.text == "TF_WORKSPACE" {
                        out.push(("terraform workspace", v.text.clone()));
                    }
                }
            }
        }
        if let Some(wd) = step
            .node
            .get("working-directory")
            .or_else(|| step.node.get("workingDirectory"))
            .and_then(|n| n.as_str())
        {
            out.push(("path", wd.to_string()));
        }
    }
    out
}

/// Whether the job deploys to production, and why (see `docs/pipelines.md`): the first of its
/// environment, stage, job name, the deploy's own target (service connection, namespace,
/// terraform workspace or var-file, helm release, path), the pipeline name and the file name
/// that names an environment decides.
pub fn prod_deploy<'a>(
    pipeline: &Pipeline,
    job: &'a Job,
    settings: &Settings,
    file_name: Option<&str>,
) -> Option<ProdDeploy<'a>> {
    let deploys = deploys(job);
    let first = deploys.first()?.clone();
    let mut job_names: Vec<(&'static str, String)> = Vec::new();
    if let Some(env) = &job.environment {
        job_names.push(("environment", env.name.text.clone()));
        if let Some(r) = &env.resource {
            job_names.push(("environment resource", r.text.clone()));
        }
    }
    if let Some(st) = &job.stage {
        job_names.push(("stage", st.text.clone()));
    }
    job_names.push(("job", job.id.text.clone()));
    if let Some(n) = &job.display_name {
        job_names.push(("job", n.text.clone()));
    }
    // the job's own names decide for every deploy of the job
    for (source, value) in &job_names {
        match settings.environment_of_name(value) {
            Some(Environment::Prod) => {
                return Some(ProdDeploy {
                    deploy: first,
                    source,
                    value: value.clone(),
                })
            }
            Some(_) => return None,
            None => {}
        }
    }
    for d in &deploys {
        for (source, value) in target_names(job, d) {
            match settings.environment_of_name(&value) {
                Some(Environment::Prod) => {
                    return Some(ProdDeploy {
                        deploy: d.clone(),
                        source,
                        value,
                    })
                }
                Some(_) => return None,
                None => {}
            }
        }
    }
    let mut late: Vec<(&'static str, String)> = Vec::new();
    if let Some(n) = &pipeline.name {
        late.push(("pipeline", n.text.clone()));
    }
    if let Some(f) = file_name {
        late.push(("file", f.to_string()));
    }
    for (source, value) in late {
        match settings.environment_of_name(&value) {
            Some(Environment::Prod) => {
                return Some(ProdDeploy {
                    deploy: first,
                    source,
                    value,
                })
            }
            Some(_) => return None,
            None => {}
        }
    }
    None
}

/// The file name of a job's pipeline, for the last resort of [`prod_deploy`].
pub fn file_name(project: &crate::project::Project, file: FileId) -> Option<&str> {
    project
        .file(file)
        .and_then(|f| f.source.path.file_name())
        .and_then(|n| n.to_str())
}

/// `prod_deploy` with the file name looked up.
pub fn prod_deploy_in<'a>(
    cx: &crate::rules::FileContext<'_>,
    pipeline: &Pipeline,
    job: &'a Job,
) -> Option<ProdDeploy<'a>> {
    prod_deploy(pipeline, job, cx.settings, file_name(cx.project, pipeline.file))
}

/// The words a command runs after runners such as `python -m`, `uv run`, `poetry run`, `npx`.
fn words(c: &Command) -> Vec<&str> {
    let (name, args) = c.argv();
    let mut w: Vec<&str> = std::iter::once(name.text.as_str())
        .chain(args.iter().map(|a| a.text.as_str()))
        .collect();
    for _ in 0..3 {
        let first = w.first().map(|s| s.rsplit('/').next().unwrap_or(s)).unwrap_or("");
        let skip = match (first, w.get(1).copied()) {
            ("python" | "python3" | "py", Some("-m")) => 2,
            ("uv" | "poetry" | "pipenv" | "hatch" | "pdm" | "rye" | "pipx", Some("run")) => 2,
            ("npx" | "bunx", _) => 1,
            _ => 0,
        };
        if skip == 0 || w.len() <= skip {
            break;
        }
        w.drain(..skip);
    }
    w
}

fn is_check_flag(w: &[&str]) -> bool {
    w.iter().any(|a| {
        matches!(
            *a,
            "--check" | "-check" | "-check=true" | "--diff" | "--verify-no-changes"
        )
    })
}

/// Whether a command runs tests.
pub fn command_tests(c: &Command) -> bool {
    let w = words(c);
    let p = w.first().map(|s| s.rsplit('/').next().unwrap_or(s)).unwrap_or("");
    let sub = w.get(1).copied().unwrap_or("");
    match p {
        "pytest" | "py.test" | "tox" | "nox" | "jest" | "mocha" | "vitest" | "bats" | "unittest" => true,
        "go" | "cargo" | "dotnet" | "terraform" | "yarn" | "pnpm" | "bun" => sub == "test",
        "npm" => sub == "test" || (sub == "run" && w.get(2).is_some_and(|s| s.starts_with("test"))),
        "make" => w.iter().skip(1).any(|t| t.starts_with("test") || *t == "check"),
        "mvn" | "./mvnw" | "mvnw" => w.iter().any(|t| matches!(*t, "test" | "verify")),
        "gradle" | "./gradlew" | "gradlew" => w.iter().any(|t| matches!(*t, "test" | "check" | "build")),
        _ => false,
    }
}

/// Whether a command lints or runs static analysis.
pub fn command_lints(c: &Command) -> bool {
    let w = words(c);
    let p = w.first().map(|s| s.rsplit('/').next().unwrap_or(s)).unwrap_or("");
    let sub = w.get(1).copied().unwrap_or("");
    match p {
        "ruff" | "flake8" | "pylint" | "mypy" | "pyright" | "bandit" | "eslint" | "golangci-lint" | "staticcheck"
        | "hadolint" | "shellcheck" | "yamllint" | "tflint" | "tfsec" | "checkov" | "kube-linter" | "kubeconform"
        | "kubeval" | "actionlint" | "zizmor" | "linea" | "semgrep" | "codeql" | "markdownlint" | "stylelint"
        | "rubocop" | "ktlint" | "detekt" | "pyflakes" | "pycodestyle" | "pydocstyle" | "vulture" => true,
        "black" | "isort" | "prettier" | "gofmt" => is_check_flag(&w) || w.contains(&"-l"),
        "terraform" | "tofu" => sub == "validate" || (sub == "fmt" && is_check_flag(&w)),
        "helm" => sub == "lint",
        "go" => sub == "vet",
        "cargo" => sub == "clippy" || (sub == "fmt" && is_check_flag(&w)),
        "pre-commit" | "prek" => sub == "run",
        "hlint" => true,
        // task runners: a session or target named for linting
        "nox" | "tox" | "just" | "task" | "hatch" | "invoke" => w.iter().skip(1).any(|t| t.contains("lint")),
        "trivy" => sub == "config",
        "make" => w.iter().skip(1).any(|t| {
            matches!(
                *t,
                "lint" | "check" | "vet" | "fmt-check" | "format-check" | "static" | "typecheck"
            )
        }),
        "npm" | "yarn" | "pnpm" => w.iter().skip(1).any(|t| t.starts_with("lint")),
        "dotnet" => sub == "format" && is_check_flag(&w),
        _ => false,
    }
}

const LINT_ACTIONS: &[&str] = &[
    "github/codeql-action",
    "golangci/golangci-lint-action",
    "super-linter/super-linter",
    "github/super-linter",
    "hadolint/hadolint-action",
    "reviewdog/",
    "bridgecrewio/checkov-action",
    "pre-commit/action",
    "astral-sh/ruff-action",
    "chartboost/ruff-action",
    "psf/black",
    "rhysd/actionlint",
    "raven-actions/actionlint",
    "zizmorcore/zizmor-action",
    "terraform-linters/setup-tflint",
    "stackrox/kube-linter-action",
    "azure/k8s-lint",
    "wearerequired/lint-action",
    "dflook/terraform-validate",
    "dflook/terraform-fmt-check",
    "returntocorp/semgrep-action",
    "semgrep/semgrep-action",
    "ludeeus/action-shellcheck",
    "sonarsource/",
    "aquasecurity/tfsec-action",
    "jbergstroem/hadolint-gh-action",
    "ibiqlik/action-yamllint",
];

/// Words in an action's name that say it lints.
const LINT_WORDS: &[&str] = &[
    "lint",
    "pre-commit",
    "codeql",
    "checkov",
    "tfsec",
    "ruff",
    "shellcheck",
    "semgrep",
    "sonar",
    "zizmor",
];

/// Whether a job's steps are partly unknown: a remote reusable workflow or template that could
/// not be followed. Rules that need to see every step stay silent about such jobs.
pub fn opaque(job: &Job) -> bool {
    job.calls.is_some() || job.steps.iter().any(|s| matches!(s.kind, StepKind::Template(_)))
}

/// Whether a step runs tests.
pub fn step_tests(step: &Step) -> bool {
    if step.commands().iter().any(command_tests) {
        return true;
    }
    let Some(tool) = step.tool().map(lower) else {
        return false;
    };
    let input = |k: &str| step.input(k).map(|v| lower(&v.text)).unwrap_or_default();
    match &step.kind {
        StepKind::Task(_) => {
            tool.starts_with("publishtestresults")
                || tool.starts_with("vstest")
                || (tool.starts_with("dotnetcorecli") && input("command") == "test")
                || ((tool.starts_with("maven") || tool.starts_with("gradle")) && input("goals").contains("test"))
                || (tool.starts_with("npm") && input("customcommand").starts_with("test"))
                || (tool.starts_with("terraformtask") && input("command") == "test")
        }
        _ => false,
    }
}

/// Whether a step lints or runs static analysis.
pub fn step_lints(step: &Step) -> bool {
    if step.commands().iter().any(command_lints) {
        return true;
    }
    let Some(tool) = step.tool().map(lower) else {
        return false;
    };
    match &step.kind {
        StepKind::Action(_) => {
            // the action's repository or path names what it does (`…/pre-commit`, `…-hlint-run`)
            let name = tool.split('/').skip(1).collect::<Vec<_>>().join("/");
            LINT_ACTIONS.iter().any(|a| tool.starts_with(a))
                || LINT_WORDS.iter().any(|w| name.contains(w)) && !name.contains("setup")
        }
        StepKind::Task(_) => {
            tool.starts_with("sonarqubeanalyze")
                || tool.starts_with("sonarcloudanalyze")
                || tool.starts_with("advancedsecurity-codeql")
                || (tool.starts_with("terraformtask") || tool.starts_with("terraformcli"))
                    && step.input("command").is_some_and(|c| c.text == "validate")
        }
        _ => false,
    }
}

/// The jobs that must finish before `job` starts, transitively: `needs`/`dependsOn`, and for
/// Azure stages every job of the stages the job's stage depends on (the previous stage by
/// default).
pub fn upstream<'a>(pipeline: &'a Pipeline, job: &'a Job) -> Vec<&'a Job> {
    let jobs = &pipeline.expanded;
    let mut seen = vec![false; jobs.len()];
    let mut out = Vec::new();
    let mut queue: Vec<&Job> = vec![job];
    let mut guard = 0;
    while let Some(cur) = queue.pop() {
        guard += 1;
        if guard > 10_000 {
            break;
        }
        let stage = cur.stage.as_ref().map(|s| &s.text);
        for (i, j) in jobs.iter().enumerate() {
            if seen[i] {
                continue;
            }
            let same_stage = j.stage.as_ref().map(|s| &s.text) == stage;
            let by_need = same_stage && cur.needs.iter().any(|n| n.text == j.id.text);
            let by_stage = cur
                .stage_depends_on
                .as_ref()
                .is_some_and(|d| j.stage.as_ref().is_some_and(|s| d.iter().any(|x| x.text == s.text)));
            if by_need || by_stage {
                seen[i] = true;
                out.push(j);
                queue.push(j);
            }
        }
    }
    out
}

/// Whether a condition (`if:` / `condition:`) limits the job to the main branch or to tags.
pub fn condition_restricts_branch(text: &str) -> bool {
    let t: String = text
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if t.contains("!=") || t.contains("ne(") || t.contains("not(") {
        return false;
    }
    let main_ref = ["refs/heads/main", "refs/heads/master", "refs/tags/"]
        .iter()
        .any(|r| t.contains(r));
    let main_name = (t.contains("ref_name") || t.contains("sourcebranchname") || t.contains("head_branch"))
        && (t.contains("'main'") || t.contains("'master'"));
    let tag = t.contains("ref_type=='tag'") || t.contains("event_name=='release'");
    main_ref || main_name || tag
}

fn main_branch(b: &str) -> bool {
    matches!(b.trim_start_matches("refs/heads/"), "main" | "master")
}

/// The trigger that lets the pipeline run from a branch other than main, if any.
pub fn any_branch_trigger(pipeline: &Pipeline) -> Option<&crate::lang::pipeline::Trigger> {
    pipeline.triggers.iter().find(|t| match t.event.as_str() {
        "push" => {
            if t.branches.is_empty() && !t.tags.is_empty() {
                return false;
            }
            t.branches.is_empty() || !t.branches.iter().all(|b| main_branch(&b.text))
        }
        "pull_request" | "pull_request_target" | "workflow_dispatch" => true,
        "workflow_run" => t.branches.is_empty() || !t.branches.iter().all(|b| main_branch(&b.text)),
        _ => false,
    })
}

/// How a trigger reads in a message.
pub fn trigger_label(t: &crate::lang::pipeline::Trigger, system: System) -> String {
    match (system, t.event.as_str(), t.implicit) {
        (System::AzurePipelines, "push", true) => "implicit `trigger`".into(),
        (System::AzurePipelines, "pull_request", true) => "implicit `pr`".into(),
        (System::AzurePipelines, "push", false) => "`trigger`".into(),
        (System::AzurePipelines, "pull_request", false) => "`pr`".into(),
        (_, e, _) => format!("`{e}`"),
    }
}

/// The job's environment counts as a gate (approvals and checks live there).
pub fn gated(job: &Job) -> bool {
    job.environment.as_ref().is_some_and(|e| !e.name.text.trim().is_empty())
}
