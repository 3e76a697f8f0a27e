//! What a pipeline job does besides deploying, read once for every rule: whether a step runs
//! tests or lints, whether a job is gated by an environment, whether its steps are partly
//! hidden in something linea cannot follow, which jobs run before it, and which triggers run
//! the pipeline from branches other than main. Deploys are [`crate::semantic::deploy`];
//! conditions are [`crate::semantic::condition`].

use std::borrow::Cow;

use crate::config::Settings;
use crate::lang::pipeline::{Job, Pipeline, Step, StepKind, System, Text, Trigger};
use crate::lang::shell::{Command, Word};
use crate::semantic::command::{effective, runs_lint, runs_tests, test_runner, Tests};
use crate::semantic::condition::Condition;
use crate::source::Span;

/// Whether a command runs the tests: the built-in test runners, a script named for tests
/// (`./scripts/run_tests.sh`), or one of the configured `[layout] test-commands`.
pub fn command_tests(settings: &Settings, c: &Command) -> bool {
    runs_tests(c) || project_tests(settings, c)
}

/// Whether a command runs a Python project's tests: a Python test runner, a `make` target, a
/// script named for tests, or one of the configured `[layout] test-commands` (not `go test`).
pub fn command_tests_python(settings: &Settings, c: &Command) -> bool {
    matches!(test_runner(c), Some(Tests::Python | Tests::Target)) || project_tests(settings, c)
}

