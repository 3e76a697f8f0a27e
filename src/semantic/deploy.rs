//! Deploys: what a pipeline command, task or action changes, and every target it names.
//!
//! A change is infrastructure (`terraform apply`, `az deployment group create`, `azd
//! provision`) or an application (`kubectl apply`, `helm upgrade`, `az webapp deploy`, `azd
//! deploy`); a teardown (`terraform destroy`, `helm uninstall`, `kubectl delete`, `az group
//! delete`, `azd down`) is a change too. A dry run (`--dry-run`, `what-if`, ARM `Validation`)
//! changes nothing, and neither does a deploy to a cluster the job creates for itself (`kind`,
//! `minikube`, `k3d`). Targets are what says where the change lands: namespace, kube context,
//! cluster, terraform workspace, var-file, `-chdir`, backend, service connection, helm release,
//! app name, slot, resource group, subscription, manifests, values and parameter files.
//!
//! [`read_job`] decides through [`crate::semantic::environment`] which environment a job
//! changes, from the evidence in the order `docs/pipelines.md` gives.

use std::path::Path;

use crate::config::Settings;
use crate::lang::pipeline::{Job, Pipeline, Step, StepKind};
use crate::lang::shell::Command;
use crate::semantic::cli::{self, Invocation, Tool};
use crate::semantic::command::{Read, Value};
use crate::semantic::condition::Condition;
use crate::semantic::environment::{self, Decision, Evidence};
use crate::semantic::pipeline::Variables;
use crate::source::{Environment, FileId, Span};

/// What a deploy changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Infra,
    App,
    /// An Azure `deployment:` job whose steps do nothing linea recognises.
    Unknown,
}

/// What a target value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Aim {
    /// An environment named by the tool or a variable: `azd -e prod`, `helmfile -e prod`,
    /// `ENVIRONMENT: production`.
    Environment,
    /// An App Service slot (`staging` of the production app is not production yet).
    Slot,
    Namespace,
    KubeContext,
    Cluster,
    Workspace,
    Backend,
    VarFile,
    Parameters,
    Values,
    ServiceConnection,
    HelmRelease,
    App,
    ResourceGroup,
    Subscription,
    Manifests,
    Directory,
}

impl Aim {
    /// How the target reads in a note: `namespace`, `terraform var-file`.
    pub fn source(self) -> &'static str {
        match self {
            Aim::Environment => "target environment",
            Aim::Slot => "slot",
            Aim::Namespace => "namespace",
            Aim::KubeContext => "kube context",
            Aim::Cluster => "cluster",
            Aim::Workspace => "terraform workspace",
            Aim::Backend => "terraform backend",
            Aim::VarFile => "terraform var-file",
            Aim::Parameters => "parameters",
            Aim::Values => "values file",
            Aim::ServiceConnection => "service connection",
            Aim::HelmRelease => "helm release",
            Aim::App => "app",
            Aim::ResourceGroup => "resource group",
            Aim::Subscription => "subscription",
            Aim::Manifests => "manifests",
            Aim::Directory => "directory",
        }
    }
}

/// A value that says where a change lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub aim: Aim,
    pub value: String,
    pub span: Span,
}

/// What one command, task or action changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// How it reads in a message: `kubectl apply`, `HelmDeploy upgrade`, `azure/k8s-deploy`.
    pub label: String,
    pub kind: Kind,
    pub teardown: bool,
    /// Applied to a Kubernetes cluster (kubectl, helm, kustomize tasks...).
    pub kubernetes: bool,
    pub targets: Vec<Target>,
}

impl Change {
    /// A teardown of a whole environment (a terraform root, a resource group, a cluster, a
    /// helm release, a namespace), not of one object in it (`kubectl delete job migrate`).
    pub fn ends_environment(&self) -> bool {
        self.teardown
            && (self.kind == Kind::Infra
                || self.label.starts_with("helm")
                || self.label.ends_with("namespace")
                || self.label.ends_with(" ns")
                || self.label.ends_with("namespaces"))
    }

    fn new(label: impl Into<String>, kind: Kind) -> Change {
        Change {
            label: label.into(),
            kind,
            teardown: false,
            kubernetes: false,
            targets: Vec::new(),
        }
    }
    fn teardown(mut self) -> Change {
        self.teardown = true;
        self
    }
    fn kube(mut self) -> Change {
        self.kubernetes = true;
        self
    }
    fn aim(&mut self, aim: Aim, v: Option<Value<'_>>) {
        if let Some(v) = v.filter(|v| !v.text.trim().is_empty()) {
            self.targets.push(Target {
                aim,
                value: v.text.to_string(),
                span: v.span,
            });
        }
    }
}

/// One deploy of a job: a change and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub change: Change,
    pub file: FileId,
    /// The command, or the step's first key for a task or action, or the job's header.
    pub span: Span,
    /// Index of the step in the job's steps.
    pub step: Option<usize>,
    /// Index of the command in the step's commands.
    pub command: Option<usize>,
}

impl Action {
    pub fn label(&self) -> &str {
        &self.change.label
    }
}

