//! The command-line interfaces that decide deploys, read the way each of them parses its own
//! arguments: `kubectl` (and `oc`), `helm`, `terraform` (`tofu`, `terragrunt`), `az`, `azd`,
//! `docker`, `kustomize`. For each: the subcommand path (`rollout status`,
//! `deployment group create`), global options before or after the subcommand, `--flag value`
//! and `--flag=value`, short options (`-n prod`, `-nprod`), and which options take no value, so
//! `kubectl --context prod apply -f k8s/` reads as `apply` with context `prod`.
//!
//! Options are named by their long name without dashes (`namespace`, `kube-context`,
//! `var-file`); short names are resolved (`-n` is `namespace` for kubectl and helm, `name` for
//! az). Any other program is read generically: every word that is not an option is an operand,
//! and an option takes a value only when written `--flag=value`.

use crate::lang::shell::{Command, Word};
use crate::semantic::command::{effective, Value};

/// Which CLI a command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Kubectl,
    Helm,
    /// `terraform`, `tofu`, `terragrunt`.
    Terraform,
    Az,
    Azd,
    Docker,
    Kustomize,
    Other,
}

impl Tool {
    pub fn of(program: &str) -> Tool {
        match program {
            "kubectl" | "oc" | "kubectl.exe" => Tool::Kubectl,
            "helm" | "helm3" | "helm.exe" => Tool::Helm,
            "terraform" | "tofu" | "terragrunt" | "terraform.exe" => Tool::Terraform,
            "az" | "az.cmd" => Tool::Az,
            "azd" => Tool::Azd,
            "docker" | "podman" | "docker-compose" => Tool::Docker,
            "kustomize" => Tool::Kustomize,
            _ => Tool::Other,
        }
    }
}

/// One option as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag<'a> {
    /// Long name without dashes, short names resolved: `namespace`, `var-file`.
    pub name: &'a str,
    /// The option word as written (`-n`, `--namespace=prod`).
    pub word: &'a Word,
    pub value: Option<Value<'a>>,
}

/// A command of a known CLI, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation<'a> {
    pub tool: Tool,
    /// The program word (past wrappers).
    pub program: &'a Word,
    /// The subcommand words: `["deployment", "group", "create"]`.
    pub path: Vec<&'a Word>,
    pub flags: Vec<Flag<'a>>,
    /// Words that are neither the path nor options nor their values.
    pub operands: Vec<&'a Word>,
}

impl<'a> Invocation<'a> {
    /// Whether the subcommand path starts with `path` (for a program read generically: its
    /// leading operands).
    pub fn is(&self, path: &[&str]) -> bool {
        let words = self
            .path
            .iter()
            .chain(self.operands.iter().filter(|_| self.tool == Tool::Other));
        let mut words = words.map(|w| w.text.as_str());
        path.iter().all(|p| words.next() == Some(*p))
    }

    /// The subcommand path as text: `deployment group create`.
    pub fn path_text(&self) -> String {
        self.path.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    }

    /// The first option named `name` (long name, no dashes).
    pub fn flag(&self, name: &str) -> Option<&Flag<'a>> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// Whether an option is given (`--dry-run`, `-auto-approve`).
    pub fn has(&self, name: &str) -> bool {
        self.flag(name).is_some()
    }

    /// The value of the first option named `name`.
    pub fn value(&self, name: &str) -> Option<Value<'a>> {
        self.flag(name).and_then(|f| f.value)
    }

    /// The values of every option named `name` (`-f a.yaml -f b.yaml`).
    pub fn values(&self, name: &'a str) -> impl Iterator<Item = Value<'a>> + '_ {
        self.flags
            .iter()
            .filter(move |f| f.name == name)
            .filter_map(|f| f.value)
    }
}

/// How one CLI parses options.
struct Spec {
    /// Options that take a value (long names, no dashes).
    values: &'static [&'static str],
    /// Options that take no value, for CLIs whose unknown options take one (az).
    booleans: &'static [&'static str],
    /// Short names: (`n`, `namespace`).
    short: &'static [(&'static str, &'static str)],
    /// An unknown `--option` followed by a word takes it as its value.
    unknown_takes_value: bool,
    /// How many words the subcommand path has, given its first words.
    depth: fn(&[&str]) -> usize,
}

