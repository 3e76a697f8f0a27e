//! The GitHub Action (`action.yml`): its metadata validates against the published schema for
//! action metadata (vendored in tests/schemas), linea's own CI rules find nothing in it, and
//! its steps run in a simulated runner: the shell steps for real (bash, the runner's
//! environment variables and files), the `uses:` steps (cache, SARIF upload) by a stand-in that
//! records what they were given. A stand-in `cargo` on PATH records the install command and
//! puts the already-built linea where `cargo install --root` would.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use linea::source::node::{Node, NodeValue};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action_text() -> String {
    fs::read_to_string(root().join("action.yml")).expect("action.yml at the top level")
}

/// The action as a JSON value (through linea's own YAML parser).
fn to_json(n: &Node) -> serde_json::Value {
    match &n.value {
        NodeValue::Null => serde_json::Value::Null,
        NodeValue::Bool(b) => (*b).into(),
        NodeValue::Number { value, raw } => raw
            .parse::<i64>()
            .map(Into::into)
            .unwrap_or_else(|_| serde_json::json!(value)),
        NodeValue::String(s) | NodeValue::Unknown(s) => s.clone().into(),
        NodeValue::Seq(items) => items.iter().map(to_json).collect(),
        NodeValue::Map(entries) => entries.iter().map(|e| (e.key.clone(), to_json(&e.value))).collect(),
    }
}

fn action() -> serde_json::Value {
    let stream = linea::lang::yaml::parse(&action_text());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    to_json(&stream.documents[0].root)
}

#[test]
fn metadata_validates_against_the_action_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root().join("tests/schemas/github-action.json")).expect("schema"))
            .expect("schema is JSON");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "https://json.schemastore.org/github-action.json";
    compiler.add_resource(url, schema).expect("add schema");
    let index = compiler.compile(url, &mut schemas).expect("compile schema");
    let value = action();
    if let Err(e) = schemas.validate(&value, index) {
        panic!("action.yml does not validate:\n{e:#}");
    }
    // the validator is live: an input without a description and an unknown key are rejected
    let mut broken = value.clone();
    broken["inputs"]["paths"]
        .as_object_mut()
        .expect("paths input")
        .remove("description");
    assert!(schemas.validate(&broken, index).is_err());
    let mut broken = value.clone();
    broken["runs"]["stepz"] = serde_json::json!([]);
    assert!(schemas.validate(&broken, index).is_err());

    // what the issue asks of the interface
    for input in [
        "paths",
        "format",
        "fail-on",
        "config",
        "baseline",
        "diff-base",
        "sarif",
        "annotations",
        "args",
        "version",
    ] {
        assert!(value["inputs"].get(input).is_some(), "input `{input}`");
    }
    for output in ["findings", "sarif-file", "exit-code"] {
        assert!(value["outputs"].get(output).is_some(), "output `{output}`");
    }
    assert_eq!(value["runs"]["using"], "composite");
}

