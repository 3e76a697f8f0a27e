//! Azure Pipelines YAML as a [`Pipeline`]: `trigger`/`pr` (none, a branch list, or
//! `branches: {include, exclude}`), the three shapes (steps only, jobs only, stages), `dependsOn`,
//! `condition`, deployment jobs (`environment` as a string or `{name, resourceName}`, and the
//! `deploy.steps` of `runOnce`/`rolling`/`canary` strategies), `task:` steps with `inputs`,
//! `script`/`bash`/`pwsh`/`powershell` steps, `variables` (list, map, groups) and container
//! resources. Template references are recorded for the project index to follow.

use crate::lang::pipeline::script::Shell;
use crate::lang::pipeline::{
    container_image, pairs, texts, EnvironmentRef, Job, Pipeline, Role, Script, Step, StepKind, System, Text, Trigger,
};
use crate::source::{FileId, Node, NodeValue, Span};

/// Bound on nested `${{ if }}` blocks followed when flattening lists.
const MAX_DEPTH: usize = 8;

/// Whether a YAML document has the shape of an Azure pipeline (or pipeline template): a
/// `trigger`/`pr`/`stages`/`jobs`/`steps` key at the root, no `apiVersion`/`kind`, and the lists
/// it has are lists of maps that look like stages, jobs or steps.
pub fn is_pipeline(root: &Node) -> bool {
    if !root.is_map() || root.get("apiVersion").is_some() || root.get("kind").is_some() {
        return false;
    }
    let list_of = |key: &str, marks: &[&str]| -> Option<bool> {
        let items = flatten(root.get(key)?);
        Some(
            !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.is_map() && i.entries().iter().any(|e| marks.contains(&e.key.as_str()))),
        )
    };
    let shapes = [
        list_of("stages", &["stage", "template"]),
        list_of("jobs", &["job", "deployment", "template"]),
        list_of("steps", STEP_KEYS),
    ];
    if shapes.contains(&Some(false)) {
        return false;
    }
    if shapes.contains(&Some(true)) {
        return true;
    }
    // a trigger-only file (e.g. `extends:` a template) is still a pipeline
    (root.get("trigger").is_some() || root.get("pr").is_some()) && root.get("extends").is_some()
}

const STEP_KEYS: &[&str] = &[
    "script",
    "bash",
    "pwsh",
    "powershell",
    "task",
    "template",
    "checkout",
    "download",
    "publish",
    "downloadBuild",
    "getPackage",
    "reviewApp",
];

/// List items, with `${{ if … }}:` / `${{ each … }}:` blocks flattened into their items.
fn flatten(list: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Node, usize)> = list.items().iter().rev().map(|n| (n, 0)).collect();
    while let Some((n, depth)) = stack.pop() {
        let is_expr_block = n.entries().len() == 1 && n.entries().iter().all(|e| e.key.starts_with("${{"));
        if is_expr_block && depth < MAX_DEPTH {
            for e in n.entries() {
                stack.extend(e.value.items().iter().rev().map(|i| (i, depth + 1)));
            }
        } else {
            out.push(n);
        }
    }
    out
}

/// Read one pipeline document.
pub fn parse(root: &Node, source: &str, file: FileId, stem: &str) -> Pipeline {
    let mut p = Pipeline::new(System::AzurePipelines, Role::Pipeline, file, root);
    p.triggers_key = root.entry("trigger").map(|e| e.key_span);
    p.variables = variables(root.get("variables"));
    p.extends = root.at("extends.template").and_then(Text::of);
    let header = p.header;
    for (key, event) in [("trigger", "push"), ("pr", "pull_request")] {
        match root.entry(key) {
            Some(e) => {
                if let Some(t) = trigger(event, e.key_span, &e.value) {
                    p.triggers.push(t);
                }
            }
            None => {
                let mut t = Trigger::new(event, header);
                t.implicit = true;
                p.triggers.push(t);
            }
        }
    }
    for c in root.at("resources.containers").map(Node::items).unwrap_or(&[]) {
        if let (Some(alias), Some(image)) = (c.get("container").and_then(Text::of), c.get("image").and_then(Text::of)) {
            p.container_resources.push((alias, image));
        }
    }
    let cx = Cx { source, file };
    if let Some(stages) = root.get("stages") {
        let mut prev: Option<Text> = None;
        for st in flatten(stages) {
            let name = st.get("stage").and_then(Text::of);
            let header = st.entries().first().map(|e| e.key_span).unwrap_or(st.span);
            let stage_name = name.clone().or_else(|| st.get("template").and_then(Text::of));
            let depends = match st.get("dependsOn") {
                Some(d) => Some(texts(d)),
                // Azure runs stages in order unless told otherwise
                None => Some(prev.iter().cloned().collect()),
            };
            let mut conds: Vec<Text> = st.get("condition").and_then(Text::of).into_iter().collect();
            conds.retain(|c| !c.text.is_empty());
            if let Some(t) = st.get("template").and_then(Text::of) {
                let mut j = empty_job(file, Text::new(t.text.clone(), header), st);
                j.stage = stage_name.clone();
                j.stage_depends_on = depends;
                j.conditions = conds;
                j.calls = Some(t);
                p.jobs.push(j);
            } else if let Some(jobs) = st.get("jobs") {
                for mut j in cx.jobs(jobs) {
                    j.stage = stage_name.clone();
                    j.stage_depends_on = depends.clone();
                    let mut all = conds.clone();
                    all.append(&mut j.conditions);
                    j.conditions = all;
                    let mut vars = variables(st.get("variables"));
                    vars.append(&mut j.variables);
                    j.variables = vars;
                    p.jobs.push(j);
                }
            }
            prev = stage_name;
        }
    } else if let Some(jobs) = root.get("jobs") {
        p.jobs = cx.jobs(jobs);
    } else if let Some(steps) = root.get("steps") {
        let mut j = empty_job(file, Text::new(stem, header), root);
        j.steps = cx.steps(steps);
        j.containers = root.get("container").and_then(container_image).into_iter().collect();
        p.jobs.push(j);
    }
    // a container alias names a `resources.containers` entry
    for j in &mut p.jobs {
        for c in &mut j.containers {
            if let Some((_, image)) = p.container_resources.iter().find(|(a, _)| a.text == c.text) {
                *c = image.clone();
            }
        }
    }
    p
}