const KUBECTL: Spec = Spec {
    values: &[
        "namespace",
        "context",
        "cluster",
        "user",
        "kubeconfig",
        "server",
        "token",
        "as",
        "as-group",
        "as-uid",
        "certificate-authority",
        "client-certificate",
        "client-key",
        "request-timeout",
        "tls-server-name",
        "cache-dir",
        "log-file",
        "v",
        "filename",
        "kustomize",
        "selector",
        "output",
        "field-manager",
        "timeout",
        "container",
        "replicas",
        "type",
        "patch",
        "for",
        "from-literal",
        "from-file",
        "from-env-file",
        "image",
        "port",
        "target-port",
        "grace-period",
        "cascade",
        "dry-run",
        "prune-allowlist",
        "field-selector",
        "template",
        "sort-by",
        "overrides",
        "current-replicas",
        "to-revision",
        "resource-version",
        "env",
        "limits",
        "requests",
        "serviceaccount",
        "subresource",
        "docker-server",
        "docker-username",
        "docker-password",
        "docker-email",
        "cert",
        "key",
        "protocol",
        "name",
        "labels",
    ],
    booleans: &[],
    short: &[
        ("n", "namespace"),
        ("f", "filename"),
        ("k", "kustomize"),
        ("l", "selector"),
        ("o", "output"),
        ("c", "container"),
        ("p", "patch"),
        ("s", "server"),
        ("v", "v"),
        ("R", "recursive"),
        ("A", "all-namespaces"),
        ("w", "watch"),
        ("i", "stdin"),
        ("t", "tty"),
        ("e", "env"),
    ],
    unknown_takes_value: false,
    depth: |p| match p {
        ["rollout" | "config" | "set" | "auth" | "certificate" | "top" | "plugin", ..] => 2,
        ["apply", "set-last-applied" | "edit-last-applied" | "view-last-applied", ..] => 2,
        ["create", "secret", ..] => 3,
        ["create", "namespace"
        | "ns"
        | "configmap"
        | "cm"
        | "deployment"
        | "job"
        | "cronjob"
        | "service"
        | "svc"
        | "serviceaccount"
        | "sa"
        | "role"
        | "rolebinding"
        | "clusterrole"
        | "clusterrolebinding"
        | "ingress"
        | "quota"
        | "priorityclass"
        | "poddisruptionbudget"
        | "pdb"
        | "token", ..] => 2,
        _ => 1,
    },
};

const HELM: Spec = Spec {
    values: &[
        "namespace",
        "kube-context",
        "kubeconfig",
        "kube-apiserver",
        "kube-token",
        "kube-as-user",
        "kube-as-group",
        "kube-ca-file",
        "kube-tls-server-name",
        "registry-config",
        "repository-cache",
        "repository-config",
        "burst-limit",
        "qps",
        "values",
        "set",
        "set-string",
        "set-file",
        "set-json",
        "set-literal",
        "version",
        "timeout",
        "repo",
        "username",
        "password",
        "post-renderer",
        "post-renderer-args",
        "description",
        "history-max",
        "output",
        "ca-file",
        "cert-file",
        "key-file",
        "keyring",
        "labels",
        "name-template",
        "max-history",
        "revision",
        "cascade",
        "deletion-propagation",
    ],
    booleans: &[],
    short: &[
        ("n", "namespace"),
        ("f", "values"),
        ("o", "output"),
        ("i", "install"),
        ("g", "generate-name"),
        ("l", "labels"),
    ],
    unknown_takes_value: false,
    depth: |p| match p {
        ["repo" | "plugin" | "dependency" | "dep" | "registry" | "get" | "show" | "inspect" | "search" | "secrets"
        | "diff", ..] => 2,
        _ => 1,
    },
};

