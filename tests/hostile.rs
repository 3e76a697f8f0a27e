//! Inputs shaped on purpose to make a linter hang, exhaust memory or lose data (issue 15).
//!
//! Every hostile input is generated here, never committed. Memory is bounded through a counting
//! global allocator (peak bytes allocated while the case runs), work through counters or a
//! generous timeout: a case that regresses to quadratic fails by a wide margin, never by a race.
//! The cases of this binary run one at a time (the allocator's counters are process-wide).

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use linea::config::Settings;
use linea::discover::FileKind;
use linea::rules::engine::{self, Outcome, SourceInput};
use linea::rules::registry::Registry;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

static SERIAL: Mutex<()> = Mutex::new(());

/// One case at a time: the counters are shared by the whole process.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run `f` and return its result with the peak of bytes allocated (above what was live before).
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

const MB: usize = 1 << 20;

fn registry() -> &'static Registry {
    static R: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    R.get_or_init(|| Registry::builtin().expect("built-in rules"))
}

fn memory(path: &str, kind: FileKind, text: String) -> SourceInput {
    SourceInput::Memory {
        path: PathBuf::from(path),
        kind,
        text,
    }
}

/// Lint in-memory files with the default settings on one worker thread.
fn lint(inputs: Vec<SourceInput>) -> Outcome {
    let settings = Settings::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .stack_size(8 * MB)
        .build()
        .expect("pool");
    pool.install(|| engine::run(registry(), &settings, inputs))
}

fn findings<'a>(o: &'a Outcome, rule: &str) -> Vec<&'a linea::rules::Diagnostic> {
    o.diagnostics.iter().filter(|d| d.rule == rule).collect()
}

// --- YAML aliases -----------------------------------------------------------------------------

