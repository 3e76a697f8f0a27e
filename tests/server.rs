//! `linea server` end to end: the real binary spoken to over stdin/stdout with JSON-RPC and
//! `Content-Length` framing, as an editor does. Every wait has a timeout so a broken server
//! fails the test instead of hanging it.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_linea"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start `linea server`");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let text = msg.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{text}", text.len()).expect("write to server");
        stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and wait for its response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// The next message the server sends that matches `pred` (others are skipped).
    fn wait(&self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if pred(&m) => return m,
                Ok(_) => {}
                Err(e) => panic!("no expected message from the server: {e}"),
            }
        }
    }

    /// The next `publishDiagnostics` for `uri`.
    fn diagnostics(&self, uri: &str) -> Vec<Value> {
        let m =
            self.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"].as_str() == Some(uri));
        m["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    fn initialize(&mut self, root: &Path) -> Value {
        let response = self.request(
            "initialize",
            json!({"processId": null, "rootUri": file_uri(root), "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        response
    }

    /// `shutdown` then `exit`; the exit code.
    fn stop(mut self) -> i32 {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        self.exit_code()
    }

    fn exit_code(mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn file_uri(path: &Path) -> String {
    let s = path.to_str().expect("UTF-8 temp path").replace('\\', "/");
    let s = if s.starts_with('/') { s } else { format!("/{s}") };
    format!("file://{}", s.replace(' ', "%20"))
}

/// A temporary repository (it holds `.git`: no config above it applies) with `files`.
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
        std::fs::write(p, text).expect("write");
    }
    dir
}

fn open(client: &mut Client, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}),
    );
}

fn change(client: &mut Client, uri: &str, version: i32, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
    );
}

#[test]
fn publishes_findings_of_the_buffer_and_clears_them() {
    let dir = workspace(&[
        ("linea.toml", "select = [\"DF001\"]\n"),
        ("Dockerfile", "FROM python:3.12-slim\n"),
    ]);
    let mut client = Client::start();
    let init = client.initialize(dir.path());
    assert_eq!(
        init["result"]["capabilities"]["textDocumentSync"]["change"], 1,
        "{init}"
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "linea");

    // the buffer, not the file on disk, is linted
    let uri = file_uri(&dir.path().join("Dockerfile"));
    open(&mut client, &uri, "# base image\nFROM python:latest\n");
    let found = client.diagnostics(&uri);
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!(d["code"], "DF001");
    assert_eq!(d["source"], "linea");
    assert_eq!(d["severity"], 1, "DF001 is an error");
    assert_eq!(
        d["range"],
        json!({"start": {"line": 1, "character": 5}, "end": {"line": 1, "character": 18}})
    );
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("/docs/rules/DF001.md")),
        "{d}"
    );
    assert!(d["message"].as_str().is_some_and(|m| m.contains("\nhelp: ")), "{d}");

    change(&mut client, &uri, 2, "# base image\nFROM python:3.12-slim\n");
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    change(&mut client, &uri, 3, "FROM python\n");
    assert_eq!(client.diagnostics(&uri).len(), 1);
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    assert_eq!(client.stop(), 0);
}

#[test]
fn a_broken_config_is_shown_and_the_defaults_used() {
    let dir = workspace(&[("linea.toml", "selekt = [\"DF001\"]\n")]);
    let mut client = Client::start();
    client.initialize(dir.path());
    let shown = client.wait(|m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1, "{shown}");
    assert!(
        shown["params"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("linea.toml:1:1")),
        "{shown}"
    );

    let uri = file_uri(&dir.path().join("svc/Dockerfile"));
    open(&mut client, &uri, "FROM python:latest\n");
    let found = client.diagnostics(&uri);
    assert!(found.iter().any(|d| d["code"] == "DF001"), "{found:?}");

    // a document linea does not check gets no diagnostics, and the server keeps going
    let readme = file_uri(&dir.path().join("README.md"));
    open(&mut client, &readme, "# payments\n");
    assert_eq!(client.diagnostics(&readme), Vec::<Value>::new());

    // unknown requests are answered with an error, not a crash
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["error"]["code"], -32601, "{hover}");

    // saving the repaired config reloads it
    std::fs::write(dir.path().join("linea.toml"), "select = [\"DF003\"]\n").expect("write config");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&dir.path().join("linea.toml"))}}),
    );
    let found = client.diagnostics(&uri);
    assert!(
        !found.is_empty() && found.iter().all(|d| d["code"] == "DF003"),
        "{found:?}"
    );
    assert_eq!(client.stop(), 0);
}