fn linea_check(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_linea"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("check")
        .args(args)
        .output()
        .expect("run linea");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn linea_ci_rules_are_clean_on_the_action() {
    let (code, out) = linea_check(&root(), &["-f", "concise", "action.yml"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // and they do read it: an untrusted expression in a script is found
    let dir = tempfile::tempdir().expect("temp dir");
    // a repository root: no config above the temp dir applies
    fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let text = action_text().replacen(
        "\"$LINEA\" \"${args[@]}\" || code=$?",
        "echo \"${{ github.event.pull_request.title }}\"",
        1,
    );
    fs::write(dir.path().join("action.yml"), text).expect("write");
    let (code, out) = linea_check(dir.path(), &["-f", "concise", "action.yml"]);
    assert_eq!(code, 1);
    assert!(out.contains("CI010"), "{out}");
}

// ---- the simulated runner ---------------------------------------------------------------------

/// The contexts an expression reads.
struct Contexts {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    vars: BTreeMap<&'static str, String>,
    failed: bool,
}

/// A value of the expression language, as far as the action uses it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(String),
    Bool(bool),
}

impl Value {
    fn truthy(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::Bool(b) => *b,
        }
    }
    fn text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// A recursive-descent evaluator for `a == 'x' && !b || f()`; panics on what it does not know,
/// so the action cannot use syntax this test silently misreads.
struct Parser<'a> {
    toks: Vec<String>,
    at: usize,
    cx: &'a Contexts,
}

fn tokenize(s: &str) -> Vec<String> {
    let mut toks = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            toks.push(chars[i..=j.min(chars.len() - 1)].iter().collect());
            i = j + 1;
        } else if "=!&|".contains(c) && i + 1 < chars.len() && "=&|".contains(chars[i + 1]) {
            toks.push(chars[i..i + 2].iter().collect());
            i += 2;
        } else if "!()".contains(c) {
            toks.push(c.to_string());
            i += 1;
        } else {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || "._-".contains(chars[j])) {
                j += 1;
            }
            assert!(j > i, "cannot read `{s}` at {i}");
            toks.push(chars[i..j].iter().collect());
            i = j;
        }
    }
    toks
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.at).map(String::as_str)
    }
    fn next(&mut self) -> String {
        self.at += 1;
        self.toks.get(self.at - 1).cloned().unwrap_or_default()
    }
    fn or(&mut self) -> Value {
        let mut v = self.and();
        while self.peek() == Some("||") {
            self.next();
            let r = self.and();
            v = if v.truthy() { v } else { r };
        }
        v
    }
    fn and(&mut self) -> Value {
        let mut v = self.cmp();
        while self.peek() == Some("&&") {
            self.next();
            let r = self.cmp();
            v = if v.truthy() { r } else { v };
        }
        v
    }
    fn cmp(&mut self) -> Value {
        let l = self.unary();
        match self.peek() {
            Some("==") => {
                self.next();
                Value::Bool(l.text() == self.unary().text())
            }
            Some("!=") => {
                self.next();
                Value::Bool(l.text() != self.unary().text())
            }
            _ => l,
        }
    }
    fn unary(&mut self) -> Value {
        let t = self.next();
        match t.as_str() {
            "!" => Value::Bool(!self.unary().truthy()),
            "(" => {
                let v = self.or();
                assert_eq!(self.next(), ")");
                v
            }
            "always" | "success" | "failure" => {
                assert_eq!((self.next(), self.next()), ("(".into(), ")".into()));
                Value::Bool(match t.as_str() {
                    "always" => true,
                    "success" => !self.cx.failed,
                    _ => self.cx.failed,
                })
            }
            "true" | "false" => Value::Bool(t == "true"),
            q if q.starts_with('\'') => Value::Str(q.trim_matches('\'').to_string()),
            path => Value::Str(self.cx.lookup(path)),
        }
    }
}