/// A document whose aliases copy about 90,000 nodes: under a per-document bound of 100,000.
fn just_under_a_document_budget() -> String {
    let mut doc = String::from("---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, n) in [(1, 10), (2, 10), (3, 10), (4, 7)] {
        let refs = vec![format!("*a{}", i - 1); n].join(", ");
        doc.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    doc
}

#[test]
fn yaml_alias_budget_counts_the_whole_stream() {
    let _g = serial();
    // 1,500 documents of about 290 bytes, each under a per-document budget: 4.9 GB before
    let text = just_under_a_document_budget().repeat(1_500);
    assert!(text.len() < 500 * 1024);
    let (outcome, peak) = peak_during(|| lint(vec![memory("stream.yaml", FileKind::Yaml, text)]));
    let over = findings(&outcome, "PARSE004");
    assert_eq!(over.len(), 1, "{:?}", outcome.diagnostics);
    assert!(over[0].message.contains("file budget"), "{}", over[0].message);
    assert!(peak < 64 * MB, "peak {} MB", peak / MB);
}

#[test]
fn yaml_alias_budget_counts_the_whole_run() {
    let _g = serial();
    // files each just under the per-file budget: together over the per-run one
    let per_file = just_under_a_document_budget().repeat(2);
    let inputs = (0..12)
        .map(|i| memory(&format!("k8s/bomb-{i:02}.yaml"), FileKind::Yaml, per_file.clone()))
        .collect();
    let (outcome, peak) = peak_during(|| lint(inputs));
    let over = findings(&outcome, "PARSE004");
    assert!(!over.is_empty(), "{:?}", outcome.diagnostics);
    assert!(over.iter().all(|d| d.message.contains("run budget")), "{over:?}");
    // every file is still reported on: the files after the cut are parsed, their aliases unknown
    assert_eq!(outcome.files_scanned(), 12);
    assert!(peak < 256 * MB, "peak {} MB", peak / MB);
}

#[test]
fn yaml_over_budget_keeps_the_rest_of_the_document() {
    let _g = serial();
    let mut text = String::from("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
    text.push_str("x-0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..8 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        text.push_str(&format!("x-{i}: &l{i} [{refs}]\n"));
    }
    text.push_str(
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n",
    );
    let outcome = lint(vec![memory("deploy.yaml", FileKind::Yaml, text)]);
    assert_eq!(findings(&outcome, "PARSE004").len(), 1, "{:?}", outcome.diagnostics);
    // the container after the bomb is still checked
    assert!(!findings(&outcome, "K8S001").is_empty(), "{:?}", outcome.diagnostics);
}

// --- Terraform values ----------------------------------------------------------------------------

/// Forty locals each doubling the previous one: 2^40 bytes unbounded. The local that goes over
/// the string budget is a PARSE004 finding at its template, the resource built from it is not
/// checked on that value, and the rest of the module is: a public storage account beside it is
/// still reported.
#[test]
fn terraform_over_a_budget_is_reported_where_it_went_over() {
    let _g = serial();
    let mut text = String::from("locals {\n  t0 = \"ab\"\n");
    for i in 1..=40 {
        text.push_str(&format!("  t{i} = \"${{local.t{}}}${{local.t{}}}\"\n", i - 1, i - 1));
    }
    text.push_str("}\n\nresource \"azurerm_storage_account\" \"logs\" {\n  name = local.t40\n}\n");
    text.push_str(concat!(
        "\nresource \"azurerm_storage_account\" \"public\" {\n",
        "  name                          = \"publicdata\"\n",
        "  public_network_access_enabled = true\n",
        "}\n"
    ));
    let (outcome, peak) = peak_during(|| lint(vec![memory("infra/main.tf", FileKind::Terraform, text.clone())]));
    let over = findings(&outcome, "PARSE004");
    assert_eq!(over.len(), 1, "{:?}", outcome.diagnostics);
    let at = &text[over[0].span.start..over[0].span.end];
    assert!(at.starts_with("\"${local.t"), "{at}");
    assert!(over[0].message.contains("Terraform string"), "{}", over[0].message);
    // the rest of the module is still checked
    assert!(
        outcome.diagnostics.iter().any(|d| d.rule == "TF126"
            && text[d.span.start..].starts_with("resource \"azurerm_storage_account\" \"public\"")),
        "{:?}",
        outcome.diagnostics
    );
    assert!(peak < 256 * MB, "peak {peak}");
}

// --- custom-rule messages -----------------------------------------------------------------------

#[test]
fn message_placeholders_are_bounded() {
    let _g = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("policy");
    std::fs::create_dir(&policy).expect("mkdir");
    let rule = format!(
        "id: ORG100\nslug: config-blob-unexpected\nseverity: warning\nsummary: A config blob\n\
         help: shorten it\ndocs: |\n  ## Why is this bad?\n  It is long.\ncheck:\n  target: k8s.object\n  \
         kind: ConfigMap\n  assert:\n    path: data.blob\n    equals: short\n  message: \"{}\"\n",
        "{value}".repeat(20)
    );
    std::fs::write(policy.join("ORG100.yaml"), rule).expect("write rule");
    let mut registry = Registry::builtin().expect("built-in rules");
    registry.load_dir(&policy).expect("load rule");
    let text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, namespace: shop}}\ndata:\n  blob: {}\n",
        "x".repeat(5 * MB)
    );
    let settings = Settings::default();
    let outcome = engine::run(&registry, &settings, vec![memory("cm.yaml", FileKind::Yaml, text)]);
    let d = findings(&outcome, "ORG100");
    assert_eq!(
        d.len(),
        1,
        "{:?}",
        outcome.diagnostics.iter().map(|d| &d.rule).collect::<Vec<_>>()
    );
    // 20 copies of a 5 MB value made a 100 MB line before
    assert!(d[0].message.len() <= 1024 + 3, "{} bytes", d[0].message.len());
    assert!(d[0].message.starts_with("xxxx") && d[0].message.ends_with('…'));
}