const TERRAFORM: Spec = Spec {
    values: &[
        "chdir",
        "var",
        "var-file",
        "target",
        "replace",
        "state",
        "state-out",
        "backup",
        "lock-timeout",
        "parallelism",
        "out",
        "backend-config",
        "plugin-dir",
        "from-module",
        "terragrunt-working-dir",
        "working-dir",
        "terragrunt-config",
        "config",
        "terragrunt-include-dir",
        "queue-include-dir",
        "terragrunt-exclude-dir",
        "queue-exclude-dir",
        "test-directory",
        "filter",
    ],
    booleans: &[],
    short: &[],
    unknown_takes_value: false,
    depth: |p| match p {
        ["workspace" | "state" | "providers" | "run-all" | "run", ..] => 2,
        ["stack", ..] => 2,
        _ => 1,
    },
};

const AZ: Spec = Spec {
    values: &[],
    booleans: &[
        "yes",
        "no-wait",
        "debug",
        "verbose",
        "only-show-errors",
        "overwrite-existing",
        "admin",
        "no-prompt",
        "help",
        "all",
        "force",
        "enable-managed-identity",
        "generate-ssh-keys",
        "attach-acr",
        "no-logs",
        "what-if",
        "confirm-with-what-if",
        "c",
        "no-pretty-print",
        "use-device-code",
        "allow-no-subscriptions",
        "identity",
        "disable-local-accounts",
        "public",
        "assign-identity",
        "https-only",
        "no-ssh-key",
        "enable-aad",
        "enable-azure-rbac",
        "file-system",
        "overwrite",
        "ensure-zero-downtime",
        "restart",
    ],
    short: &[
        ("g", "resource-group"),
        ("n", "name"),
        ("l", "location"),
        ("o", "output"),
        ("f", "template-file"),
        ("p", "parameters"),
        ("u", "username"),
        ("y", "yes"),
        ("c", "confirm-with-what-if"),
        ("s", "subscription"),
        ("t", "tenant"),
        ("h", "help"),
    ],
    unknown_takes_value: true,
    // az commands have no positional arguments: every leading word is the command
    depth: |p| p.len(),
};

const AZD: Spec = Spec {
    values: &[
        "environment",
        "cwd",
        "subscription",
        "location",
        "output",
        "from-package",
        "template",
        "branch",
        "service",
        "docs",
        "filter",
    ],
    booleans: &[],
    short: &[
        ("e", "environment"),
        ("C", "cwd"),
        ("o", "output"),
        ("t", "template"),
        ("b", "branch"),
        ("l", "location"),
    ],
    unknown_takes_value: false,
    depth: |p| match p {
        ["env" | "auth" | "config" | "pipeline" | "hooks" | "template" | "extension", ..] => 2,
        _ => 1,
    },
};

const DOCKER: Spec = Spec {
    values: &[
        "context",
        "host",
        "config",
        "log-level",
        "tlscacert",
        "tlscert",
        "tlskey",
        "file",
        "tag",
        "build-arg",
        "platform",
        "target",
        "output",
        "cache-from",
        "cache-to",
        "label",
        "secret",
        "ssh",
        "network",
        "progress",
        "builder",
        "iidfile",
        "metadata-file",
        "shm-size",
        "ulimit",
        "add-host",
        "allow",
        "annotation",
        "attest",
        "build-context",
        "project-name",
        "project-directory",
        "env-file",
        "profile",
        "env",
        "volume",
        "publish",
        "name",
        "workdir",
        "user",
        "entrypoint",
        "mount",
        "restart",
        "memory",
        "cpus",
        "hostname",
        "device",
        "gpus",
        "compose-file",
        "with-registry-auth-from",
        "format",
        "filter",
    ],
    booleans: &[],
    short: &[
        ("c", "context"),
        ("H", "host"),
        ("f", "file"),
        ("t", "tag"),
        ("o", "output"),
        ("p", "project-name"),
        ("e", "env"),
        ("v", "volume"),
        ("w", "workdir"),
        ("u", "user"),
        ("l", "label"),
        ("d", "detach"),
        ("q", "quiet"),
        ("i", "interactive"),
    ],
    unknown_takes_value: false,
    depth: |p| match p {
        ["compose" | "buildx" | "image" | "container" | "network" | "volume" | "context" | "manifest" | "builder"
        | "system" | "swarm" | "stack" | "service" | "trust" | "plugin" | "scout" | "secret" | "config" | "node", ..] => {
            2
        }
        _ => 1,
    },
};