fn dry_run(inv: &Invocation<'_>) -> bool {
    let flagged = inv.flags.iter().any(|f| {
        matches!(f.name, "dry-run" | "server-dry-run" | "what-if")
            && f.value
                .is_none_or(|v| !v.text.eq_ignore_ascii_case("none") && v.text != "false")
    });
    flagged || inv.path.iter().any(|w| w.text == "what-if")
}

/// The change a command makes, if any.
pub fn of_command(c: &Command) -> Option<Change> {
    let inv = cli::read(c)?;
    if dry_run(&inv) {
        return None;
    }
    let program = c.program();
    let path: Vec<&str> = inv.path.iter().map(|w| w.text.as_str()).collect();
    let label = |n: usize| {
        let words: Vec<&str> = std::iter::once(program).chain(path.iter().take(n).copied()).collect();
        words.join(" ")
    };
    let mut change = match inv.tool {
        Tool::Kubectl => {
            let ch = match path.as_slice() {
                ["apply" | "create" | "replace" | "patch" | "scale" | "autoscale" | "expose", ..] => {
                    Change::new(label(1), Kind::App)
                }
                ["set", _, ..] => Change::new(label(2), Kind::App),
                ["rollout", "restart" | "undo" | "resume", ..] => Change::new(label(2), Kind::App),
                ["delete", ..] => match inv.operands.first().map(|w| w.text.as_str()) {
                    Some(ns @ ("namespace" | "ns" | "namespaces")) => {
                        Change::new(format!("{} {ns}", label(1)), Kind::App).teardown()
                    }
                    _ => Change::new(label(1), Kind::App).teardown(),
                },
                _ => return None,
            };
            let mut ch = ch.kube();
            ch.aim(Aim::Namespace, inv.value("namespace"));
            ch.aim(Aim::KubeContext, inv.value("context"));
            ch.aim(Aim::Cluster, inv.value("cluster"));
            for f in inv.flags.iter().filter(|f| matches!(f.name, "filename" | "kustomize")) {
                ch.aim(Aim::Manifests, f.value);
            }
            ch
        }
        Tool::Helm => {
            let mut ch = match path.as_slice() {
                ["upgrade" | "install" | "rollback", ..] => Change::new(label(1), Kind::App),
                ["uninstall" | "delete" | "del" | "un", ..] => Change::new(label(1), Kind::App).teardown(),
                _ => return None,
            }
            .kube();
            ch.aim(Aim::Namespace, inv.value("namespace"));
            ch.aim(Aim::KubeContext, inv.value("kube-context"));
            ch.aim(Aim::HelmRelease, inv.operands.first().map(|w| Value::word(w)));
            for v in inv.values("values") {
                ch.aim(Aim::Values, Some(v));
            }
            ch
        }
        Tool::Terraform => {
            let verb = match path.as_slice() {
                ["run-all" | "run", v, ..] => *v,
                [v, ..] => *v,
                [] => return None,
            };
            let mut ch = match verb {
                "apply" if inv.has("destroy") => Change::new(label(path.len().min(2)), Kind::Infra).teardown(),
                "apply" => Change::new(label(path.len().min(2)), Kind::Infra),
                "destroy" => Change::new(label(path.len().min(2)), Kind::Infra).teardown(),
                _ => return None,
            };
            for v in inv.values("var-file") {
                ch.aim(Aim::VarFile, Some(v));
            }
            for name in ["chdir", "terragrunt-working-dir", "working-dir"] {
                ch.aim(Aim::Directory, inv.value(name));
            }
            for v in inv.values("var") {
                if let Some((k, val)) = v.text.split_once('=') {
                    if is_environment_name(k) {
                        ch.aim(Aim::Environment, Some(Value { text: val, ..v }));
                    }
                }
            }
            for (k, w) in c.environment() {
                if k == "TF_WORKSPACE" {
                    ch.aim(Aim::Workspace, Some(Value::rest(w, k.len() + 1)));
                }
            }
            ch
        }
        Tool::Az => {
            let teardown = path.last() == Some(&"delete");
            let kind = match path.as_slice() {
                ["deployment", "group" | "sub" | "mg" | "tenant", "create", ..]
                | ["deployment", "create", ..]
                | ["stack", _, "create" | "delete", ..]
                | ["group", "delete", ..]
                | ["resource", "delete", ..]
                | ["aks", "create" | "update" | "upgrade" | "scale" | "delete", ..]
                | ["aks", "nodepool", "add" | "update" | "upgrade" | "scale" | "delete", ..] => Kind::Infra,
                ["webapp" | "functionapp" | "containerapp", "deploy" | "up" | "update" | "create" | "delete", ..]
                | ["webapp" | "functionapp", "deployment", "source", "config-zip" | "config", ..]
                | ["webapp", "config", "container", "set", ..]
                | ["spring", "app", "deploy" | "delete", ..] => Kind::App,
                _ => return None,
            };
            let mut ch = Change::new(label(path.len()), kind);
            ch.teardown = teardown;
            let name_aim = if path.first() == Some(&"group") {
                Aim::ResourceGroup
            } else {
                Aim::App
            };
            ch.aim(Aim::ResourceGroup, inv.value("resource-group"));
            ch.aim(name_aim, inv.value("name"));
            ch.aim(Aim::Slot, inv.value("slot"));
            ch.aim(Aim::Subscription, inv.value("subscription"));
            for v in inv.values("parameters") {
                ch.aim(Aim::Parameters, Some(v));
            }
            ch
        }
        Tool::Azd => {
            let mut ch = match path.as_slice() {
                ["up", ..] | ["deploy", ..] => Change::new(label(1), Kind::App),
                ["provision", ..] => Change::new(label(1), Kind::Infra),
                ["down", ..] => Change::new(label(1), Kind::Infra).teardown(),
                _ => return None,
            };
            ch.aim(Aim::Environment, inv.value("environment"));
            for (k, w) in c.environment() {
                if k == "AZURE_ENV_NAME" {
                    ch.aim(Aim::Environment, Some(Value::rest(w, k.len() + 1)));
                }
            }
            ch
        }
        Tool::Docker => {
            let mut ch = match path.as_slice() {
                ["stack", "deploy", ..] => Change::new(label(2), Kind::App),
                ["stack", "rm", ..] => Change::new(label(2), Kind::App).teardown(),
                _ => return None,
            };
            ch.aim(Aim::KubeContext, inv.value("context"));
            ch
        }
        Tool::Kustomize => return None,
        Tool::Other => other_command(c, &inv)?,
    };
    change.targets.retain(|t| !t.value.is_empty());
    Some(change)
}

