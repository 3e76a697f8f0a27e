//! GitHub Actions workflows (`.github/workflows/*.yml`) and composite actions (`action.yml`) as a
//! [`Pipeline`]: triggers (`on:` as a string, list or map), permissions, jobs with `needs`,
//! `if`, `environment`, `concurrency`, `container`/`services`, and steps with
//! `uses`/`run`/`with`/`env`/`shell`. A job-level `uses: ./path.yml` is recorded in
//! [`Job::calls`] for the project index to follow.

use crate::lang::pipeline::script::Shell;
use crate::lang::pipeline::{
    container_image, pairs, texts, EnvironmentRef, Job, Permissions, Pipeline, Role, Script, Step, StepKind, System,
    Text, Trigger,
};
use crate::source::{FileId, Node, NodeValue, Span};

/// Read one workflow (or, with `action`, composite action) document.
pub fn parse(root: &Node, source: &str, file: FileId, action: bool) -> Pipeline {
    let role = if action { Role::Action } else { Role::Pipeline };
    let mut p = Pipeline::new(System::GithubActions, role, file, root);
    p.permissions = permissions(root);
    p.variables = pairs(root.get("env"));
    // YAML 1.1 readers turn `on` into `true`; ours keeps it a string, but accept both
    if let Some(on) = root.entries().iter().find(|e| e.key == "on" || e.key == "true") {
        p.triggers_key = Some(on.key_span);
        p.triggers = triggers(&on.value);
    }
    if action {
        let steps = root
            .at("runs.steps")
            .map(|s| steps(s, source, file, None))
            .unwrap_or_default();
        if !steps.is_empty() {
            let runs = root.entry("runs").map(|e| e.key_span).unwrap_or(p.header);
            let mut j = Job::new(file, Text::new("composite", runs), root.get("runs").unwrap_or(root));
            j.steps = steps;
            p.jobs.push(j);
        }
    } else if let Some(jobs) = root.get("jobs") {
        let default_shell = root.at("defaults.run.shell").and_then(Node::as_str);
        for e in jobs.entries() {
            p.jobs
                .push(job(e.key.clone(), e.key_span, &e.value, source, file, default_shell));
        }
    }
    p
}