impl Contexts {
    fn lookup(&self, path: &str) -> String {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self
                .inputs
                .get(*name)
                .cloned()
                .unwrap_or_else(|| panic!("no input `{name}`")),
            ["steps", id, "outputs", name] => self
                .steps
                .get(*id)
                .and_then(|o| o.get(*name))
                .cloned()
                .unwrap_or_default(),
            [ctx @ ("runner" | "github"), name] => self
                .vars
                .get(format!("{ctx}.{name}").as_str())
                .cloned()
                .unwrap_or_else(|| panic!("context `{path}` is not simulated")),
            _ => panic!("expression `{path}` is not simulated"),
        }
    }

    fn eval(&self, expr: &str) -> Value {
        let mut p = Parser {
            toks: tokenize(expr),
            at: 0,
            cx: self,
        };
        let v = p.or();
        assert_eq!(p.at, p.toks.len(), "trailing tokens in `{expr}`");
        v
    }

    /// `${{ … }}` substituted in a string.
    fn interpolate(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(at) = rest.find("${{") {
            out.push_str(&rest[..at]);
            let end = rest[at..].find("}}").expect("closing }}") + at;
            out.push_str(&self.eval(&rest[at + 3..end]).text());
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// `name=value` lines and `name<<DELIM` blocks of a `$GITHUB_OUTPUT` file.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

/// What one run of the action did.
struct ActionRun {
    outputs: BTreeMap<String, String>,
    /// Steps that ran: `run:` steps by id, `uses:` steps by action, with their `with:`.
    ran: Vec<(String, BTreeMap<String, String>)>,
    failed: bool,
    log: String,
    summary: String,
}

/// A runner: a workspace, a temp dir kept between runs (where the cache restores to), a cache
/// store, and a stand-in `cargo`.
struct Runner {
    dir: tempfile::TempDir,
}

impl Runner {
    fn new() -> Runner {
        let dir = tempfile::tempdir().expect("temp dir");
        for d in ["workspace", "temp", "cache", "bin", "tool-cache"] {
            fs::create_dir(dir.path().join(d)).expect("mkdir");
        }
        // `cargo install --locked --path P --root R` → R/bin/linea, and the call is recorded
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
        Runner { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn workspace(&self, files: &[(&str, &str)]) {
        let ws = self.path("workspace");
        let _ = fs::remove_dir_all(&ws);
        for (p, text) in files {
            let p = ws.join(p);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(p, text).expect("write");
        }
        // a checkout: the repository root, so no config above the temp dir applies
        fs::create_dir_all(ws.join(".git")).expect("mkdir");
    }

    fn cargo_calls(&self) -> Vec<String> {
        fs::read_to_string(self.path("cargo.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Run every step of the action with `with` as its inputs.
    fn run(&self, with: &[(&str, &str)]) -> ActionRun {
        let action = action();
        let mut inputs: BTreeMap<String, String> = BTreeMap::new();
        for (name, spec) in action["inputs"].as_object().expect("inputs") {
            inputs.insert(name.clone(), spec["default"].as_str().unwrap_or("").to_string());
        }
        for (k, v) in with {
            assert!(inputs.contains_key(*k), "no input `{k}`");
            inputs.insert(k.to_string(), v.to_string());
        }
        let mut vars = BTreeMap::new();
        vars.insert("runner.os", "Linux".to_string());
        vars.insert("runner.arch", "X64".to_string());
        vars.insert("runner.temp", self.path("temp").display().to_string());
        vars.insert("github.workspace", self.path("workspace").display().to_string());
        vars.insert("github.action_path", root().display().to_string());
        vars.insert("github.action_repository", "linea-org/linea".to_string());
        let mut cx = Contexts {
            inputs,
            steps: BTreeMap::new(),
            vars,
            failed: false,
        };
        let summary_file = self.path("summary.md");
        fs::write(&summary_file, "").expect("summary");
        let mut ran = Vec::new();
        let mut log = String::new();
        for (i, step) in action["runs"]["steps"].as_array().expect("steps").iter().enumerate() {
            let cond = step["if"].as_str().unwrap_or("success()");
            let cond = if cond.contains("always()") || cond.contains("success()") || cond.contains("failure()") {
                cond.to_string()
            } else {
                format!("success() && ({cond})")
            };
            if !cx.eval(&cond).truthy() {
                continue;
            }
            let with: BTreeMap<String, String> = step["with"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), cx.interpolate(v.as_str().unwrap_or(""))))
                        .collect()
                })
                .unwrap_or_default();
            let id = step["id"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("step{i}"));
            if let Some(uses) = step["uses"].as_str() {
                let name = uses.split('@').next().unwrap_or(uses).to_string();
                let store = self.path("cache").join(with.get("key").cloned().unwrap_or_default());
                match name.as_str() {
                    "actions/cache/restore" => {
                        let hit = store.is_dir();
                        if hit {
                            copy_dir(&store, Path::new(&with["path"]));
                        }
                        cx.steps
                            .insert(id.clone(), BTreeMap::from([("cache-hit".into(), hit.to_string())]));
                    }
                    "actions/cache/save" => copy_dir(Path::new(&with["path"]), &store),
                    "github/codeql-action/upload-sarif" => {
                        let sarif = fs::read_to_string(&with["sarif_file"]).expect("the SARIF file exists");
                        let _: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
                    }
                    other => panic!("`uses: {other}` is not simulated"),
                }
                ran.push((name, with));
                continue;
            }
            let script = step["run"].as_str().expect("a run or uses step");
            assert_eq!(step["shell"], "bash", "every run step names its shell");
            assert!(
                !script.contains("${{"),
                "step `{id}`: expressions go through env, not into the script"
            );
            let output_file = self.path(&format!("output-{i}"));
            fs::write(&output_file, "").expect("output file");
            let script_file = self.path(&format!("step-{i}.sh"));
            fs::write(&script_file, script).expect("script");
            let mut cmd = Command::new("bash");
            // what `shell: bash` runs
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]).arg(&script_file);
            cmd.current_dir(self.path("workspace"))
                .env_clear()
                .env(
                    "PATH",
                    format!(
                        "{}:{}",
                        self.path("bin").display(),
                        std::env::var("PATH").unwrap_or_default()
                    ),
                )
                .env("HOME", self.dir.path())
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_ACTION_PATH", root())
                .env("GITHUB_WORKSPACE", self.path("workspace"))
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_STEP_SUMMARY", &summary_file)
                .env("GITHUB_PATH", self.path("github-path"))
                .env("GITHUB_SERVER_URL", format!("file://{}", self.path("server").display()))
                .env("RUNNER_TEMP", self.path("temp"))
                .env("RUNNER_TOOL_CACHE", self.path("tool-cache"))
                .env("RUNNER_OS", "Linux");
            if let Some(env) = step["env"].as_object() {
                for (k, v) in env {
                    cmd.env(k, cx.interpolate(v.as_str().unwrap_or("")));
                }
            }
            let out = cmd.output().expect("run bash");
            log.push_str(&String::from_utf8_lossy(&out.stdout));
            log.push_str(&String::from_utf8_lossy(&out.stderr));
            let outputs = parse_outputs(&fs::read_to_string(&output_file).unwrap_or_default());
            cx.steps.insert(id.clone(), outputs);
            if !out.status.success() {
                cx.failed = true;
            }
            ran.push((id, BTreeMap::new()));
        }
        let outputs = action["outputs"]
            .as_object()
            .expect("outputs")
            .iter()
            .map(|(k, v)| (k.clone(), cx.interpolate(v["value"].as_str().unwrap_or(""))))
            .collect();
        ActionRun {
            outputs,
            ran,
            failed: cx.failed,
            log,
            summary: fs::read_to_string(&summary_file).unwrap_or_default(),
        }
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
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = fs::metadata(e.path()).expect("meta").permissions().mode();
                    fs::set_permissions(&dest, fs::Permissions::from_mode(mode)).expect("chmod");
                }
            }
        }
    }
}