/// Deploy tools without a CLI reader of their own, read generically.
fn other_command(c: &Command, inv: &Invocation<'_>) -> Option<Change> {
    let p = c.program();
    let has = |path: &[&str]| inv.is(path);
    // Azure PowerShell
    let cmdlet = p.to_ascii_lowercase();
    match cmdlet.as_str() {
        "new-azresourcegroupdeployment"
        | "new-azdeployment"
        | "new-azsubscriptiondeployment"
        | "new-azmanagementgroupdeployment"
        | "new-aztenantdeployment" => {
            let mut ch = Change::new(p, Kind::Infra);
            ch.aim(Aim::ResourceGroup, c.value(&["-ResourceGroupName"]));
            return Some(ch);
        }
        "remove-azresourcegroup" | "remove-azresource" => {
            let mut ch = Change::new(p, Kind::Infra).teardown();
            ch.aim(Aim::ResourceGroup, c.value(&["-Name", "-ResourceGroupName"]));
            return Some(ch);
        }
        "publish-azwebapp" => {
            let mut ch = Change::new(p, Kind::App);
            ch.aim(Aim::App, c.value(&["-Name"]));
            ch.aim(Aim::ResourceGroup, c.value(&["-ResourceGroupName"]));
            return Some(ch);
        }
        _ => {}
    }
    let mut ch = match p {
        "helmfile" if has(&["apply"]) || has(&["sync"]) || has(&["deploy"]) => {
            Change::new(format!("helmfile {}", word(inv, 0)), Kind::App).kube()
        }
        "helmfile" if has(&["destroy"]) || has(&["delete"]) => {
            Change::new(format!("helmfile {}", word(inv, 0)), Kind::App)
                .kube()
                .teardown()
        }
        "skaffold" if has(&["run"]) || has(&["deploy"]) => {
            Change::new(format!("skaffold {}", word(inv, 0)), Kind::App).kube()
        }
        "skaffold" if has(&["delete"]) => Change::new("skaffold delete", Kind::App).kube().teardown(),
        "argocd" if has(&["app", "sync"]) => Change::new("argocd app sync", Kind::App),
        "argocd" if has(&["app", "delete"]) => Change::new("argocd app delete", Kind::App).teardown(),
        "pulumi" if has(&["up"]) => Change::new("pulumi up", Kind::Infra),
        "pulumi" if has(&["destroy"]) => Change::new("pulumi destroy", Kind::Infra).teardown(),
        "gcloud" if inv.operands.iter().any(|w| w.text == "deploy") => Change::new("gcloud deploy", Kind::App),
        _ => return None,
    };
    ch.aim(
        Aim::Environment,
        c.value(&["-e", "--environment"]).filter(|_| p == "helmfile"),
    );
    ch.aim(
        Aim::Environment,
        c.value(&["-p", "--profile"]).filter(|_| p == "skaffold"),
    );
    ch.aim(
        Aim::Namespace,
        c.value(&["-n", "--namespace"]).filter(|_| p != "pulumi"),
    );
    ch.aim(Aim::KubeContext, c.value(&["--kube-context"]));
    ch.aim(Aim::Environment, c.value(&["-s", "--stack"]).filter(|_| p == "pulumi"));
    if p == "argocd" {
        ch.aim(Aim::App, inv.operands.get(2).map(|w| Value::word(w)));
    }
    Some(ch)
}

