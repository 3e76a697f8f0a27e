//! The Azure Pipelines steps template (docs/integrations/azure-pipelines/linea.yml): its
//! parameters expand as Azure expands them (`${{ parameters.x }}`, types and allowed values
//! checked, booleans rendered `True`/`False`), macros (`$(Agent.TempDirectory)`) are replaced,
//! and the steps run in a simulated agent: `bash` steps for real, with the agent's variables as
//! environment and its logging commands (`##vso[...]`) read; the tasks (Cache@2,
//! PublishTestResults@2, PublishBuildArtifacts@1) by stand-ins that check what they were given.
//! linea's own pipeline rules are clean on the template.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use linea::source::node::{Node, NodeValue};

const TEMPLATE: &str = "docs/integrations/azure-pipelines/linea.yml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn to_json(n: &Node) -> serde_json::Value {
    match &n.value {
        NodeValue::Null => serde_json::Value::Null,
        NodeValue::Bool(b) => (*b).into(),
        NodeValue::Number { raw, .. } | NodeValue::Unknown(raw) => raw.clone().into(),
        NodeValue::String(s) => s.clone().into(),
        NodeValue::Seq(items) => items.iter().map(to_json).collect(),
        NodeValue::Map(entries) => entries.iter().map(|e| (e.key.clone(), to_json(&e.value))).collect(),
    }
}

fn template() -> serde_json::Value {
    let text = fs::read_to_string(root().join(TEMPLATE)).expect("the template");
    let stream = linea::lang::yaml::parse(&text);
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    to_json(&stream.documents[0].root)
}

/// A parameter value after expansion.
#[derive(Debug, Clone)]
enum Param {
    Str(String),
    Bool(bool),
}

impl Param {
    /// As Azure writes a value into a string: booleans are `True`/`False`.
    fn text(&self) -> String {
        match self {
            Param::Str(s) => s.clone(),
            Param::Bool(true) => "True".into(),
            Param::Bool(false) => "False".into(),
        }
    }
}

/// The template's parameters with `given` applied, checked like Azure checks them.
fn parameters(t: &serde_json::Value, given: &[(&str, &str)]) -> Result<BTreeMap<String, Param>, String> {
    let mut out = BTreeMap::new();
    let specs = t["parameters"].as_array().expect("parameters is a list");
    for (name, _) in given {
        if !specs.iter().any(|s| s["name"] == *name) {
            return Err(format!("unexpected parameter '{name}'"));
        }
    }
    for spec in specs {
        let name = spec["name"].as_str().expect("name");
        let ty = spec["type"].as_str().unwrap_or("string");
        let raw = given
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| serde_json::Value::from(*v))
            .unwrap_or_else(|| spec["default"].clone());
        if raw.is_null() {
            return Err(format!("a value for the '{name}' parameter must be provided"));
        }
        let value = match ty {
            "boolean" => match raw
                .as_bool()
                .or_else(|| raw.as_str().map(|s| s.eq_ignore_ascii_case("true")))
            {
                Some(b)
                    if raw.is_boolean()
                        || matches!(raw.as_str(), Some(s) if ["true", "false"].contains(&s.to_ascii_lowercase().as_str())) =>
                {
                    Param::Bool(b)
                }
                _ => return Err(format!("the '{name}' parameter value '{raw}' is not a valid Boolean")),
            },
            "string" => Param::Str(raw.as_str().map(str::to_string).unwrap_or_else(|| raw.to_string())),
            other => panic!("parameter type `{other}` is not simulated"),
        };
        if let Some(values) = spec["values"].as_array() {
            if !values.iter().any(|v| v.as_str() == Some(&value.text())) {
                return Err(format!(
                    "the '{name}' parameter value '{}' is not a valid value",
                    value.text()
                ));
            }
        }
        out.insert(name.to_string(), value);
    }
    Ok(out)
}