const BAD_DOCKERFILE: &str = "FROM python:latest\nUSER root\nCMD [\"python\", \"-m\", \"app\"]\n";

fn ran(run: &ActionRun, step: &str) -> bool {
    run.ran.iter().any(|(s, _)| s == step)
}

#[test]
fn action_builds_once_then_restores_checks_annotates_uploads_and_summarises() {
    let runner = Runner::new();
    runner.workspace(&[("services/api/Dockerfile", BAD_DOCKERFILE)]);

    // first run: the cache misses, cargo installs from the action's source, the cache is saved
    let first = runner.run(&[]);
    // shown with `--no-capture`: what a user sees in the job log
    eprintln!(
        "--- job log ---\n{}--- outputs: {:?}\n--- steps: {:?}\n--- job summary ---\n{}",
        first.log,
        first.outputs,
        first.ran.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        first.summary
    );
    let calls = runner.cargo_calls();
    assert_eq!(calls.len(), 1, "{calls:?}\n{}", first.log);
    let want = format!("install --locked --path {} --root ", root().display());
    assert!(calls[0].starts_with(&want), "{}", calls[0]);
    assert!(ran(&first, "actions/cache/save"), "{:?}", first.ran);

    assert!(first.failed, "findings at or above warning fail the step");
    assert_eq!(first.outputs["exit-code"], "1", "{}", first.log);
    let findings: usize = first.outputs["findings"].parse().expect("a number");
    assert!(findings >= 3, "{findings}: {}", first.log);
    // the log has the human report and the annotations
    assert!(
        first.log.contains("× image `python:latest` uses the `latest` tag"),
        "{}",
        first.log
    );
    assert!(
        first
            .log
            .lines()
            .any(|l| l.starts_with("::error file=services/api/Dockerfile,line=1,col=6")),
        "{}",
        first.log
    );
    // SARIF uploaded with the category, its URIs relative to the workspace (the repository)
    let upload = first
        .ran
        .iter()
        .find(|(s, _)| s == "github/codeql-action/upload-sarif")
        .map(|(_, w)| w.clone())
        .expect("upload-sarif ran even though the check step failed");
    assert_eq!(upload["category"], "linea");
    assert_eq!(upload["sarif_file"], first.outputs["sarif-file"]);
    let sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&upload["sarif_file"]).expect("sarif")).expect("json");
    assert_eq!(sarif["runs"][0]["automationDetails"]["id"], "linea/");
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "services/api/Dockerfile"
    );
    // the job summary counts findings by rule
    assert!(first.summary.starts_with("### linea"), "{}", first.summary);
    assert!(
        first.summary.contains("| DF001 | image-tag-latest | error | 1 |"),
        "{}",
        first.summary
    );
    assert!(fs::read_to_string(runner.path("github-path"))
        .expect("GITHUB_PATH")
        .contains("linea-action"));

    // second run: restored from the cache, no build, no save
    let second = runner.run(&[]);
    assert_eq!(runner.cargo_calls().len(), 1, "cargo ran again:\n{}", second.log);
    assert!(!ran(&second, "actions/cache/save"));
    assert!(second.log.contains("linea restored from the cache"), "{}", second.log);
    assert_eq!(second.outputs["findings"], first.outputs["findings"]);
}