fn word<'a>(inv: &'a Invocation<'_>, i: usize) -> &'a str {
    inv.operands.get(i).map(|w| w.text.as_str()).unwrap_or("")
}

/// Variable names that hold the environment a job targets.
fn is_environment_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let n = n.strip_prefix("tf_var_").unwrap_or(&n);
    matches!(
        n,
        "env"
            | "environment"
            | "env_name"
            | "environment_name"
            | "deploy_env"
            | "target_env"
            | "stage"
            | "azure_env_name"
            | "deployment_environment"
            | "target_environment"
    )
}

/// Input names of deploy tasks and actions, and what they name.
fn aim_of_input(key: &str) -> Option<Aim> {
    let k = key.to_ascii_lowercase().replace(['-', '_'], "");
    Some(match k.as_str() {
        "azuresubscription"
        | "connectedservicename"
        | "connectedservicenamearm"
        | "azureresourcemanagerconnection"
        | "kubernetesserviceconnection"
        | "kubernetesserviceendpoint"
        | "environmentservicename"
        | "environmentservicenameazurerm"
        | "backendservicearm"
        | "azuresubscriptionendpoint" => Aim::ServiceConnection,
        "namespace" => Aim::Namespace,
        "releasename" | "release" => Aim::HelmRelease,
        "appname" | "webappname" | "functionappname" | "containerappname" | "service" => Aim::App,
        "resourcegroupname" | "resourcegroup" | "azureresourcegroup" => Aim::ResourceGroup,
        "slotname" | "slot" => Aim::Slot,
        "manifests" => Aim::Manifests,
        "valuefile" | "valuefiles" | "values" => Aim::Values,
        "csmparametersfile" | "parameters" => Aim::Parameters,
        "workingdirectory" | "chartpath" | "path" => Aim::Directory,
        "kubernetescluster" | "clustername" | "cluster" => Aim::Cluster,
        "workspace" | "workspacename" => Aim::Workspace,
        "varfile" => Aim::VarFile,
        "backendazurermkey" | "backendazurermcontainername" => Aim::Backend,
        "subscriptionid" => Aim::Subscription,
        _ => return None,
    })
}

/// GitHub actions that deploy, and what they change.
const DEPLOY_ACTIONS: &[(&str, Kind)] = &[
    ("azure/k8s-deploy", Kind::App),
    ("azure/webapps-deploy", Kind::App),
    ("azure/functions-action", Kind::App),
    ("azure/container-apps-deploy-action", Kind::App),
    ("azure/arm-deploy", Kind::Infra),
    ("azure/aci-deploy", Kind::App),
    ("azure/bicep-deploy", Kind::Infra),
    ("google-github-actions/deploy-cloudrun", Kind::App),
    ("google-github-actions/deploy-appengine", Kind::App),
    ("aws-actions/amazon-ecs-deploy-task-definition", Kind::App),
    ("dflook/terraform-apply", Kind::Infra),
    ("dflook/terraform-destroy", Kind::Infra),
    ("dflook/terraform-destroy-workspace", Kind::Infra),
    ("deliverybot/helm", Kind::App),
];

/// The change a task or action makes, if any.
pub fn of_step(step: &Step) -> Option<Change> {
    let tool = step.tool()?;
    let t = tool.to_ascii_lowercase();
    let input = |k: &str| step.input(k).map(|v| v.text.to_ascii_lowercase()).unwrap_or_default();
    let mut ch = match &step.kind {
        StepKind::Action(_) => {
            let (name, kind) = DEPLOY_ACTIONS
                .iter()
                .find(|(a, _)| t == *a || t.starts_with(&format!("{a}/")))?;
            let mut ch = Change::new(*name, *kind);
            ch.teardown = name.contains("destroy") || input("action") == "delete";
            ch.kubernetes = matches!(*name, "azure/k8s-deploy" | "deliverybot/helm");
            // validation and preview modes change nothing
            if input("deploymentmode") == "validate" || input("additional-arguments").contains("--what-if") {
                return None;
            }
            if *name == "azure/k8s-deploy" && input("action") == "reject" {
                return None;
            }
            ch
        }
        StepKind::Task(_) => {
            if let Some(c) = crate::semantic::pipeline::terraform_task(step) {
                // `terraform <command> <commandOptions>`: read like the command line
                let mut ch = of_command(&c)?;
                ch.label = format!("{tool} {}", ch.label.trim_start_matches("terraform").trim());
                ch
            } else if t == "kubernetesmanifest" {
                let a = input("action");
                match a.as_str() {
                    "deploy" | "patch" | "scale" | "promote" => Change::new(format!("{tool} {a}"), Kind::App).kube(),
                    "delete" => Change::new(format!("{tool} {a}"), Kind::App).kube().teardown(),
                    _ => return None,
                }
            } else if t == "kubernetes" {
                let a = input("command");
                if input("arguments").contains("--dry-run") {
                    return None;
                }
                match a.as_str() {
                    "apply" | "create" | "set" | "replace" | "patch" | "scale" | "expose" => {
                        Change::new(format!("{tool} {a}"), Kind::App).kube()
                    }
                    "delete" => Change::new(format!("{tool} {a}"), Kind::App).kube().teardown(),
                    _ => return None,
                }
            } else if t == "helmdeploy" {
                let a = input("command");
                if input("arguments").contains("--dry-run") {
                    return None;
                }
                match a.as_str() {
                    "upgrade" | "install" | "rollback" => Change::new(format!("{tool} {a}"), Kind::App).kube(),
                    "uninstall" | "delete" => Change::new(format!("{tool} {a}"), Kind::App).kube().teardown(),
                    _ => return None,
                }
            } else if t.starts_with("azurewebapp")
                || t.starts_with("azurermwebappdeployment")
                || t.starts_with("azurefunctionapp")
                || t.starts_with("azurecontainerapps")
                || t.starts_with("azurespringcloud")
            {
                Change::new(tool, Kind::App)
            } else if t.starts_with("azureresourcemanagertemplatedeployment")
                || t.starts_with("azureresourcegroupdeployment")
            {
                let action = input("action");
                if input("deploymentmode") == "validation" {
                    return None;
                }
                let ch = Change::new(tool, Kind::Infra);
                if action == "deleterg" {
                    ch.teardown()
                } else {
                    ch
                }
            } else {
                return None;
            }
        }
        _ => return None,
    };
    for (k, v) in &step.inputs {
        if k.text.eq_ignore_ascii_case("commandOptions") {
            continue;
        }
        if k.text.eq_ignore_ascii_case("arguments") {
            for ns in option_values(&v.text, &["-n", "--namespace"]) {
                ch.targets.push(Target {
                    aim: Aim::Namespace,
                    value: ns,
                    span: v.span,
                });
            }
            continue;
        }
        if let Some(aim) = aim_of_input(&k.text) {
            // multi-line inputs (`manifests:`) name one target a line
            for line in v.text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                ch.targets.push(Target {
                    aim,
                    value: line.to_string(),
                    span: v.span,
                });
            }
        }
    }
    Some(ch)
}