const KUSTOMIZE: Spec = Spec {
    values: &[
        "output",
        "load-restrictor",
        "helm-command",
        "reorder",
        "env",
        "mount",
        "network-name",
    ],
    booleans: &[],
    short: &[("o", "output"), ("e", "env")],
    unknown_takes_value: false,
    depth: |p| match p {
        ["edit", "set" | "add" | "remove" | "fix", ..] => 3,
        ["edit" | "cfg" | "localize", ..] => 2,
        _ => 1,
    },
};

const OTHER: Spec = Spec {
    values: &[],
    booleans: &[],
    short: &[],
    unknown_takes_value: false,
    depth: |_| 0,
};

fn spec(tool: Tool) -> &'static Spec {
    match tool {
        Tool::Kubectl => &KUBECTL,
        Tool::Helm => &HELM,
        Tool::Terraform => &TERRAFORM,
        Tool::Az => &AZ,
        Tool::Azd => &AZD,
        Tool::Docker => &DOCKER,
        Tool::Kustomize => &KUSTOMIZE,
        Tool::Other => &OTHER,
    }
}

/// Read a command: its CLI, subcommand path, options and operands. `None` when the command
/// runs nothing (`env` alone).
pub fn read(c: &Command) -> Option<Invocation<'_>> {
    let (program, args) = effective(c)?;
    Some(read_words(program, args))
}