fn triggers(on: &Node) -> Vec<Trigger> {
    match &on.value {
        NodeValue::String(s) => vec![Trigger::new(s, on.span)],
        NodeValue::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(|s| Trigger::new(s, i.span)))
            .collect(),
        NodeValue::Map(entries) => entries
            .iter()
            .map(|e| {
                let mut t = Trigger::new(&e.key, e.key_span);
                let v = &e.value;
                t.branches = v.get("branches").map(texts).unwrap_or_default();
                t.branches_ignore = v.get("branches-ignore").map(texts).unwrap_or_default();
                t.tags = v.get("tags").map(texts).unwrap_or_default();
                t.workflows = v.get("workflows").map(texts).unwrap_or_default();
                t
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn permissions(node: &Node) -> Option<Permissions> {
    let e = node.entry("permissions")?;
    Some(Permissions {
        span: e.value.span,
        key_span: e.key_span,
        shorthand: e.value.as_str().map(str::to_string),
        scopes: pairs(Some(&e.value)),
    })
}

fn job(id: String, key_span: Span, node: &Node, source: &str, file: FileId, default_shell: Option<&str>) -> Job {
    let environment = node.get("environment").and_then(|env| match &env.value {
        NodeValue::Map(_) => env
            .get("name")
            .and_then(Text::of)
            .map(|name| EnvironmentRef { name, resource: None }),
        _ => Text::of(env).map(|name| EnvironmentRef { name, resource: None }),
    });
    let mut containers = Vec::new();
    if let Some(c) = node.get("container") {
        containers.extend(container_image(c));
    }
    for svc in node.get("services").map(Node::entries).unwrap_or(&[]) {
        containers.extend(container_image(&svc.value));
    }
    let shell = node.at("defaults.run.shell").and_then(Node::as_str).or(default_shell);
    Job {
        display_name: node.get("name").and_then(Text::of),
        needs: node.get("needs").map(texts).unwrap_or_default(),
        conditions: node.get("if").and_then(Text::of).into_iter().collect(),
        environment,
        containers,
        permissions: permissions(node),
        concurrency: node
            .get("concurrency")
            .and_then(|c| Text::of(c).or_else(|| c.get("group").and_then(Text::of))),
        calls: node.get("uses").and_then(Text::of),
        variables: pairs(node.get("env")),
        steps: node
            .get("steps")
            .map(|s| steps(s, source, file, shell))
            .unwrap_or_default(),
        working_directory: node.at("defaults.run.working-directory").and_then(Text::of),
        ..Job::new(file, Text::new(id, key_span), node)
    }
}

fn shell_of(name: Option<&str>) -> Shell {
    match name.map(|s| s.split_whitespace().next().unwrap_or("")) {
        None | Some("bash" | "sh") => Shell::Bash,
        Some("pwsh" | "powershell") => Shell::PowerShell,
        Some(_) => Shell::Other,
    }
}

fn steps(list: &Node, source: &str, file: FileId, default_shell: Option<&str>) -> Vec<Step> {
    list.items()
        .iter()
        .filter(|s| s.is_map())
        .map(|s| {
            let header = s.entries().first().map(|e| e.key_span).unwrap_or(s.span);
            let mut inputs = pairs(s.get("with"));
            let (kind, script) = if let Some(run) = s.get("run") {
                let shell = shell_of(s.get("shell").and_then(Node::as_str).or(default_shell));
                (StepKind::Script, Script::from_node(run, source, shell))
            } else if let Some(uses) = s.get("uses").and_then(Text::of) {
                // actions/github-script runs its `script` input as JavaScript: keep it as text
                // so expression rules see it, without shell commands; azure/cli and
                // azure/powershell run their `inlineScript` in bash and PowerShell
                let action = uses.text.split('@').next().unwrap_or("").to_ascii_lowercase();
                let script = match action.as_str() {
                    "actions/github-script" => s
                        .at("with.script")
                        .and_then(|n| Script::from_node(n, source, Shell::Other)),
                    "azure/cli" => s
                        .at("with.inlineScript")
                        .and_then(|n| Script::from_node(n, source, Shell::Bash)),
                    "azure/powershell" => s
                        .at("with.inlineScript")
                        .and_then(|n| Script::from_node(n, source, Shell::PowerShell)),
                    _ => None,
                };
                (StepKind::Action(uses), script)
            } else {
                (
                    StepKind::Other(s.entries().first().map(|e| e.key.clone()).unwrap_or_default()),
                    None,
                )
            };
            inputs.retain(|(k, _)| !k.text.is_empty());
            Step {
                file,
                span: s.span,
                header,
                name: s.get("name").and_then(Text::of),
                kind,
                inputs,
                env: pairs(s.get("env")),
                condition: s.get("if").and_then(Text::of),
                script,
                node: s.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::yaml;

    #[test]
    fn reads_a_workflow() {
        let src = r#"name: deploy
on:
  push:
    branches: [main]
  pull_request_target:
permissions: write-all
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pytest -q
  deploy:
    needs: test
    if: github.ref == 'refs/heads/main'
    environment:
      name: production
      url: https://shop.example.com
    container: python:3.12
    uses: ./.github/workflows/deploy.yml
"#;
        let s = yaml::parse(src);
        let p = parse(&s.documents[0].root, src, FileId(0), false);
        assert_eq!(p.triggers.len(), 2);
        assert_eq!(p.triggers[0].branches[0].text, "main");
        assert!(p.runs_on_pull_requests());
        assert_eq!(p.permissions.as_ref().unwrap().shorthand.as_deref(), Some("write-all"));
        let deploy = &p.jobs[1];
        assert_eq!(deploy.needs[0].text, "test");
        assert_eq!(deploy.environment.as_ref().unwrap().name.text, "production");
        assert_eq!(deploy.containers[0].span.slice(src), "python:3.12");
        assert_eq!(deploy.calls.as_ref().unwrap().text, "./.github/workflows/deploy.yml");
        assert_eq!(p.jobs[0].steps[1].commands()[0].name.program(), "pytest");
    }

    #[test]
    fn on_as_string_and_list() {
        for (src, n) in [("on: push\njobs: {}\n", 1), ("on: [push, pull_request]\njobs: {}\n", 2)] {
            let s = yaml::parse(src);
            let p = parse(&s.documents[0].root, src, FileId(0), false);
            assert_eq!(p.triggers.len(), n);
        }
    }
}