/// Values of `-flag value` / `-flag=value` in an input holding options.
fn option_values(text: &str, flags: &[&str]) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        for f in flags {
            if w == f {
                out.extend(words.get(i + 1).map(|v| v.trim_matches(['"', '\'']).to_string()));
            } else if let Some(v) = w.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
                out.push(v.trim_matches(['"', '\'']).to_string());
            }
        }
    }
    out
}

/// Actions and commands that create a cluster that lives only as long as the job.
const LOCAL_CLUSTER_ACTIONS: &[&str] = &[
    "helm/kind-action",
    "engineerd/setup-kind",
    "container-tools/kind-action",
    "medyagh/setup-minikube",
    "manusa/actions-setup-minikube",
    "absaoss/k3d-action",
    "nolar/setup-k3d-k3s",
    "debianmaster/actions-k3s",
    "balchua/microk8s-actions",
];

fn creates_local_cluster(step: &Step) -> bool {
    let by_action = step.tool().is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        LOCAL_CLUSTER_ACTIONS.contains(&t.as_str())
    });
    by_action
        || step.commands().iter().any(|c| {
            c.is("kind", &["create", "cluster"])
                || c.is("minikube", &["start"])
                || c.is("k3d", &["cluster", "create"])
                || c.is("ctlptl", &["create"])
                || c.is("microk8s", &["start"])
        })
}

/// Every deploy of a job, in step order. A job whose steps do nothing linea recognises but
/// that is an Azure `deployment:` job with an environment is one deploy of unknown kind.
pub fn of_job(job: &Job) -> Vec<Action> {
    let mut out = Vec::new();
    let mut local_cluster = false;
    for (si, step) in job.steps.iter().enumerate() {
        local_cluster |= creates_local_cluster(step);
        if let Some(change) = of_step(step) {
            if !(local_cluster && change.kubernetes) {
                out.push(Action {
                    change,
                    file: step.file,
                    span: step.header,
                    step: Some(si),
                    command: None,
                });
            }
        }
        for (ci, c) in step.commands().iter().enumerate() {
            if let Some(change) = of_command(c) {
                // a deploy to the job's own throwaway cluster is a test, not a deploy
                if local_cluster && change.kubernetes {
                    continue;
                }
                out.push(Action {
                    change,
                    file: step.file,
                    span: c.span,
                    step: Some(si),
                    command: Some(ci),
                });
            }
        }
    }
    if out.is_empty() && job.deployment && !local_cluster {
        if let Some(env) = &job.environment {
            out.push(Action {
                change: Change::new(format!("deployment to environment `{}`", env.name.text), Kind::Unknown),
                file: job.file,
                span: job.header,
                step: None,
                command: None,
            });
        }
    }
    out
}