/// A test script or a configured test command.
fn project_tests(settings: &Settings, c: &Command) -> bool {
    let Some((name, args)) = effective(c) else { return false };
    let script = |w: &str| {
        let base = w.rsplit('/').next().unwrap_or(w);
        base.ends_with(".sh") && base.contains("test")
    };
    if script(&name.text) || (matches!(name.program(), "bash" | "sh") && args.first().is_some_and(|a| script(&a.text)))
    {
        return true;
    }
    let line: String = std::iter::once(name.program())
        .chain(args.iter().map(|a| a.text.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    // a configured command is what the line runs, not a word in it (`pip install pytest`)
    settings
        .config
        .layout
        .test_commands
        .iter()
        .any(|t| line.starts_with(t.as_str()) && has_word(&line[..t.len().min(line.len())], t))
}

/// Whether `text` contains `word` delimited by non-word characters.
fn has_word(text: &str, word: &str) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    !word.is_empty()
        && text.match_indices(word).any(|(i, _)| {
            let before = text[..i].chars().next_back();
            let after = text[i + word.len()..].chars().next();
            !is_word(before) && !is_word(after)
        })
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Whether a step runs a Python project's tests (see [`command_tests_python`]).
pub fn step_tests_python(settings: &Settings, step: &Step) -> bool {
    step.commands().iter().any(|c| command_tests_python(settings, c))
}

/// Whether a step runs tests: a command that does, or a test task (`PublishTestResults`,
/// `VSTest`, `DotNetCoreCLI test`, Maven/Gradle goals with `test`...).
pub fn step_tests(settings: &Settings, step: &Step) -> bool {
    if step.commands().iter().any(|c| command_tests(settings, c)) {
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

/// Whether a step lints or runs static analysis.
pub fn step_lints(step: &Step) -> bool {
    if step.commands().iter().any(runs_lint) {
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

/// The command lines of a step: its script's commands, and for a Terraform task
/// (`TerraformTaskV4`, `TerraformCLI`) the command it runs, `terraform <command>
/// <commandOptions>`, with its words pointing at the `command` and `commandOptions` inputs.
pub fn command_lines(step: &Step) -> Vec<Cow<'_, Command>> {
    let mut out: Vec<Cow<'_, Command>> = step.commands().iter().map(Cow::Borrowed).collect();
    if let Some(c) = terraform_task(step) {
        out.push(Cow::Owned(c));
    }
    out
}

/// A Terraform task read as the command line it runs.
pub fn terraform_task(step: &Step) -> Option<Command> {
    let tool = step.tool()?.to_ascii_lowercase();
    if !matches!(step.kind, StepKind::Task(_))
        || !(tool.starts_with("terraformtask") || tool.starts_with("terraformcli") || tool == "terraform")
    {
        return None;
    }
    let command = step.input("command")?;
    let word = |text: &str, span: Span| Word {
        text: text.to_string(),
        span,
        dynamic: crate::semantic::command::is_expression(text),
    };
    let mut args = vec![word(command.text.trim(), command.span)];
    if let Some(opts) = step.input("commandOptions") {
        // the options as the shell would split them; each word points at the input
        let parsed = crate::lang::shell::parse(&opts.text, 0);
        for c in parsed.commands.iter().filter(|c| !c.in_substitution) {
            for w in std::iter::once(&c.name).chain(&c.args) {
                args.push(Word {
                    span: opts.span,
                    ..w.clone()
                });
            }
        }
    }
    Some(Command {
        assignments: Vec::new(),
        name: word("terraform", command.span),
        args,
        span: command.span,
        nested: false,
        pipeline: None,
        piped_from: None,
        piped_to: false,
        redirected: false,
        in_substitution: false,
    })
}

/// The variables a step of a job sees, with literal values: the pipeline's (`env:` /
/// `variables:`), the job's, then the step's (`env:`), nearest last.
#[derive(Debug, Default)]
pub struct Variables<'a> {
    scopes: Vec<&'a [(Text, Text)]>,
}

/// Substitution rounds: a value may name another variable, not without end.
const MAX_RESOLVE: usize = 4;

impl<'a> Variables<'a> {
    pub fn of(pipeline: &'a Pipeline, job: &'a Job, step: Option<&'a Step>) -> Variables<'a> {
        let mut scopes = vec![pipeline.variables.as_slice(), job.variables.as_slice()];
        scopes.extend(step.map(|s| s.env.as_slice()));
        Variables { scopes }
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(k, _)| k.text != "group" && k.text.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.text.as_str())
    }

    /// `text` with every variable reference it holds replaced by its value: Azure `$(name)`
    /// and `${{ variables.name }}`, GitHub `${{ env.NAME }}`, shell `$NAME` / `${NAME}`.
    /// `None` when a reference has no literal value (a secret, an output, a parameter).
    pub fn resolve(&self, text: &str) -> Option<String> {
        let mut cur = text.to_string();
        for _ in 0..MAX_RESOLVE {
            if !crate::semantic::command::is_expression(&cur) {
                return Some(cur);
            }
            cur = self.substitute(&cur)?;
        }
        (!crate::semantic::command::is_expression(&cur)).then_some(cur)
    }

    fn substitute(&self, text: &str) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, len) = if let Some(inner) = after.strip_prefix("{{") {
                let end = inner.find("}}")?;
                let expr = inner[..end].trim();
                let name = expr
                    .strip_prefix("env.")
                    .or_else(|| expr.strip_prefix("variables."))
                    .or_else(|| expr.strip_prefix("variables['").and_then(|r| r.strip_suffix("']")))?;
                (name, 2 + end + 2)
            } else if let Some(inner) = after.strip_prefix('(') {
                let end = inner.find(')')?;
                (&inner[..end], 1 + end + 1)
            } else if let Some(inner) = after.strip_prefix('{') {
                let end = inner.find('}')?;
                (&inner[..end], 1 + end + 1)
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            };
            let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if !valid {
                return None;
            }
            out.push_str(self.get(name)?);
            rest = after.get(len..).unwrap_or("");
        }
        out.push_str(rest);
        Some(out)
    }
}

/// Whether the pipeline runs only when another workflow calls it, and no workflow of the
/// repository does: its caller (and the jobs that run before it there) is unknown.
pub fn called_from_elsewhere(pipeline: &Pipeline, role: Option<crate::lang::pipeline::Role>) -> bool {
    role != Some(crate::lang::pipeline::Role::Template)
        && !pipeline.triggers.is_empty()
        && pipeline.triggers.iter().all(|t| t.event == "workflow_call")
}

/// Whether a job's steps are partly unknown: a remote reusable workflow or template that could
/// not be followed. Rules that need to see every step stay silent about such jobs.
pub fn opaque(job: &Job) -> bool {
    job.calls.is_some() || job.steps.iter().any(|s| matches!(s.kind, StepKind::Template(_)))
}

/// The job runs in a deployment environment, where approvals and checks live.
pub fn gated(job: &Job) -> bool {
    job.environment.as_ref().is_some_and(|e| !e.name.text.trim().is_empty())
}

/// Indexes (in `jobs`) of the jobs that must finish before `jobs[at]` starts, transitively:
/// `needs`/`dependsOn`, and for Azure stages every job of the stages the job's stage depends
/// on (the previous stage by default).
pub fn upstream(jobs: &[Job], at: usize) -> Vec<usize> {
    let mut seen = vec![false; jobs.len()];
    let mut out = Vec::new();
    let mut queue: Vec<usize> = vec![at];
    let mut guard = 0;
    while let Some(cur) = queue.pop() {
        guard += 1;
        if guard > 10_000 {
            break;
        }
        let Some(cur) = jobs.get(cur) else { continue };
        let stage = cur.stage.as_ref().map(|s| &s.text);
        for (i, j) in jobs.iter().enumerate() {
            if seen[i] || i == at {
                continue;
            }
            let same_stage = j.stage.as_ref().map(|s| &s.text) == stage;
            // a need names a job, or a job that calls a reusable workflow, whose jobs are
            // named `caller/called`
            let by_need = same_stage
                && cur.needs.iter().any(|n| {
                    j.id.text == n.text
                        || j.id
                            .text
                            .strip_prefix(n.text.as_str())
                            .is_some_and(|r| r.starts_with('/'))
                });
            let by_stage = cur
                .stage_depends_on
                .as_ref()
                .is_some_and(|d| j.stage.as_ref().is_some_and(|s| d.iter().any(|x| x.text == s.text)));
            if by_need || by_stage {
                seen[i] = true;
                out.push(i);
                queue.push(i);
            }
        }
    }
    out
}

fn main_branch(b: &str) -> bool {
    matches!(b.trim_start_matches("refs/heads/"), "main" | "master")
}

/// The trigger that lets the pipeline run from a branch other than main, if any: a push with
/// a branch filter that is not main-only (or none), a pull request, a manual dispatch, a
/// `workflow_run` without a main-only branch filter. Tags, schedules, releases and calls from
/// other workflows do not (the caller is checked).
pub fn other_branch_trigger(pipeline: &Pipeline) -> Option<&Trigger> {
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

/// Whether a condition of the job (or of its stage or calling job) restricts it to main.
pub fn restricted_to_main(system: System, job: &Job) -> bool {
    job.conditions
        .iter()
        .any(|c| Condition::of(system, &c.text).restricts_to_main())
}

/// How a trigger reads in a message.
pub fn trigger_label(t: &Trigger, system: System) -> String {
    match (system, t.event.as_str(), t.implicit) {
        (System::AzurePipelines, "push", true) => "implicit `trigger`".into(),
        (System::AzurePipelines, "pull_request", true) => "implicit `pr`".into(),
        (System::AzurePipelines, "push", false) => "`trigger`".into(),
        (System::AzurePipelines, "pull_request", false) => "`pr`".into(),
        (_, e, _) => format!("`{e}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::shell;

    #[test]
    fn tests_by_command_script_and_configuration() {
        let s = Settings::default();
        let run = |t: &str| command_tests(&s, &shell::parse(t, 0).commands[0]);
        assert!(run("python -m pytest"));
        assert!(run("bash scripts/run_tests.sh"));
        assert!(run("./tests-start.sh"));
        assert!(run("coverage run -m pytest"), "a configured test command");
        assert!(!run("pip install pytest"));
        assert!(has_word("make test", "make test"));
    }

    #[test]
    fn variables_resolve_to_literal_values() {
        let src = "variables:\n  DEV_ENVIRONMENT: dev\n  KEY: aks-$(DEV_ENVIRONMENT).tfstate\njobs:\n  - job: a\n    steps:\n      - script: echo\n";
        let s = crate::lang::yaml::parse(src);
        let p = crate::lang::azure_pipelines::parse(&s.documents[0].root, src, crate::source::FileId(0), "p");
        let job = &p.jobs[0];
        let v = Variables::of(&p, job, None);
        assert_eq!(v.resolve("$(DEV_ENVIRONMENT)").as_deref(), Some("dev"));
        assert_eq!(v.resolve("${{ variables.KEY }}").as_deref(), Some("aks-dev.tfstate"));
        assert_eq!(v.resolve("$DEV_ENVIRONMENT-eu").as_deref(), Some("dev-eu"));
        assert_eq!(v.resolve("$(secretName)"), None);
        assert_eq!(v.resolve("${{ inputs.environment }}"), None);
        assert!(!has_word("make tests-docker", "make test"));
        assert!(has_word("tox -e py312", "tox"));
        assert!(!has_word("detox", "tox"));
    }
}