/// Replace `${{ parameters.x }}`; a scalar that is only that expression takes the value's type.
fn expand(v: &serde_json::Value, params: &BTreeMap<String, Param>) -> serde_json::Value {
    match v {
        serde_json::Value::String(s) => {
            let t = s.trim();
            if let Some(name) = t.strip_prefix("${{ parameters.").and_then(|r| r.strip_suffix(" }}")) {
                if !name.contains("}}") {
                    return match &params[name] {
                        Param::Bool(b) => (*b).into(),
                        Param::Str(s) => s.clone().into(),
                    };
                }
            }
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(at) = rest.find("${{") {
                out.push_str(&rest[..at]);
                let end = rest[at..].find("}}").expect("}}") + at;
                let expr = rest[at + 3..end].trim();
                let name = expr
                    .strip_prefix("parameters.")
                    .unwrap_or_else(|| panic!("template expression `{expr}` is not simulated"));
                out.push_str(
                    &params
                        .get(name)
                        .unwrap_or_else(|| panic!("no parameter `{name}`"))
                        .text(),
                );
                rest = &rest[end + 2..];
            }
            out.push_str(rest);
            out.into()
        }
        serde_json::Value::Array(a) => a.iter().map(|x| expand(x, params)).collect(),
        serde_json::Value::Object(m) => {
            for k in m.keys() {
                assert!(!k.contains("${{"), "conditional insertion `{k}` is not simulated");
            }
            m.iter().map(|(k, x)| (k.clone(), expand(x, params))).collect()
        }
        other => other.clone(),
    }
}