/// What the job sets up for its deploys before running them: the kube context or cluster it
/// selects, the terraform workspace and backend, the subscription, environment variables.
fn setup_targets(job: &Job) -> Vec<Target> {
    let mut out = Vec::new();
    let mut push = |aim, v: Option<Value<'_>>| {
        if let Some(v) = v.filter(|v| !v.text.trim().is_empty()) {
            out.push(Target {
                aim,
                value: v.text.to_string(),
                span: v.span,
            });
        }
    };
    for step in &job.steps {
        for c in step.commands() {
            let Some(inv) = cli::read(c) else { continue };
            match (inv.tool, inv.path_text().as_str()) {
                (Tool::Kubectl, "config use-context") => {
                    push(Aim::KubeContext, inv.operands.first().map(|w| Value::word(w)))
                }
                (Tool::Az, "aks get-credentials") => {
                    push(Aim::Cluster, inv.value("name"));
                    push(Aim::ResourceGroup, inv.value("resource-group"));
                }
                (Tool::Az, "account set") => push(Aim::Subscription, inv.value("subscription")),
                (Tool::Terraform, "workspace select" | "workspace new") => {
                    push(Aim::Workspace, inv.operands.first().map(|w| Value::word(w)))
                }
                (Tool::Terraform, "init") => {
                    for v in inv.values("backend-config") {
                        push(Aim::Backend, Some(v));
                    }
                }
                (Tool::Azd, "env select" | "env new") => {
                    push(Aim::Environment, inv.operands.first().map(|w| Value::word(w)))
                }
                _ => {}
            }
        }
        let tool = step.tool().map(str::to_ascii_lowercase);
        match tool.as_deref() {
            Some("azure/aks-set-context") => {
                for (k, v) in &step.inputs {
                    let aim = match k.text.as_str() {
                        "cluster-name" => Aim::Cluster,
                        "resource-group" => Aim::ResourceGroup,
                        _ => continue,
                    };
                    push(
                        aim,
                        Some(Value {
                            text: &v.text,
                            span: v.span,
                            dynamic: v.is_expression(),
                        }),
                    );
                }
            }
            Some("azure/k8s-set-context") => {
                if let Some(v) = step.input("context") {
                    push(
                        Aim::KubeContext,
                        Some(Value {
                            text: &v.text,
                            span: v.span,
                            dynamic: v.is_expression(),
                        }),
                    );
                }
            }
            _ => {}
        }
        for (k, v) in &step.env {
            setup_variable(&mut push, &k.text, v);
        }
    }
    for (k, v) in &job.variables {
        setup_variable(&mut push, &k.text, v);
    }
    out
}

fn setup_variable(push: &mut impl FnMut(Aim, Option<Value<'_>>), key: &str, v: &crate::lang::pipeline::Text) {
    let value = Some(Value {
        text: &v.text,
        span: v.span,
        dynamic: v.is_expression(),
    });
    if key == "TF_WORKSPACE" {
        push(Aim::Workspace, value);
    } else if is_environment_name(key) {
        push(Aim::Environment, value);
    }
}

/// What linea reads about one job: its deploys and the environment they change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub actions: Vec<Action>,
    /// The environment the job's deploys change (see [`read_job`]).
    pub decision: Decision,
    /// Whether that counts as production (unknown by `unknown-environment`).
    pub prod: bool,
    /// The action the decision is about: the one whose target decided, else the first.
    pub deciding: usize,
}

impl Reading {
    /// The production deploy of the job, when it has one.
    pub fn prod_deploy(&self) -> Option<&Action> {
        self.prod.then(|| self.actions.get(self.deciding)).flatten()
    }

    /// "job `deploy` deploys to production: namespace `production` (`kubectl apply`)"
    pub fn note(&self, job: &Job) -> String {
        let action = self.actions.get(self.deciding).map(Action::label).unwrap_or("");
        if self.decision.env == Environment::Unknown {
            return format!(
                "job `{}` runs `{action}` and nothing it says names an environment: unknown counts as production (`unknown-environment`)",
                job.label()
            );
        }
        format!(
            "job `{}` deploys to production: {} `{}` (`{action}`)",
            job.label(),
            self.decision.source,
            self.decision.value
        )
    }
}

/// Jobs whose run also tears down the environment it deploys — apply, test, destroy: an
/// end-to-end test of the deploy — change a throwaway environment. Applied to the jobs of one
/// pipeline (`upstream[i]` are the jobs before job `i`) whose environment nothing else
/// decided: the deploy jobs the teardown follows, and the teardown itself.
pub fn mark_throwaway(settings: &Settings, jobs: &[Job], readings: &mut [Reading], upstream: &[Vec<usize>]) {
    let ends = |r: &Reading| r.actions.iter().position(|a| a.change.ends_environment());
    let deploys = |r: &Reading| r.actions.iter().position(|a| !a.change.teardown);
    let mut found: Vec<(usize, String)> = Vec::new();
    for (at, r) in readings.iter().enumerate() {
        if r.actions.is_empty() || r.decision.env != Environment::Unknown {
            continue;
        }
        let label = |j: usize, a: usize| {
            let name = jobs.get(j).map(|x| x.label()).unwrap_or("");
            let action = readings
                .get(j)
                .and_then(|r| r.actions.get(a))
                .map(Action::label)
                .unwrap_or("");
            format!("`{action}` in job `{name}`")
        };
        // torn down later in the same job, or by a job that runs after it
        let own = deploys(r)
            .and_then(|d| ends(r).filter(|e| *e > d))
            .map(|e| label(at, e));
        let later = || {
            deploys(r)?;
            readings.iter().enumerate().find_map(|(j, other)| {
                upstream
                    .get(j)
                    .filter(|u| u.contains(&at))
                    .and(ends(other))
                    .map(|e| label(j, e))
            })
        };
        // a teardown after the deploys of the jobs before it
        let earlier = || {
            ends(r)?;
            upstream.get(at)?.iter().find_map(|&u| {
                readings
                    .get(u)
                    .and_then(deploys)
                    .map(|_| label(at, ends(r).unwrap_or(0)))
            })
        };
        if let Some(by) = own.or_else(later).or_else(earlier) {
            found.push((at, by));
        }
    }
    for (at, by) in found {
        if let Some(r) = readings.get_mut(at) {
            r.decision = Decision {
                env: Environment::Nonprod,
                source: "throwaway environment torn down by",
                value: by,
            };
            r.prod = r.decision.is_prod(settings);
        }
    }
}

