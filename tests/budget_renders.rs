//! The run's budgets count what chart renders and overlay builds expand, on whatever thread of
//! the pool each runs (a per-run limit would otherwise be a per-thread one).

use std::path::Path;

use linea::budget::{self, YAML_ALIAS_BYTES_PER_RUN};
use linea::config::{Config, Configs, Settings};
use linea::discover::FileKind;
use linea::project::{self, Keep, ParsedFile};
use linea::source::FileId;

/// A chart whose values copy an anchored block with an alias, as real values files share
/// resources between components.
fn chart(dir: &Path, name: &str) {
    let files = [
        ("Chart.yaml", format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n")),
        (
            "values.yaml",
            "defaults: &defaults\n  resources:\n    limits: {cpu: 500m, memory: 256Mi}\n    requests: {cpu: 100m, memory: 128Mi}\napi: *defaults\nworker: *defaults\n".to_string(),
        ),
        (
            "templates/configmap.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}\ndata:\n  cpu: {{ .Values.api.resources.limits.cpu | quote }}\n".to_string(),
        ),
    ];
    for (path, text) in files {
        let p = dir.join(name).join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
}

/// The alias bytes the renders of `charts` charts count against one run.
fn alias_bytes(charts: usize) -> u64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings::from_config(Config::default(), None, dir.path().to_path_buf()).expect("settings");
    let names: Vec<String> = (0..charts).map(|i| format!("svc-{i}")).collect();
    let mut files: Vec<ParsedFile> = Vec::new();
    for name in &names {
        chart(dir.path(), name);
        for (path, kind) in [("Chart.yaml", FileKind::Yaml), ("values.yaml", FileKind::Yaml)] {
            let path = dir.path().join(name).join(path);
            let text = std::fs::read_to_string(&path).expect("read");
            let id = FileId(files.len() as u32);
            files.push(project::parse(id, path, kind, text, &settings));
        }
    }
    let configs = Configs::single(settings);
    let run = budget::Run::new();
    let found = budget::within(Some(&run), || {
        project::rendered::render_charts(&mut files, &configs, &Default::default(), Keep::ALL)
    });
    assert!(found.is_empty(), "{found:?}");
    assert!(files.iter().any(|f| f.rendered.is_some()), "the charts rendered");
    run.used(&YAML_ALIAS_BYTES_PER_RUN)
}

#[test]
fn chart_renders_count_against_the_run_on_every_thread() {
    let one = alias_bytes(1);
    assert!(one > 0, "the values' aliases are counted");
    // rendered on the pool's threads, not the one that started the run
    assert_eq!(alias_bytes(6), 6 * one);
}