#[test]
fn exit_without_shutdown_is_an_error() {
    let dir = workspace(&[]);
    let mut client = Client::start();
    client.initialize(dir.path());
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_code(), 1);
}

#[test]
fn cross_file_findings_point_at_the_other_file() {
    let configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: checkout-config\ndata:\n  LOG_LEVEL: info\n";
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\n";
    let dir = workspace(&[
        ("linea.toml", "select = [\"K8S032\"]\n"),
        (
            "deploy/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - configmap.yaml\n  - deployment.yaml\n",
        ),
        ("deploy/configmap.yaml", configmap),
        ("deploy/deployment.yaml", deployment),
    ]);
    let mut client = Client::start();
    client.initialize(dir.path());
    let uri = file_uri(&dir.path().join("deploy/deployment.yaml"));
    open(&mut client, &uri, deployment);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // the unsaved buffer now defines the ConfigMap a second time
    let edited = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: checkout-config\n---\n{deployment}");
    change(&mut client, &uri, 2, &edited);
    let found = client.diagnostics(&uri);
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!(d["code"], "K8S032");
    assert_eq!(
        d["range"],
        json!({"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 23}})
    );
    // paths in messages are relative to the workspace, as `linea check` run there shows them
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("already defined at deploy/configmap.yaml:2")),
        "{d}"
    );
    let related = &d["relatedInformation"][0];
    assert_eq!(
        related["location"]["uri"],
        file_uri(&dir.path().join("deploy/configmap.yaml"))
    );
    // the other definition's `kind:` line
    assert_eq!(
        related["location"]["range"],
        json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 15}})
    );
    assert_eq!(related["message"], "first defined here");
    assert_eq!(client.stop(), 0);
}

#[test]
fn saving_a_custom_rule_reloads_it() {
    let rule = include_str!("policies/ORG001.yaml");
    let lenient = rule.replace("gte: 30", "gte: 5");
    assert_ne!(lenient, rule);
    let tf = "resource \"azurerm_key_vault\" \"main\" {\n  soft_delete_retention_days = 7\n}\n";
    let dir = workspace(&[
        ("linea.toml", "rules = [\"policies\"]\nselect = [\"ORG001\"]\n"),
        ("policies/ORG001.yaml", &lenient),
        ("infra/main.tf", tf),
    ]);
    let mut client = Client::start();
    client.initialize(dir.path());
    let uri = file_uri(&dir.path().join("infra/main.tf"));
    open(&mut client, &uri, tf);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    std::fs::write(dir.path().join("policies/ORG001.yaml"), rule).expect("write rule");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&dir.path().join("policies/ORG001.yaml"))}}),
    );
    let found = client.diagnostics(&uri);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "ORG001");
    assert_eq!(found[0]["range"]["start"]["line"], 1, "{found:?}");
    assert_eq!(client.stop(), 0);
}

#[test]
fn ranges_are_in_utf16_code_units() {
    let dir = workspace(&[("linea.toml", "select = [\"K8S001\"]\n")]);
    let mut client = Client::start();
    client.initialize(dir.path());
    let uri = file_uri(&dir.path().join("k8s/pod.yaml"));
    // `é` is one UTF-16 unit (two bytes), `😀` two (four bytes): the image starts at unit 40
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: payments\nspec:\n  containers: [{name: \"café-😀\", image: \"nginx:latest\"}]\n";
    open(&mut client, &uri, pod);
    let found = client.diagnostics(&uri);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0]["range"],
        json!({"start": {"line": 5, "character": 40}, "end": {"line": 5, "character": 54}})
    );
    assert_eq!(client.stop(), 0);
}