/// Whether every run of the job is for a pull request: its pipeline runs only on pull
/// requests, or a condition of the job holds only for them.
pub fn pull_requests_only(pipeline: &Pipeline, job: &Job) -> bool {
    let by_trigger = !pipeline.triggers.is_empty()
        && pipeline
            .triggers
            .iter()
            .all(|t| t.is_pull_request() || t.event == "workflow_call")
        && pipeline.triggers.iter().any(|t| t.is_pull_request());
    by_trigger
        || job
            .conditions
            .iter()
            .any(|c| Condition::of(pipeline.system, &c.text).only_pull_requests())
}

/// Read a job of `pipeline` (written in the file at `path`): its deploys, and the environment
/// they change. Configuration globs on the path decide first; then, most specific first, the
/// job's environment (name, then resource), the target environment a tool or variable names,
/// the slot, namespace, kube context, cluster, terraform workspace and backend, var-file,
/// parameters and values files, service connection, helm release, app, resource group,
/// subscription, manifests and directory of its deploys and of its set-up steps, then the
/// stage, the job id and display name; a job that runs only for pull requests is non-prod;
/// then the pipeline's name, then the path. Nothing → unknown, which counts as production
/// unless `unknown-environment = "nonprod"`.
pub fn read_job(settings: &Settings, path: &Path, pipeline: &Pipeline, job: &Job) -> Reading {
    let actions = of_job(job);
    let mut reading = Reading {
        actions,
        decision: Decision {
            env: Environment::Unknown,
            source: "",
            value: String::new(),
        },
        prod: false,
        deciding: 0,
    };
    if reading.actions.is_empty() {
        return reading;
    }
    let decision = decide_job(settings, path, pipeline, job, &reading.actions);
    reading.prod = decision.0.is_prod(settings);
    reading.deciding = decision.1;
    reading.decision = decision.0;
    reading
}