fn trigger(event: &str, key_span: Span, v: &Node) -> Option<Trigger> {
    let mut t = Trigger::new(event, key_span);
    match &v.value {
        NodeValue::String(s) if s == "none" => return None,
        NodeValue::Seq(_) => t.branches = texts(v),
        NodeValue::Map(_) => {
            if let Some(b) = v.get("branches") {
                if b.is_seq() {
                    t.branches = texts(b);
                } else {
                    t.branches = b.get("include").map(texts).unwrap_or_default();
                    t.branches_ignore = b.get("exclude").map(texts).unwrap_or_default();
                }
            }
            t.tags = v.at("tags.include").map(texts).unwrap_or_default();
            if v.get("enabled").and_then(Node::as_bool) == Some(false) {
                return None;
            }
        }
        _ => {}
    }
    Some(t)
}

/// `variables:` as a map or a list of `{name, value}` / `{group}` / `{template}`.
fn variables(node: Option<&Node>) -> Vec<(Text, Text)> {
    let Some(node) = node else { return Vec::new() };
    if node.is_map() {
        return pairs(Some(node));
    }
    let mut out = Vec::new();
    for item in flatten(node) {
        if let (Some(n), Some(v)) = (
            item.get("name").and_then(Text::of),
            item.get("value").and_then(Text::of),
        ) {
            out.push((n, v));
        } else if let Some(g) = item.get("group").and_then(Text::of) {
            let key = item.entry("group").map(|e| e.key_span).unwrap_or(g.span);
            out.push((Text::new("group", key), g));
        }
    }
    out
}

/// A job with nothing but its id and Azure's `displayName` (stage templates, steps-only files).
fn empty_job(file: FileId, id: Text, node: &Node) -> Job {
    Job {
        display_name: node.get("displayName").and_then(Text::of),
        ..Job::new(file, id, node)
    }
}

struct Cx<'a> {
    source: &'a str,
    file: FileId,
}