#[test]
fn fixes_are_offered_as_quick_fixes_for_the_linted_version() {
    let dir = workspace(&[
        ("linea.toml", "select = [\"DF010\", \"DF020\"]\n"),
        ("Dockerfile", "FROM python:3.12-slim\n"),
    ]);
    let mut client = Client::start();
    let init = client.initialize(dir.path());
    assert_eq!(
        init["result"]["capabilities"]["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"]),
        "{init}"
    );
    let uri = file_uri(&dir.path().join("Dockerfile"));
    let text = "FROM python:3.12-slim\nRUN pip install flask==3.0.3\nMAINTAINER Platform Team\n";
    open(&mut client, &uri, text);
    assert_eq!(client.diagnostics(&uri).len(), 2);

    // only the finding under the cursor (line 1) is offered
    let range = json!({"start": {"line": 1, "character": 8}, "end": {"line": 1, "character": 8}});
    let response = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
    );
    let actions = response["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(actions.len(), 1, "{response}");
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], true, "a safe fix");
    assert_eq!(action["diagnostics"][0]["code"], "DF010");
    let change = &action["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    assert_eq!(
        change["edits"],
        json!([{
            "range": {"start": {"line": 1, "character": 15}, "end": {"line": 1, "character": 15}},
            "newText": " --no-cache-dir"
        }])
    );
    assert_eq!(client.stop(), 0);
}

#[test]
fn files_changed_outside_the_editor_are_linted_again() {
    let deployment = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: checkout-config\n  namespace: shop\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\n  namespace: shop\n";
    let dir = workspace(&[
        ("linea.toml", "select = [\"K8S032\"]\n"),
        (
            "deploy/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - configmap.yaml\n  - deployment.yaml\n",
        ),
        ("deploy/deployment.yaml", deployment),
    ]);
    let mut client = Client::start();
    let capabilities = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": file_uri(dir.path()), "capabilities": capabilities}),
    );
    client.notify("initialized", json!({}));
    // the server asks to be told about changes on disk
    let registration = client.wait(|m| m["method"] == "client/registerCapability");
    assert_eq!(
        registration["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    client.send(json!({"jsonrpc": "2.0", "id": registration["id"], "result": null}));

    let uri = file_uri(&dir.path().join("deploy/deployment.yaml"));
    open(&mut client, &uri, deployment);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // a `git checkout` brings a file that defines the ConfigMap first
    let configmap = dir.path().join("deploy/configmap.yaml");
    std::fs::write(
        &configmap,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: checkout-config\n  namespace: shop\n",
    )
    .expect("write");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&configmap), "type": 1}]}),
    );
    let found = client.diagnostics(&uri);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "K8S032");
    assert_eq!(client.stop(), 0);
}

#[test]
fn each_directory_is_governed_by_its_nearest_config() {
    let dir = workspace(&[
        ("svcA/linea.toml", "ignore = [\"DF001\"]\n"),
        ("svcA/Dockerfile", "FROM python:latest\n"),
        ("svcB/Dockerfile", "FROM python:latest\n"),
    ]);
    let mut client = Client::start();
    client.initialize(dir.path());
    let a = file_uri(&dir.path().join("svcA/Dockerfile"));
    open(&mut client, &a, "FROM python:latest\nUSER 10001\n");
    let found = client.diagnostics(&a);
    assert!(!found.iter().any(|d| d["code"] == "DF001"), "{found:?}");
    let b = file_uri(&dir.path().join("svcB/Dockerfile"));
    open(&mut client, &b, "FROM python:latest\nUSER 10001\n");
    let found = client.diagnostics(&b);
    assert!(found.iter().any(|d| d["code"] == "DF001"), "{found:?}");
    assert_eq!(client.stop(), 0);
}