/// What a job says about where it deploys, most specific first.
#[derive(Default)]
struct Found {
    /// (rank, source, value, index of the action it is about)
    items: Vec<(u8, &'static str, String, usize)>,
}

impl Found {
    fn add(&mut self, rank: u8, source: &'static str, value: &str, action: usize, vars: &Variables<'_>) {
        if let Some(v) = vars.resolve(value) {
            self.items.push((rank, source, v, action));
        }
    }
    fn sorted(mut self) -> Vec<(u8, &'static str, String, usize)> {
        self.items.sort_by_key(|e| e.0);
        self.items
    }
}

fn decide_job(
    settings: &Settings,
    path: &Path,
    pipeline: &Pipeline,
    job: &Job,
    actions: &[Action],
) -> (Decision, usize) {
    if let Some(env) = environment::of_config(settings, path) {
        let d = Decision {
            env,
            source: "config",
            value: crate::source::display_path(path),
        };
        return (d, 0);
    }
    // a value that names a variable is read as the variable's literal value, and names
    // nothing when it has none
    let job_vars = Variables::of(pipeline, job, None);
    let mut evidence = Found::default();
    if let Some(env) = &job.environment {
        evidence.add(0, "environment", &env.name.text, 0, &job_vars);
        if let Some(r) = &env.resource {
            evidence.add(1, "environment resource", &r.text, 0, &job_vars);
        }
    }
    for (i, a) in actions.iter().enumerate() {
        let step = a.step.and_then(|s| job.steps.get(s));
        let vars = Variables::of(pipeline, job, step);
        for t in &a.change.targets {
            evidence.add(10 + t.aim as u8, t.aim.source(), &t.value, i, &vars);
        }
    }
    for t in &setup_targets(job) {
        evidence.add(10 + t.aim as u8, t.aim.source(), &t.value, 0, &job_vars);
    }
    if let Some(st) = &job.stage {
        evidence.add(100, "stage", &st.text, 0, &job_vars);
    }
    evidence.add(101, "job", &job.id.text, 0, &job_vars);
    if let Some(n) = &job.display_name {
        evidence.add(102, "job", &n.text, 0, &job_vars);
    }
    let evidence = evidence.sorted();
    let list: Vec<Evidence<'_>> = evidence.iter().map(|e| Evidence::new(e.1, &e.2)).collect();
    let d = environment::decide(settings, None, &list);
    if d.env != Environment::Unknown {
        let at = evidence
            .iter()
            .find(|e| e.1 == d.source && e.2 == d.value)
            .map(|e| e.3)
            .unwrap_or(0);
        return (d, at);
    }
    if pull_requests_only(pipeline, job) {
        let d = Decision {
            env: Environment::Nonprod,
            source: "trigger",
            value: "pull_request".into(),
        };
        return (d, 0);
    }
    let late: Vec<Evidence<'_>> = pipeline
        .name
        .iter()
        .filter(|n| !n.is_expression())
        .map(|n| Evidence::new("pipeline", &n.text))
        .collect();
    (environment::decide(settings, Some(path), &late), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::shell;

    fn change(text: &str) -> Option<Change> {
        let s = shell::parse(text, 0);
        s.commands.iter().find_map(of_command)
    }

    fn target(text: &str, aim: Aim) -> Option<String> {
        change(text)?
            .targets
            .into_iter()
            .find(|t| t.aim == aim)
            .map(|t| t.value)
    }

    #[test]
    fn deploys_through_every_spelling() {
        for text in [
            "kubectl apply -f k8s/ --context prod",
            "kubectl apply -f k8s/ --context=prod",
            "kubectl --context prod apply -f k8s/",
            "timeout 300 sudo -u deploy kubectl --context prod apply -f k8s/",
        ] {
            assert_eq!(target(text, Aim::KubeContext).as_deref(), Some("prod"), "{text}");
        }
        assert_eq!(
            target("kubectl -n prod apply -f k8s/", Aim::Namespace).as_deref(),
            Some("prod")
        );
        assert_eq!(
            target(
                "helm upgrade --install api ./chart --kube-context prod",
                Aim::KubeContext
            )
            .as_deref(),
            Some("prod")
        );
        assert_eq!(
            target("helm upgrade --install api ./chart", Aim::HelmRelease).as_deref(),
            Some("api")
        );
        assert_eq!(
            target("terraform apply -var-file prod.tfvars -auto-approve", Aim::VarFile).as_deref(),
            Some("prod.tfvars")
        );
        assert_eq!(
            target("terraform -chdir=envs/prod apply", Aim::Directory).as_deref(),
            Some("envs/prod")
        );
        assert_eq!(
            target("TF_WORKSPACE=prod terraform apply", Aim::Workspace).as_deref(),
            Some("prod")
        );
        assert_eq!(
            target(
                "az deployment group create -g rg-prod -f main.bicep",
                Aim::ResourceGroup
            )
            .as_deref(),
            Some("rg-prod")
        );
        assert_eq!(target("azd deploy -e prod", Aim::Environment).as_deref(), Some("prod"));
    }

    #[test]
    fn kinds_teardowns_and_dry_runs() {
        let c = |t: &str| change(t).map(|c| (c.label, c.kind, c.teardown));
        assert_eq!(
            c("terraform destroy -auto-approve"),
            Some(("terraform destroy".into(), Kind::Infra, true))
        );
        assert_eq!(
            c("terraform apply -destroy"),
            Some(("terraform apply".into(), Kind::Infra, true))
        );
        assert_eq!(
            c("helm uninstall api -n prod"),
            Some(("helm uninstall".into(), Kind::App, true))
        );
        assert_eq!(
            c("kubectl delete -f k8s/"),
            Some(("kubectl delete".into(), Kind::App, true))
        );
        assert_eq!(
            c("az group delete -n rg-prod --yes"),
            Some(("az group delete".into(), Kind::Infra, true))
        );
        assert_eq!(c("azd provision"), Some(("azd provision".into(), Kind::Infra, false)));
        assert_eq!(c("azd deploy"), Some(("azd deploy".into(), Kind::App, false)));
        assert_eq!(
            c("azd down --force --purge"),
            Some(("azd down".into(), Kind::Infra, true))
        );
        assert_eq!(
            c("terragrunt run-all apply"),
            Some(("terragrunt run-all apply".into(), Kind::Infra, false))
        );
        assert_eq!(
            c("kubectl -n prod rollout restart deploy/api").map(|c| c.0),
            Some("kubectl rollout restart".into())
        );
        for none in [
            "kubectl apply --dry-run=client -f k8s/",
            "helm upgrade api ./chart --dry-run",
            "az deployment group what-if -g rg -f main.bicep",
            "az deployment group create -g rg -f main.bicep --what-if",
            "terraform plan -out tfplan",
            "kubectl get pods -n prod",
            "helm template api ./chart",
            "kubectl rollout status deploy/api",
        ] {
            assert_eq!(change(none), None, "{none}");
        }
        assert!(change("kubectl apply --dry-run=none -f k8s/").is_some());
    }
}