/// `$(Name)` replaced where `Name` is a variable; anything else (bash's `$(cmd)`) is left.
fn macros(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("$(") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find(')') {
            Some(end) if vars.contains_key(&after[..end]) => {
                out.push_str(&vars[&after[..end]]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("$(");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Azure's condition functions, as far as the template uses them.
fn condition(expr: &str, failed: bool) -> bool {
    fn split_args(s: &str) -> Vec<&str> {
        let (mut depth, mut quote, mut start, mut out) = (0, false, 0, Vec::new());
        for (i, c) in s.char_indices() {
            match c {
                '\'' => quote = !quote,
                '(' if !quote => depth += 1,
                ')' if !quote => depth -= 1,
                ',' if !quote && depth == 0 => {
                    out.push(s[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(s[start..].trim());
        out
    }
    fn eval(e: &str, failed: bool) -> String {
        let e = e.trim();
        if let Some(q) = e.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            return q.to_string();
        }
        let (name, args) = e
            .split_once('(')
            .unwrap_or_else(|| panic!("condition `{e}` is not simulated"));
        let args = split_args(args.strip_suffix(')').expect(")"));
        let b = |v: bool| if v { "True".to_string() } else { "False".to_string() };
        let truth = |s: &str| eval(s, failed) == "True";
        match name {
            "succeeded" => b(!failed),
            "failed" => b(failed),
            "succeededOrFailed" | "always" => b(true),
            "and" => b(args.iter().all(|a| truth(a))),
            "or" => b(args.iter().any(|a| truth(a))),
            "not" => b(!truth(args[0])),
            // string comparison ignores case in Azure's expressions
            "eq" => b(eval(args[0], failed).eq_ignore_ascii_case(&eval(args[1], failed))),
            "ne" => b(!eval(args[0], failed).eq_ignore_ascii_case(&eval(args[1], failed))),
            other => panic!("function `{other}` is not simulated"),
        }
    }
    eval(expr, failed) == "True"
}

/// What one job running the template did.
struct JobRun {
    failed: bool,
    log: String,
    variables: BTreeMap<String, String>,
    tasks: Vec<(String, BTreeMap<String, String>)>,
    summaries: Vec<PathBuf>,
}

struct Agent {
    dir: tempfile::TempDir,
}

impl Agent {
    fn new() -> Agent {
        let dir = tempfile::tempdir().expect("temp dir");
        // `w/s` is the checkout: a repository root, so no config above the temp dir applies
        for d in ["w/s/.git", "w/_temp", "w/a", "bin", "cache"] {
            fs::create_dir_all(dir.path().join(d)).expect("mkdir");
        }
        let cargo = dir.path().join("bin/cargo");
        fs::write(
            &cargo,
            format!(
                "#!/usr/bin/env bash\nset -e\necho \"$@\" >> \"{log}\"\nroot=\"\"\nwhile [ $# -gt 0 ]; do\n  \
                 if [ \"$1\" = --root ]; then root=\"$2\"; fi\n  shift\ndone\nmkdir -p \"$root/bin\"\n\
                 cp \"{linea}\" \"$root/bin/linea\"\n",
                log = dir.path().join("cargo.log").display(),
                linea = env!("CARGO_BIN_EXE_linea"),
            ),
        )
        .expect("write cargo");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&cargo, fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        Agent { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn sources(&self, files: &[(&str, &str)]) {
        for (p, text) in files {
            let p = self.path("w/s").join(p);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(p, text).expect("write");
        }
    }

    fn cargo_calls(&self) -> usize {
        fs::read_to_string(self.path("cargo.log"))
            .unwrap_or_default()
            .lines()
            .count()
    }

    fn run(&self, given: &[(&str, &str)]) -> Result<JobRun, String> {
        let t = template();
        let mut given: Vec<(&str, &str)> = given.to_vec();
        let source = root().display().to_string();
        if !given.iter().any(|(n, _)| *n == "source") {
            given.push(("source", &source));
        }
        let params = parameters(&t, &given)?;
        let steps = expand(&t["steps"], &params);
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in [
            ("Agent.OS", "Linux".to_string()),
            ("Agent.OSArchitecture", "X64".to_string()),
            ("Pipeline.Workspace", self.path("w").display().to_string()),
            ("Build.SourcesDirectory", self.path("w/s").display().to_string()),
            ("Agent.TempDirectory", self.path("w/_temp").display().to_string()),
            ("Build.ArtifactStagingDirectory", self.path("w/a").display().to_string()),
        ] {
            vars.insert(k.to_string(), v);
        }
        let mut path_prefix = vec![self.path("bin").display().to_string()];
        let mut failed = false;
        let mut log = String::new();
        let mut tasks = Vec::new();
        let mut summaries = Vec::new();
        let mut to_save: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (i, step) in steps.as_array().expect("steps").iter().enumerate() {
            let cond = step["condition"].as_str().unwrap_or("succeeded()");
            if !condition(cond, failed) {
                continue;
            }
            if let Some(task) = step["task"].as_str() {
                let inputs: BTreeMap<String, String> = step["inputs"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| {
                                (
                                    k.clone(),
                                    macros(&v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()), &vars),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                match task {
                    "Cache@2" => {
                        // the key's file and glob segments are hashed by the task; the
                        // stand-in keys by the text and by the source's Cargo.lock
                        let lock = fs::read(root().join("Cargo.lock")).expect("Cargo.lock");
                        let name = format!("{:x}", inputs["key"].len() + lock.len());
                        let store = self.path("cache").join(name);
                        let path = PathBuf::from(&inputs["path"]);
                        let hit = store.is_dir();
                        if hit {
                            copy_dir(&store, &path);
                        } else {
                            to_save.push((path, store));
                        }
                        vars.insert(inputs["cacheHitVar"].clone(), hit.to_string());
                    }
                    "PublishTestResults@2" => {
                        assert_eq!(inputs["testResultsFormat"], "JUnit");
                        let xml = fs::read_to_string(&inputs["testResultsFiles"])
                            .map_err(|e| format!("no test results: {e}"))?;
                        quick_junit::Report::deserialize_from_str(&xml).map_err(|e| format!("JUnit: {e}"))?;
                    }
                    "PublishBuildArtifacts@1" => {
                        assert_eq!(inputs["ArtifactName"], "CodeAnalysisLogs");
                        let sarif = Path::new(&inputs["PathtoPublish"]).join("linea.sarif");
                        let text = fs::read_to_string(&sarif).map_err(|e| format!("no SARIF: {e}"))?;
                        let _: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                    }
                    other => panic!("task `{other}` is not simulated"),
                }
                tasks.push((task.to_string(), inputs));
                continue;
            }
            let script = step["bash"].as_str().expect("a bash or task step");
            let script_file = self.path(&format!("step-{i}.sh"));
            fs::write(&script_file, macros(script, &vars)).expect("script");
            let dir = step["workingDirectory"]
                .as_str()
                .map(|d| PathBuf::from(macros(d, &vars)))
                .unwrap_or_else(|| self.path("w/s"));
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc"])
                .arg(&script_file)
                .current_dir(dir)
                .env_clear();
            let system_path = std::env::var("PATH").unwrap_or_default();
            cmd.env("PATH", format!("{}:{system_path}", path_prefix.join(":")))
                .env("HOME", self.dir.path())
                .env("TF_BUILD", "True");
            // every variable is also in the environment: `Agent.TempDirectory` → AGENT_TEMPDIRECTORY
            for (k, v) in &vars {
                cmd.env(k.replace('.', "_").to_ascii_uppercase(), v);
            }
            if let Some(env) = step["env"].as_object() {
                for (k, v) in env {
                    let v = match v {
                        serde_json::Value::Null => String::new(),
                        serde_json::Value::String(s) => macros(s, &vars),
                        other => other.to_string(),
                    };
                    cmd.env(k, v);
                }
            }
            let out = cmd.output().expect("run bash");
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            log.push_str(&stdout);
            log.push_str(&String::from_utf8_lossy(&out.stderr));
            for line in stdout.lines() {
                let Some(cmd) = line.strip_prefix("##vso[") else {
                    continue;
                };
                let (head, value) = cmd.split_once(']').unwrap_or((cmd, ""));
                let (name, props) = head.split_once(' ').unwrap_or((head, ""));
                match name {
                    "task.prependpath" => path_prefix.insert(0, value.to_string()),
                    "task.uploadsummary" => summaries.push(PathBuf::from(value)),
                    "task.setvariable" => {
                        let var = props
                            .split(';')
                            .find_map(|p| p.strip_prefix("variable="))
                            .expect("variable=");
                        let step_name = step["name"].as_str().unwrap_or("");
                        vars.insert(format!("{step_name}.{var}"), value.to_string());
                    }
                    "task.logissue" => {}
                    other => panic!("logging command `{other}` is not simulated"),
                }
            }
            if !out.status.success() {
                failed = true;
            }
        }
        // Cache@2's post-job step saves what a miss built
        if !failed {
            for (path, store) in to_save {
                if path.is_dir() {
                    copy_dir(&path, &store);
                }
            }
        }
        Ok(JobRun {
            failed,
            log,
            variables: vars,
            tasks,
            summaries,
        })
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let mut stack = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((f, t)) = stack.pop() {
        fs::create_dir_all(&t).expect("mkdir");
        for e in fs::read_dir(&f).expect("read dir") {
            let e = e.expect("entry");
            let dest = t.join(e.file_name());
            if e.file_type().expect("type").is_dir() {
                stack.push((e.path(), dest));
            } else {
                fs::copy(e.path(), &dest).expect("copy");
            }
        }
    }
}

const BAD_DOCKERFILE: &str = "FROM python:latest\nUSER root\nCMD [\"python\", \"-m\", \"app\"]\n";
const GOOD_CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments-api\n  namespace: payments\ndata:\n  LOG_LEVEL: info\n";

#[test]
fn parameters_are_typed_and_checked() {
    let t = template();
    let p = parameters(&t, &[]).expect("defaults expand");
    assert_eq!(p["paths"].text(), ".");
    assert_eq!(p["failOn"].text(), "");
    assert_eq!(p["publishTests"].text(), "True");
    assert!(
        parameters(&t, &[("failOn", "critical")]).is_err(),
        "not one of the values"
    );
    assert!(parameters(&t, &[("publishSarif", "maybe")]).is_err(), "not a boolean");
    assert!(parameters(&t, &[("path", "src")]).is_err(), "no such parameter");
    let steps = expand(
        &t["steps"],
        &parameters(&t, &[("source", "/src/linea"), ("publishTests", "false")]).expect("ok"),
    );
    let text = steps.to_string();
    assert!(!text.contains("${{"), "{text}");
    assert!(
        text.contains("/src/linea/Cargo.lock"),
        "the cache key hashes the source: {text}"
    );
    assert!(text.contains("eq('False', 'true')"), "{text}");
    assert!(!condition("and(succeededOrFailed(), eq('False', 'true'))", false));
    assert!(condition("and(succeededOrFailed(), eq('True', 'true'))", true));
}

#[test]
fn linea_pipeline_rules_are_clean_on_the_template() {
    let out = Command::new(env!("CARGO_BIN_EXE_linea"))
        .current_dir(root())
        .args(["check", "-f", "concise", TEMPLATE])
        .output()
        .expect("run linea");
    assert_eq!(
        (out.status.code(), String::from_utf8_lossy(&out.stdout).as_ref()),
        (Some(0), "")
    );
}

#[test]
fn steps_install_check_and_publish() {
    let agent = Agent::new();
    agent.sources(&[
        ("services/api/Dockerfile", BAD_DOCKERFILE),
        ("k8s/config.yaml", GOOD_CONFIGMAP),
    ]);

    let first = agent.run(&[]).expect("expands");
    // shown with `--no-capture`: what a user sees in the build log
    eprintln!(
        "--- build log ---\n{}--- tasks: {:?}\n--- lineaExitCode: {:?}",
        first.log,
        first.tasks.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        first.variables.get("linea.lineaExitCode")
    );
    assert_eq!(agent.cargo_calls(), 1, "{}", first.log);
    assert!(first.failed, "findings fail the job: {}", first.log);
    assert_eq!(first.variables["linea.lineaExitCode"], "1");
    assert!(
        first.log.contains("##vso[task.logissue type=error]linea exited with 1"),
        "{}",
        first.log
    );
    let names: Vec<&str> = first.tasks.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        names,
        ["Cache@2", "PublishTestResults@2", "PublishBuildArtifacts@1"],
        "published even though the check failed"
    );
    let junit = fs::read_to_string(agent.path("w/_temp/linea/linea.junit.xml")).expect("junit");
    assert!(junit.contains("<testsuite name=\"services/api/Dockerfile\""), "{junit}");
    assert!(junit.contains("DF001 image-tag-latest #"), "{junit}");
    let sarif = fs::read_to_string(agent.path("w/_temp/linea/CodeAnalysisLogs/linea.sarif")).expect("sarif");
    assert!(sarif.contains("\"uri\": \"services/api/Dockerfile\""), "{sarif}");
    assert_eq!(first.summaries.len(), 1);
    let summary = fs::read_to_string(&first.summaries[0]).expect("summary");
    assert!(
        summary.contains("| DF001 | image-tag-latest | error | 1 |"),
        "{summary}"
    );

    // a failed job saves no cache; a passing one does, and the next run restores it
    let clean = agent.run(&[("paths", "k8s"), ("failOn", "error")]).expect("expands");
    assert!(!clean.failed, "{}", clean.log);
    assert_eq!(clean.variables["linea.lineaExitCode"], "0");
    assert_eq!(agent.cargo_calls(), 2);
    let again = agent
        .run(&[("paths", "k8s"), ("publishTests", "false"), ("publishSarif", "false")])
        .expect("expands");
    assert_eq!(agent.cargo_calls(), 2, "restored from the cache: {}", again.log);
    assert!(again.log.contains("linea restored from the cache"), "{}", again.log);
    assert!(again.tasks.iter().all(|(t, _)| t == "Cache@2"), "publishing is off");

    // failOn and baseline reach linea
    let warn_only = agent
        .run(&[
            ("paths", "services"),
            ("failOn", "error"),
            ("args", "--ignore DF001,DF003,XR001"),
        ])
        .expect("expands");
    assert_eq!(warn_only.variables["linea.lineaExitCode"], "0", "{}", warn_only.log);
    let baseline = agent.path("w/s/linea-baseline.json");
    let out = Command::new(env!("CARGO_BIN_EXE_linea"))
        .current_dir(agent.path("w/s"))
        .args(["check", "--write-baseline"])
        .arg(&baseline)
        .output()
        .expect("write baseline");
    assert!(out.status.success());
    let adopted = agent.run(&[("baseline", "linea-baseline.json")]).expect("expands");
    assert_eq!(adopted.variables["linea.lineaExitCode"], "0", "{}", adopted.log);
}