#[test]
fn action_inputs_reach_linea() {
    let runner = Runner::new();
    runner.workspace(&[
        ("k8s/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments-api\n  namespace: payments\ndata:\n  LOG_LEVEL: info\n"),
        ("legacy/Dockerfile", BAD_DOCKERFILE),
        ("ci/linea.toml", "[severity]\nDF002 = \"info\"\n"),
    ]);
    // a clean path: exit 0, no findings, the step passes
    let clean = runner.run(&[("paths", "k8s"), ("sarif", "false"), ("annotations", "false")]);
    assert!(!clean.failed, "{}", clean.log);
    assert_eq!(
        (clean.outputs["exit-code"].as_str(), clean.outputs["findings"].as_str()),
        ("0", "0")
    );
    assert_eq!(clean.outputs["sarif-file"], "");
    assert!(!ran(&clean, "github/codeql-action/upload-sarif"));
    assert!(!clean.log.contains("::error"), "{}", clean.log);

    // fail-on error with the config making DF002 info, concise in the log, extra args
    let run = runner.run(&[
        ("paths", "legacy\nk8s"),
        ("fail-on", "error"),
        ("config", "ci/linea.toml"),
        ("format", "concise"),
        ("args", "--ignore DF024"),
        ("sarif", "false"),
    ]);
    assert_eq!(run.outputs["exit-code"], "1", "{}", run.log);
    assert!(run.log.contains("legacy/Dockerfile:1:6: DF002 [info]"), "{}", run.log);
    assert!(!run.log.contains("DF024"), "{}", run.log);
    let run = runner.run(&[
        ("paths", "legacy"),
        ("args", "--ignore DF001,DF003,XR001"),
        ("fail-on", "error"),
    ]);
    assert_eq!(run.outputs["exit-code"], "0", "only warnings left: {}", run.log);
    assert!(!run.failed);

    // a bad input is exit 2, and the step fails
    let bad = runner.run(&[("fail-on", "critical")]);
    assert_eq!(bad.outputs["exit-code"], "2");
    assert!(bad.failed);
}

#[test]
fn action_downloads_a_released_version() {
    let runner = Runner::new();
    runner.workspace(&[("Dockerfile", BAD_DOCKERFILE)]);
    // a release as the action expects it: SERVER/REPO/releases/download/vV/linea-V-TARGET.tar.gz
    let rel = runner.path("server/linea-org/linea/releases/download/v9.9.9");
    fs::create_dir_all(&rel).expect("mkdir");
    let stage = runner.path("stage");
    fs::create_dir(&stage).expect("mkdir");
    fs::copy(env!("CARGO_BIN_EXE_linea"), stage.join("linea")).expect("copy");
    let name = "linea-9.9.9-x86_64-unknown-linux-gnu.tar.gz";
    let ok = Command::new("tar")
        .args(["-czf"])
        .arg(rel.join(name))
        .arg("-C")
        .arg(&stage)
        .arg("linea")
        .status()
        .expect("tar")
        .success();
    assert!(ok);
    let sum = Command::new("sha256sum")
        .arg(name)
        .current_dir(&rel)
        .output()
        .expect("sha256sum");
    fs::write(rel.join(format!("{name}.sha256")), &sum.stdout).expect("write sum");

    let run = runner.run(&[("version", "9.9.9"), ("sarif", "false")]);
    assert!(runner.cargo_calls().is_empty(), "no build with a version");
    assert!(!ran(&run, "actions/cache/restore") && !ran(&run, "actions/cache/save"));
    assert_eq!(run.outputs["exit-code"], "1", "{}", run.log);

    // a corrupted download is refused
    fs::write(
        rel.join(format!("{name}.sha256")),
        format!("{}  {name}\n", "0".repeat(64)),
    )
    .expect("write sum");
    let _ = fs::remove_dir_all(runner.path("temp"));
    fs::create_dir(runner.path("temp")).expect("mkdir");
    let run = runner.run(&[("version", "9.9.9"), ("sarif", "false")]);
    assert!(run.failed);
    assert_eq!(run.outputs["exit-code"], "", "linea did not run: {}", run.log);
}