impl Cx<'_> {
    fn jobs(&self, list: &Node) -> Vec<Job> {
        let mut out = Vec::new();
        for jn in flatten(list) {
            let Some(first) = jn.entries().first() else { continue };
            let (id_key, deployment) = if jn.get("deployment").is_some() {
                ("deployment", true)
            } else if jn.get("job").is_some() {
                ("job", false)
            } else {
                ("template", false)
            };
            let id = jn
                .get(id_key)
                .and_then(Text::of)
                .unwrap_or_else(|| Text::new(first.key.clone(), first.key_span));
            let mut j = empty_job(self.file, id, jn);
            j.header = jn.entry(id_key).map(|e| e.key_span).unwrap_or(first.key_span);
            j.deployment = deployment;
            j.needs = jn.get("dependsOn").map(texts).unwrap_or_default();
            j.conditions = jn.get("condition").and_then(Text::of).into_iter().collect();
            j.variables = variables(jn.get("variables"));
            j.containers = jn.get("container").and_then(container_image).into_iter().collect();
            j.environment = jn.get("environment").and_then(|env| match &env.value {
                NodeValue::Map(_) => env.get("name").and_then(Text::of).map(|name| EnvironmentRef {
                    name,
                    resource: env.get("resourceName").and_then(Text::of),
                }),
                _ => Text::of(env).map(|name| {
                    // `environment: prod.my-namespace` names an environment resource
                    match name.text.split_once('.') {
                        Some((env_name, res)) => EnvironmentRef {
                            name: Text::new(env_name, name.span),
                            resource: Some(Text::new(res, name.span)),
                        },
                        None => EnvironmentRef { name, resource: None },
                    }
                }),
            });
            if id_key == "template" {
                j.calls = jn.get("template").and_then(Text::of);
            }
            if let Some(steps) = jn.get("steps") {
                j.steps = self.steps(steps);
            }
            if deployment {
                // every lifecycle hook of every strategy runs steps of the deployment
                if let Some(strategy) = jn.get("strategy") {
                    for s in strategy.entries() {
                        for hook in s.value.entries() {
                            if let Some(steps) = hook.value.get("steps") {
                                j.steps.extend(self.steps(steps));
                            }
                            for on in hook.value.entries().iter().filter(|_| hook.key == "on") {
                                if let Some(steps) = on.value.get("steps") {
                                    j.steps.extend(self.steps(steps));
                                }
                            }
                        }
                    }
                }
            }
            out.push(j);
        }
        out
    }

    fn steps(&self, list: &Node) -> Vec<Step> {
        let mut out = Vec::new();
        for s in flatten(list) {
            let Some(first) = s.entries().first() else { continue };
            let mut script = None;
            let kind = if let Some(t) = s.get("task").and_then(Text::of) {
                // inline scripts of script tasks are shell too
                let inline = ["inlineScript", "script"]
                    .iter()
                    .find_map(|k| s.get("inputs").and_then(|i| i.get(k)));
                let shell = match s.at("inputs.scriptType").and_then(Node::as_str) {
                    Some("ps" | "pscore" | "powershell") => Shell::PowerShell,
                    _ => Shell::Bash,
                };
                script = inline.and_then(|n| Script::from_node(n, self.source, shell));
                StepKind::Task(t)
            } else if let Some(t) = s.get("template").and_then(Text::of) {
                StepKind::Template(t)
            } else if let Some((key, body)) = ["script", "bash", "pwsh", "powershell"]
                .iter()
                .find_map(|k| s.get(k).map(|b| (*k, b)))
            {
                let shell = if key == "pwsh" || key == "powershell" {
                    Shell::PowerShell
                } else {
                    Shell::Bash
                };
                script = Script::from_node(body, self.source, shell);
                StepKind::Script
            } else {
                StepKind::Other(first.key.clone())
            };
            out.push(Step {
                file: self.file,
                span: s.span,
                header: first.key_span,
                name: s.get("displayName").or_else(|| s.get("name")).and_then(Text::of),
                kind,
                inputs: pairs(s.get("inputs")),
                env: pairs(s.get("env")),
                condition: s.get("condition").and_then(Text::of),
                script,
                node: s.clone(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::yaml;

    fn read(src: &str) -> Pipeline {
        let s = yaml::parse(src);
        assert!(is_pipeline(&s.documents[0].root));
        parse(&s.documents[0].root, src, FileId(0), "azure-pipelines")
    }

    #[test]
    fn stages_and_deployment_jobs() {
        let src = r#"trigger:
  branches:
    include: [main]
pr: none
stages:
  - stage: Build
    jobs:
      - job: test
        steps:
          - script: pytest
  - stage: Prod
    condition: eq(variables['Build.SourceBranch'], 'refs/heads/main')
    jobs:
      - deployment: deploy_aks
        environment: production.shop
        strategy:
          runOnce:
            deploy:
              steps:
                - task: KubernetesManifest@1
                  inputs:
                    action: deploy
                    namespace: shop
                - template: steps/verify.yml
"#;
        let p = read(src);
        assert_eq!(p.triggers.len(), 1);
        assert_eq!(p.triggers[0].branches[0].text, "main");
        let d = &p.jobs[1];
        assert!(d.deployment);
        assert_eq!(d.stage.as_ref().unwrap().text, "Prod");
        assert_eq!(d.stage_depends_on.as_ref().unwrap()[0].text, "Build");
        assert_eq!(d.environment.as_ref().unwrap().name.text, "production");
        assert_eq!(d.steps.len(), 2);
        assert_eq!(d.steps[0].input("namespace").unwrap().text, "shop");
        assert!(matches!(d.steps[1].kind, StepKind::Template(_)));
        assert_eq!(d.conditions.len(), 1);
    }

    #[test]
    fn steps_only_and_look_alikes() {
        let p = read("steps:\n  - bash: terraform plan -out tfplan\n");
        assert_eq!(p.jobs[0].steps[0].commands()[0].name.program(), "terraform");
        assert!(p.triggers.iter().all(|t| t.implicit));
        for not in [
            "steps: [1, 2]\n",
            "jobs: {a: 1}\n",
            "apiVersion: v1\nkind: Pod\nsteps: []\n",
            "stages: [dev, prod]\n",
        ] {
            let s = yaml::parse(not);
            assert!(!is_pipeline(&s.documents[0].root), "{not}");
        }
    }
}