// --- files linea opens (issue 15, item 1) ---------------------------------------------------------

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run the `linea` binary in `dir`, killed after `limit` (then the case fails): a hang is a
/// failure by a wide margin, never a race.
fn linea_in(dir: &Path, args: &[&str], limit: Duration) -> (String, String, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_linea"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn linea");
    let started = Instant::now();
    loop {
        if let Some(_status) = child.try_wait().expect("wait") {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("linea {args:?} did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo").success();
    assert!(ok, "mkfifo {}", path.display());
}

#[cfg(unix)]
fn link(target: &str, at: &Path) {
    std::os::unix::fs::symlink(target, at).expect("symlink");
}

/// A repository (with `.git`) holding `files`, inside a temporary directory that also holds an
/// `outside/` directory with a `.gitignore` that ignores everything.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("repo/.git/info")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("outside")).expect("mkdir");
    std::fs::write(dir.path().join("outside/.gitignore"), "*\n").expect("write");
    for (p, text) in files {
        let p = dir.path().join("repo").join(p);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

const LATEST: &str = "FROM alpine:latest\n";

#[cfg(unix)]
#[test]
fn hostile_ignore_files_are_vetted_and_reported() {
    let _g = serial();
    let dir = repo(&[
        ("fifo/Dockerfile", LATEST),
        ("zero/Dockerfile", LATEST),
        ("out/Dockerfile", LATEST),
        ("many/Dockerfile", LATEST),
        ("fine/Dockerfile", LATEST),
        ("fine/.gitignore", &"build-*/\n".repeat(10_000)),
        ("hidden/Dockerfile", LATEST),
    ]);
    let r = dir.path().join("repo");
    mkfifo(&r.join("fifo/.gitignore"));
    mkfifo(&r.join(".git/info/exclude"));
    link("/dev/zero", &r.join("zero/.gitignore"));
    link("../../outside/.gitignore", &r.join("out/.gitignore"));
    // 20,001 patterns: one over the budget, on line 20,002 (after a comment)
    let mut many = String::from("# generated\n");
    for i in 0..=20_000 {
        many.push_str(&format!("gen-{i}/\n"));
    }
    std::fs::write(r.join("many/.gitignore"), many).expect("write");
    std::fs::write(r.join("hidden/.ignore"), "Dockerfile\n").expect("write");
    mkfifo(&r.join("Dockerfile"));

    let started = Instant::now();
    let (out, err, _) = linea_in(
        &r,
        &["check", "-f", "concise", "--select", "DF001,PARSE"],
        Duration::from_secs(60),
    );
    let took = started.elapsed();
    let lines: Vec<&str> = out.lines().collect();
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(has("fifo/.gitignore:1:1: PARSE002"), "{out}\n{err}");
    assert!(has("a FIFO"), "{out}");
    assert!(has(".git/info/exclude:1:1: PARSE002"), "{out}");
    assert!(
        has("zero/.gitignore:1:1: PARSE002") && has("a link to `/dev/zero`"),
        "{out}"
    );
    assert!(
        has("out/.gitignore:1:1: PARSE002") && has("outside the repository"),
        "{out}"
    );
    assert!(has("many/.gitignore:20002:1: PARSE004"), "{out}");
    // a FIFO named like a Dockerfile is reported, never opened
    assert!(lines.iter().any(|l| l.starts_with("Dockerfile:1:1: PARSE002")), "{out}");
    // what the refused files would have hidden is checked; the vetted ones are applied
    for d in ["fifo", "zero", "out", "many", "fine"] {
        assert!(has(&format!("{d}/Dockerfile:1:6: DF001")), "{d}: {out}");
    }
    assert!(!has("hidden/Dockerfile"), "{out}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[cfg(unix)]
#[test]
fn ignore_file_reads_are_bounded_in_memory() {
    let _g = serial();
    let dir = repo(&[("svc/Dockerfile", LATEST)]);
    let r = dir.path().join("repo");
    link("/dev/zero", &r.join(".gitignore"));
    // a regular file over the byte budget
    std::fs::write(r.join("svc/.ignore"), "x".repeat(3 * MB)).expect("write");
    let settings = Settings::default();
    let (found, peak) =
        peak_during(|| linea::discover::walk(std::slice::from_ref(&r), &settings, &globset::GlobSet::empty(), 1));
    assert_eq!(found.inputs.len(), 1, "{:?}", found.inputs);
    assert_eq!(found.problems.len(), 2, "{:?}", found.problems);
    assert!(
        found.problems.iter().any(|p| p.budget && p.message.contains("1 MiB")),
        "{:?}",
        found.problems
    );
    // nothing near the 3 MB file, let alone /dev/zero, was held
    assert!(peak < 2 * MB, "peak {} KB", peak / 1024);
}

#[cfg(unix)]
#[test]
fn hostile_rule_directories_are_bounded() {
    let _g = serial();
    let rule = "id: ORG100\nslug: org-rule\nseverity: warning\nsummary: A rule\nhelp: fix it\ndocs: |\n  ## Why is this bad?\n  It is.\ncheck:\n  target: k8s.object\n  kind: ConfigMap\n  assert:\n    path: data.a\n    equals: b\n  message: wrong\n";
    let case = |setup: &dyn Fn(&Path), expect: &str| {
        let dir = repo(&[
            ("policy/ORG100.yaml", rule),
            ("linea.toml", "rules = [\"policy\"]\n"),
            ("Dockerfile", LATEST),
        ]);
        let r = dir.path().join("repo");
        setup(&r.join("policy"));
        let (out, err, code) = linea_in(&r, &["check", "-f", "concise"], Duration::from_secs(60));
        assert!(err.contains(expect), "want `{expect}`:\n{out}\n{err}");
        code
    };
    assert_eq!(
        case(&|p| mkfifo(&p.join("fifo.yaml")), "a FIFO, not a regular file"),
        Some(2)
    );
    assert_eq!(
        case(
            &|p| link("/dev/zero", &p.join("zero.yaml")),
            "outside the rule directory"
        ),
        Some(2)
    );
    assert_eq!(
        case(&|p| link("../../outside", &p.join("out")), "outside the rule directory"),
        Some(2)
    );
    assert_eq!(
        case(
            &|p| std::fs::write(p.join("big.yaml"), "#".repeat(2 * MB)).expect("write"),
            "exceeds the file budget of 1 MiB"
        ),
        Some(2)
    );
    // links back up are visited once: the rule loads, no loop, no clash with itself
    let (out, err, code) = {
        let dir = repo(&[
            ("policy/ORG100.yaml", rule),
            ("linea.toml", "rules = [\"policy\"]\n"),
            ("Dockerfile", LATEST),
        ]);
        let r = dir.path().join("repo");
        link(".", &r.join("policy/self"));
        link("loop", &r.join("policy/loop"));
        linea_in(
            &r,
            &["check", "-f", "concise", "--select", "DF001"],
            Duration::from_secs(60),
        )
    };
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(out.contains("DF001"), "{out}\n{err}");
    // nested deeper than the budget
    let dir = repo(&[("linea.toml", "rules = [\"policy\"]\n"), ("Dockerfile", LATEST)]);
    let r = dir.path().join("repo");
    let deep = (0..20).fold(r.join("policy"), |p, i| p.join(format!("d{i}")));
    std::fs::create_dir_all(&deep).expect("mkdir");
    let (_, err, code) = linea_in(&r, &["check"], Duration::from_secs(60));
    assert_eq!(code, Some(2));
    assert!(err.contains("exceeds the run budget of 16 levels"), "{err}");
}

#[cfg(unix)]
#[test]
fn hostile_config_files_are_vetted() {
    let _g = serial();
    let dir = repo(&[("Dockerfile", LATEST)]);
    let r = dir.path().join("repo");
    mkfifo(&r.join("linea.toml"));
    let (_, err, code) = linea_in(&r, &["check"], Duration::from_secs(60));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    std::fs::remove_file(r.join("linea.toml")).expect("rm");
    std::fs::write(dir.path().join("outside/base.toml"), "select = [\"DF\"]\n").expect("write");
    std::fs::write(r.join("linea.toml"), "extend = \"../outside/base.toml\"\n").expect("write");
    let (_, err, code) = linea_in(&r, &["check"], Duration::from_secs(60));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("outside the repository"), "{err}");
}

#[test]
fn stdin_is_read_to_its_budget_only() {
    let _g = serial();
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("tempdir");
    // a repository root: no config above the temp dir applies
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_linea"))
        .args(["check", "-f", "concise", "--stdin-filename", "Dockerfile", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    // a writer that never ends: linea must stop reading, and the pipe then breaks
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'#'; 1 << 16];
        let mut sent = 0u64;
        while stdin.write_all(&chunk).is_ok() {
            sent += chunk.len() as u64;
            if sent > 4 << 30 {
                break;
            }
        }
        sent
    });
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("linea kept reading stdin");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let sent = writer.join().expect("writer");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(sent < (300 << 20), "{sent} bytes were taken");
    assert!(stdout.contains("Dockerfile:1:1: PARSE004"), "{stdout}");
    assert!(stdout.contains("256 MiB"), "{stdout}");
}

// --- the language server (item 4) ----------------------------------------------------------------

fn lsp_frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn lsp_read(reader: &mut impl std::io::BufRead) -> Option<serde_json::Value> {
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

/// The peak resident memory of a running process, from `/proc` (Linux only).
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn the_language_server_survives_its_input() {
    use std::io::Write as _;
    let _g = serial();
    let dir = repo(&[]);
    let root = dir.path().join("repo");
    let mut child = Command::new(env!("CARGO_BIN_EXE_linea"))
        .arg("server")
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut r = std::io::BufReader::new(stdout);
        while let Some(m) = lsp_read(&mut r) {
            if tx.send(m).is_err() {
                break;
            }
        }
    });
    let wait = |pred: &dyn Fn(&serde_json::Value) -> bool| -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(m) if pred(&m) => return m,
                Ok(_) => {}
                Err(e) => panic!("no expected message from the server: {e}"),
            }
        }
    };
    let uri = format!("file://{}", root.display());
    let init = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": uri, "capabilities": {}}});
    stdin.write_all(&lsp_frame(&init.to_string())).expect("write");
    wait(&|m| m["id"] == 1);
    stdin
        .write_all(&lsp_frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#))
        .expect("write");

    // malformed JSON, a value that is no message, a header without a length, a deep value
    stdin
        .write_all(&lsp_frame("{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": "))
        .expect("write");
    let e = wait(&|m| m.get("error").is_some());
    assert_eq!(e["error"]["code"], -32700, "{e}");
    stdin
        .write_all(&lsp_frame(r#"{"jsonrpc":"2.0","id":3}"#))
        .expect("write");
    let e = wait(&|m| m.get("error").is_some());
    assert_eq!(
        (e["id"].clone(), e["error"]["code"].clone()),
        (serde_json::json!(3), serde_json::json!(-32600))
    );
    stdin.write_all(b"Content-Type: x\r\n\r\n").expect("write");
    wait(&|m| m.get("error").is_some());
    stdin.write_all(&lsp_frame(&"[".repeat(100_000))).expect("write");
    wait(&|m| m.get("error").is_some());
    // a length over the message budget, with its body: skipped, never held
    let over = linea::budget::LSP_MESSAGE_BYTES.get() + 1;
    stdin
        .write_all(format!("Content-Length: {over}\r\n\r\n").as_bytes())
        .expect("write");
    let chunk = vec![b' '; 1 << 20];
    let mut left = over;
    while left > 0 {
        let n = left.min(chunk.len());
        stdin.write_all(&chunk[..n]).expect("write");
        left -= n;
    }
    let e = wait(&|m| m.get("error").is_some());
    assert!(e["error"]["message"].as_str().unwrap_or("").contains("64 MiB"), "{e}");

    // a document with more findings than the budget: capped, with one notice
    let text = "FROM alpine:latest\n".repeat(1_500);
    let open = serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
        {"uri": format!("{uri}/Dockerfile"), "languageId": "dockerfile", "version": 1, "text": text}}});
    stdin.write_all(&lsp_frame(&open.to_string())).expect("write");
    let published = wait(&|m| m["method"] == "textDocument/publishDiagnostics");
    let diags = published["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(diags.len(), 1_001, "{}", diags.len());
    assert!(diags[1_000]["message"]
        .as_str()
        .unwrap_or("")
        .contains("more findings not shown"));

    // still answering, and shutting down as asked
    stdin
        .write_all(&lsp_frame(r#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#))
        .expect("write");
    let r = wait(&|m| m["id"] == 9);
    assert!(r.get("error").is_none(), "{r}");
    let peak = peak_rss_kb(child.id());
    stdin
        .write_all(&lsp_frame(r#"{"jsonrpc":"2.0","method":"exit"}"#))
        .expect("write");
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(30);
    let code = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s.code();
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(code, Some(0));
    // the 64 MiB body was not held (a debug build idles around 20 MiB)
    if let Some(kb) = peak {
        assert!(kb < 60 * 1024, "peak RSS {kb} KB");
    }
}

// --- `--fix` never loses data (item 3) -----------------------------------------------------------

const ADD: &str = "FROM python:3.12-slim\nADD app.py /srv/app.py\n";
const COPIED: &str = "FROM python:3.12-slim\nCOPY app.py /srv/app.py\n";

fn temp_files_left(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("linea-fix"))
        .collect()
}

#[test]
fn fix_leaves_a_file_that_changed_since_it_was_read() {
    let _g = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("Dockerfile");
    // the editor saved after linea read the file: its save wins, nothing is lost
    std::fs::write(&p, "FROM python:3.12-slim\nADD app.py /srv/app.py\nUSER app\n").expect("write");
    let r = linea::cli::fix::write_checked(&p, ADD, COPIED, usize::MAX);
    assert!(matches!(r, Err(linea::cli::fix::Unwritten::Changed)), "{r:?}");
    assert!(std::fs::read_to_string(&p).expect("read").ends_with("USER app\n"));
    assert!(temp_files_left(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn fix_keeps_mode_owner_links_and_bom() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let _g = serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join(".git")).expect("mkdir");
    let write = |name: &str, text: &str, mode: u32| {
        let p = d.join(name);
        std::fs::write(&p, text).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
        p
    };
    let secret = write("secret.Dockerfile", ADD, 0o600);
    let readonly = write("readonly.Dockerfile", ADD, 0o444);
    let linked = write("linked.Dockerfile", ADD, 0o644);
    std::fs::hard_link(&linked, d.join("other-name")).expect("hard link");
    let bom = write("bom.Dockerfile", &format!("\u{feff}{ADD}"), 0o644);
    let owned = write("owned.Dockerfile", ADD, 0o640);
    let chowned = std::os::unix::fs::chown(&owned, Some(4242), Some(4343)).is_ok();

    let (_, err, _) = linea_in(
        d,
        &["check", "--fix", "--select", "DF006", "."],
        Duration::from_secs(60),
    );
    let read = |p: &Path| std::fs::read_to_string(p).expect("read");
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o7777;
    assert_eq!(read(&secret), COPIED, "{err}");
    assert_eq!(mode(&secret), 0o600);
    // read-only: left as it was, and said so
    assert_eq!(read(&readonly), ADD);
    assert!(
        err.contains("readonly.Dockerfile: left unchanged: it is read-only"),
        "{err}"
    );
    // both names of a hard-linked file see the fix, still one file
    assert_eq!(read(&linked), COPIED);
    assert_eq!(read(&d.join("other-name")), COPIED);
    assert_eq!(std::fs::metadata(&linked).expect("stat").nlink(), 2);
    assert_eq!(
        std::fs::read(&bom).expect("read"),
        format!("\u{feff}{COPIED}").into_bytes()
    );
    if chowned {
        let m = std::fs::metadata(&owned).expect("stat");
        assert_eq!((m.uid(), m.gid(), mode(&owned)), (4242, 4343, 0o640));
        assert_eq!(read(&owned), COPIED);
    }
    assert!(temp_files_left(d).is_empty(), "{:?}", temp_files_left(d));
}

// --- nested `$( )` in shell text --------------------------------------------------------------

/// `echo "$(echo "$(echo … $TOKEN … )")"` nested until the text is about `bytes` long.
fn nested_substitutions(bytes: usize) -> String {
    let levels = bytes / "echo \"$()\" ".len();
    let mut s = String::with_capacity(bytes + 16);
    for _ in 0..levels {
        s.push_str("echo \"$(");
    }
    s.push_str("echo $TOKEN");
    for _ in 0..levels {
        s.push_str(")\"");
    }
    s
}

#[test]
fn nested_command_substitutions_cost_linear_memory() {
    let _g = serial();
    // 240 KB of nested `$( )` in a RUN: every level copied the rest of the script, >6 GB before
    let script = nested_substitutions(240 * 1024);
    let dockerfile = format!("FROM alpine:latest\nRUN {script}\nUSER app\n");
    let (outcome, peak) = peak_during(|| lint(vec![memory("Dockerfile", FileKind::Dockerfile, dockerfile)]));
    // the file is still reported on: the unpinned base image
    assert!(!findings(&outcome, "DF001").is_empty(), "{:?}", outcome.diagnostics);
    assert!(peak < 64 * MB, "Dockerfile: peak {} MB", peak / MB);

    // 120 KB in a workflow `run:`: the same, and each word's written text was copied again
    let script = nested_substitutions(120 * 1024);
    let workflow = format!(
        "on: push\npermissions: {{}}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - run: |\n          {script}\n"
    );
    let (outcome, peak) = peak_during(|| {
        lint(vec![memory(
            ".github/workflows/ci.yml",
            FileKind::GithubWorkflow,
            workflow,
        )])
    });
    assert_eq!(outcome.files_scanned(), 1, "{:?}", outcome.diagnostics);
    assert!(peak < 32 * MB, "workflow: peak {} MB", peak / MB);
}

// --- globs ------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn long_globs_are_refused_and_many_ignore_patterns_applied() {
    let _g = serial();
    // 100 KB: every walked path was matched against it, over a minute before
    let long = "*a".repeat(50 * 1024);
    let mut gitignore = format!("# generated\n{long}\n");
    for i in 0..10_000 {
        gitignore.push_str(&format!("gen-{i:05}/\n"));
    }
    let dir = repo(&[
        ("svc/Dockerfile", LATEST),
        ("gen-09999/Dockerfile", LATEST),
        ("kept/Dockerfile", LATEST),
        (".gitignore", &gitignore),
    ]);
    let r = dir.path().join("repo");
    let started = Instant::now();
    let (out, err, code) = linea_in(
        &r,
        &["check", "-f", "concise", "--select", "DF001,PARSE"],
        Duration::from_secs(60),
    );
    let lines: Vec<&str> = out.lines().collect();
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    // the long pattern is reported at its line and skipped; the 10,000 others are applied
    assert!(
        has(".gitignore:2:1: PARSE004") && has("ignore pattern exceeds the value budget of 4 KiB"),
        "{out}\n{err}"
    );
    assert!(
        has("svc/Dockerfile:1:6: DF001") && has("kept/Dockerfile:1:6: DF001"),
        "{out}"
    );
    assert!(!has("gen-09999"), "{out}");
    assert_eq!(code, Some(1), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());

    // in the repository's config: an error naming the budget, at once
    std::fs::write(r.join(".gitignore"), "").expect("write");
    std::fs::write(r.join("linea.toml"), format!("exclude = [\"{long}\"]\n")).expect("write");
    let started = Instant::now();
    let (out, err, code) = linea_in(&r, &["check", "-f", "concise"], Duration::from_secs(60));
    assert_eq!(code, Some(2), "{out}\n{err}");
    assert!(err.contains("glob exceeds the value budget of 4 KiB"), "{err}");
    assert!(
        err.len() < 4096,
        "the message does not repeat the glob: {} bytes",
        err.len()
    );
    // on the command line
    std::fs::remove_file(r.join("linea.toml")).expect("rm");
    let (_, err, code) = linea_in(&r, &["check", "--exclude", &long], Duration::from_secs(60));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--exclude glob: glob exceeds the value budget of 4 KiB"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

// --- byte order marks -------------------------------------------------------------------------

/// Files whose first line holds a finding, for each format that reads line 1.
const LINE_ONE: &[(&str, &str)] = &[
    ("Dockerfile", "FROM alpine:latest\nUSER app\n"),
    (
        "k8s/pod.yaml",
        "{apiVersion: v1, kind: Pod, metadata: {name: web}, spec: {containers: [{name: web, image: \"nginx:latest\"}]}}\n",
    ),
    (
        "infra/db.tf",
        "resource \"aws_db_instance\" \"db\" { password = \"hunter2-but-longer\" }\n",
    ),
    ("app/config.py", "import yaml; CONFIG = yaml.load(open(\"config.yml\"))\n"),
];

#[test]
fn a_byte_order_mark_moves_no_column() {
    let _g = serial();
    let plain = repo(LINE_ONE);
    let with_bom: Vec<(&str, String)> = LINE_ONE.iter().map(|(p, t)| (*p, format!("\u{feff}{t}"))).collect();
    let with_bom: Vec<(&str, &str)> = with_bom.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let bom = repo(&with_bom);
    let run = |d: &tempfile::TempDir| {
        let (out, err, _) = linea_in(
            &d.path().join("repo"),
            &["check", "-f", "concise"],
            Duration::from_secs(60),
        );
        let mut lines: Vec<String> = out.lines().filter(|l| l.contains(": ")).map(str::to_string).collect();
        lines.sort();
        (lines, err)
    };
    let (expected, err) = run(&plain);
    let (got, _) = run(&bom);
    for (path, _) in LINE_ONE {
        assert!(
            expected.iter().any(|l| l.starts_with(&format!("{path}:1:"))),
            "no finding on line 1 of {path}: {expected:#?}\n{err}"
        );
    }
    assert_eq!(got, expected);
    assert!(
        expected.iter().any(|l| l.starts_with("Dockerfile:1:6: DF001")),
        "{expected:#?}"
    );
}

// --- file names -------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_backslash_in_a_file_name_is_kept() {
    let _g = serial();
    // on Unix `\` is a character of a name, not a separator: `svc\api` is one directory
    let dir = repo(&[("svc\\api/Dockerfile", LATEST)]);
    let r = dir.path().join("repo");
    let run = |format: &str| {
        linea_in(
            &r,
            &["check", "-f", format, "--select", "DF001"],
            Duration::from_secs(60),
        )
        .0
    };
    let concise = run("concise");
    assert!(concise.contains("svc\\api/Dockerfile:1:6: DF001"), "{concise}");
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("json report");
    let paths: Vec<&str> = json
        .pointer("/diagnostics")
        .and_then(|d| d.as_array())
        .map(|d| {
            d.iter()
                .filter_map(|d| d.get("path").and_then(|p| p.as_str()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(paths, ["svc\\api/Dockerfile"], "{json}");
    let sarif = run("sarif");
    assert!(sarif.contains("\"svc%5Capi/Dockerfile\""), "{sarif}");
    let github = run("github");
    assert!(github.contains("file=svc\\api/Dockerfile,"), "{github}");
}

// --- shell pipelines --------------------------------------------------------------------------

/// Lint `inputs` on a thread of its own and wait at most `limit` for it: a case that went
/// quadratic fails here by a wide margin instead of hanging the suite.
fn lint_within(limit: Duration, inputs: Vec<SourceInput>) -> Outcome {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(lint(inputs));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|e| panic!("lint did not finish in {limit:?}: {e}"))
}

/// `a "$(a "$(… a …)" | a)" | a`: a pipeline at each of `levels` levels of nesting.
fn nested_pipelines(levels: usize) -> String {
    let mut s = "a \"$(".repeat(levels);
    s.push('a');
    s.push_str(&")\" | a".repeat(levels));
    s
}

#[test]
fn long_pipelines_are_refused_before_they_are_parsed() {
    let _g = serial();
    let limit = Duration::from_secs(60);
    let budget = "shell script exceeds the value budget of 1,000 pipes";
    // 200 KB of `a | a | …` ending in an option before a pipe: the shell parser's error
    // recovery walked every open stage (20 s and 5 GB for 100 KB), and every command was
    // looked for in every stage (minutes)
    let chain = "a | ".repeat(200 * 1024 / "a | ".len());
    let dockerfile = format!("FROM alpine:latest\nRUN {chain}curl -fsSL https://get.example/i | sh\nUSER app\n");
    let started = Instant::now();
    let (outcome, peak) =
        peak_during(|| lint_within(limit, vec![memory("Dockerfile", FileKind::Dockerfile, dockerfile)]));
    let over = findings(&outcome, "PARSE004");
    assert_eq!(over.len(), 1, "{:?}", outcome.diagnostics);
    assert!(over[0].message.contains(budget), "{}", over[0].message);
    // the rest of the file is still reported on: the unpinned base image
    assert!(!findings(&outcome, "DF001").is_empty(), "{:?}", outcome.diagnostics);
    assert!(peak < 64 * MB, "Dockerfile: peak {} MB", peak / MB);
    let took = vec![("Dockerfile chain", started.elapsed())];

    // a script at the budget is parsed, and its download is linked to the shell at the far end
    let chain = "a | ".repeat(998);
    let dockerfile = format!("FROM alpine:3.19\nRUN {chain}curl -fsSL https://get.example/i | sh\nUSER app\n");
    let outcome = lint_within(limit, vec![memory("Dockerfile", FileKind::Dockerfile, dockerfile)]);
    assert!(findings(&outcome, "PARSE004").is_empty(), "{:?}", outcome.diagnostics);
    assert_eq!(findings(&outcome, "DF012").len(), 1, "{:?}", outcome.diagnostics);

    // the same in a workflow `run:`, and a pipeline at every level of 200 KB of nesting
    let chain = "a | ".repeat(200 * 1024 / "a | ".len());
    let workflow = format!(
        "on: push\npermissions: {{}}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - run: {chain}curl -fsSL https://get.example/i | sh\n      - run: curl -fsSL https://x.example | sh\n"
    );
    let nested = format!(
        "FROM alpine:3.19\nRUN {}\nUSER app\n",
        nested_pipelines(200 * 1024 / "a \"$()\" | a".len())
    );
    let mut took = took;
    // the refused script reports nothing of its own; the workflow's next step is still read
    for (path, kind, text, rule, expected) in [
        (
            ".github/workflows/ci.yml",
            FileKind::GithubWorkflow,
            workflow,
            "CI013",
            1,
        ),
        ("nested/Dockerfile", FileKind::Dockerfile, nested, "DF021", 0),
    ] {
        let started = Instant::now();
        let (outcome, peak) = peak_during(|| lint_within(limit, vec![memory(path, kind, text)]));
        let over = findings(&outcome, "PARSE004");
        assert_eq!(over.len(), 1, "{path}: {:?}", outcome.diagnostics);
        assert!(over[0].message.contains(budget), "{}", over[0].message);
        assert_eq!(
            findings(&outcome, rule).len(),
            expected,
            "{path}: {:?}",
            outcome.diagnostics
        );
        assert!(peak < 64 * MB, "{path}: peak {} MB", peak / MB);
        took.push((path, started.elapsed()));
    }
    for (case, took) in took {
        assert!(took < Duration::from_secs(10), "{case}: {took:?}");
    }
}

// --- Terraform joins ------------------------------------------------------------------------------

#[test]
fn storage_accounts_are_joined_to_their_network_rules_in_linear_time() {
    let _g = serial();
    // one 3.4 MB module of 15,000 accounts without network rules and 15,000 with a separate
    // `azurerm_storage_account_network_rules`: TF127 scanned every rules resource for every
    // account (390 s in a debug build; 6 s with the module's index)
    let n = 15_000;
    let mut tf = String::with_capacity(4 * MB);
    for i in 0..n {
        tf.push_str(&format!(
            "resource \"azurerm_storage_account\" \"open_{i}\" {{\n  name = \"open{i}\"\n}}\n\
             resource \"azurerm_storage_account\" \"ruled_{i}\" {{\n  name = \"ruled{i}\"\n}}\n\
             resource \"azurerm_storage_account_network_rules\" \"rules_{i}\" {{\n  \
             storage_account_id = azurerm_storage_account.ruled_{i}.id\n}}\n"
        ));
    }
    let outcome = lint_within(
        Duration::from_secs(60),
        vec![memory("infra/storage.tf", FileKind::Terraform, tf)],
    );
    // every account without rules is reported, none of those the rules name
    let open = findings(&outcome, "TF127");
    assert_eq!(open.len(), n, "{:?}", open.first());
    let named = open.iter().find(|d| !d.message.contains("`open_"));
    assert!(named.is_none(), "{named:?}");
}