/// Read a program word and its arguments.
pub fn read_words<'a>(program: &'a Word, args: &'a [Word]) -> Invocation<'a> {
    let tool = Tool::of(program.program());
    let spec = spec(tool);
    let mut inv = Invocation {
        tool,
        program,
        path: Vec::new(),
        flags: Vec::new(),
        operands: Vec::new(),
    };
    // `docker-compose up` reads as `docker compose up`
    let implicit_compose = program.program() == "docker-compose";
    let mut i = 0;
    let mut only_operands = false;
    while let Some(w) = args.get(i) {
        i += 1;
        let t = w.text.as_str();
        if only_operands || !t.starts_with('-') || t == "-" {
            let mut path: Vec<&str> = inv.path.iter().map(|p| p.text.as_str()).collect();
            if implicit_compose {
                path.insert(0, "compose");
            }
            path.push(t);
            // a subcommand is a plain word; az has none after its first option
            let command_word = !w.dynamic
                && !t.is_empty()
                && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && (tool != Tool::Az || inv.flags.is_empty());
            if !only_operands && inv.operands.is_empty() && command_word && path.len() <= (spec.depth)(&path) {
                inv.path.push(w);
            } else {
                inv.operands.push(w);
            }
            continue;
        }
        if t == "--" {
            only_operands = true;
            continue;
        }
        let long = t.starts_with("--");
        let body = t.trim_start_matches('-');
        let (written, attached) = match body.split_once('=') {
            Some((k, _)) => (k, Some(t.len() - body.len() + k.len() + 1)),
            None => (body, None),
        };
        // a short option with its value attached: `-nprod`
        let (written, attached) = if !long && tool != Tool::Terraform && attached.is_none() && written.len() > 1 {
            match spec.short.iter().find(|(s, _)| written.starts_with(s)) {
                Some((s, long_name)) if spec.values.contains(long_name) => (*s, Some(1 + s.len())),
                _ => (written, None),
            }
        } else {
            (written, attached)
        };
        let name: &str = if long || tool == Tool::Terraform {
            written
        } else {
            spec.short
                .iter()
                .find(|(s, _)| *s == written)
                .map(|(_, l)| *l)
                .unwrap_or(written)
        };
        let value = match attached {
            Some(at) => Some(Value::rest(w, at)),
            None => {
                let takes = spec.values.contains(&name) || (spec.unknown_takes_value && !spec.booleans.contains(&name));
                let next = args.get(i).filter(|n| !n.text.starts_with('-') || n.text == "-");
                match next.filter(|_| takes) {
                    Some(n) => {
                        i += 1;
                        Some(Value::word(n))
                    }
                    None => None,
                }
            }
        };
        inv.flags.push(Flag { name, word: w, value });
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::shell;

    fn with<T>(text: &str, f: impl FnOnce(Invocation<'_>) -> T) -> T {
        let s = shell::parse(text, 0);
        let c = &s.commands[0];
        f(read(c).expect("runs a program"))
    }

    fn path(text: &str) -> String {
        with(text, |i| i.path_text())
    }

    #[test]
    fn global_flags_before_or_after_the_subcommand() {
        for text in [
            "kubectl --context prod apply -f k8s/",
            "kubectl apply -f k8s/ --context prod",
            "kubectl apply -f k8s/ --context=prod",
            "sudo kubectl -n prod --context prod apply -f k8s/",
        ] {
            assert_eq!(path(text), "apply", "{text}");
            assert_eq!(
                with(text, |i| i.value("context").map(|v| v.text.to_string())).as_deref(),
                Some("prod")
            );
            assert_eq!(
                with(text, |i| i.value("filename").map(|v| v.text.to_string())).as_deref(),
                Some("k8s/")
            );
        }
        assert_eq!(
            with("kubectl -nprod apply -f x", |i| i
                .value("namespace")
                .map(|v| v.text.to_string()))
            .as_deref(),
            Some("prod")
        );
        assert_eq!(path("kubectl -n prod rollout status deploy/api"), "rollout status");
        assert_eq!(
            path("kubectl create secret generic x --from-literal a=b"),
            "create secret generic"
        );
        assert_eq!(path("kubectl create namespace prod"), "create namespace");
    }

    #[test]
    fn helm_terraform_az_azd() {
        let text = "helm upgrade --install -n shop --kube-context prod-aks api ./chart -f values-prod.yaml --wait";
        with(text, |i| {
            assert_eq!(i.path_text(), "upgrade");
            let ops: Vec<&str> = i.operands.iter().map(|w| w.text.as_str()).collect();
            assert_eq!(ops, ["api", "./chart"]);
            assert_eq!(i.value("kube-context").map(|v| v.text), Some("prod-aks"));
            assert_eq!(i.value("values").map(|v| v.text), Some("values-prod.yaml"));
            assert!(i.has("install") && i.has("wait"));
        });
        with(
            "terraform -chdir=infra/prod apply -var env=prod -var-file prod.tfvars tfplan",
            |i| {
                assert_eq!(i.path_text(), "apply");
                assert_eq!(i.value("chdir").map(|v| v.text), Some("infra/prod"));
                assert_eq!(i.value("var-file").map(|v| v.text), Some("prod.tfvars"));
                let ops: Vec<&str> = i.operands.iter().map(|w| w.text.as_str()).collect();
                assert_eq!(ops, ["tfplan"], "a `-var` value is not the plan file");
            },
        );
        assert_eq!(path("terraform workspace select prod"), "workspace select");
        assert_eq!(
            path("terragrunt run-all apply --terragrunt-non-interactive"),
            "run-all apply"
        );
        with(
            "az deployment group create -g rg-prod --template-file main.bicep --no-wait -p env=prod",
            |i| {
                assert_eq!(i.path_text(), "deployment group create");
                assert_eq!(i.value("resource-group").map(|v| v.text), Some("rg-prod"));
                assert_eq!(i.value("parameters").map(|v| v.text), Some("env=prod"));
                assert!(i.value("no-wait").is_none());
            },
        );
        assert_eq!(
            path("az aks get-credentials --resource-group rg --name aks-prod --admin"),
            "aks get-credentials"
        );
        with("azd deploy api -e prod --no-prompt", |i| {
            assert_eq!(i.path_text(), "deploy");
            assert_eq!(i.value("environment").map(|v| v.text), Some("prod"));
        });
        assert_eq!(path("docker compose -f compose.yml up -d"), "compose up");
        assert_eq!(path("docker buildx build -t x --push ."), "buildx build");
        assert_eq!(path("kustomize edit set image app=x"), "edit set image");
    }

    #[test]
    fn unknown_programs_read_generically() {
        with("argocd app sync shop-prod --prune", |i| {
            assert_eq!(i.tool, Tool::Other);
            assert!(i.is(&["app", "sync"]));
        });
        with("kubectl apply -f $MANIFESTS", |i| {
            assert_eq!(i.value("filename").map(|v| v.dynamic), Some(true));
        });
    }
}
