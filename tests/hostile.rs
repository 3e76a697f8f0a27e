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
