//! Cross-object rules do work linear in the repository (issue 16): a generated repository of
//! 10,000 and of 20,000 Kubernetes objects, every selector starting with the same `part-of`
//! pair (the shape that made "the bucket of the first pair" hold every workload), and the work
//! the project's indexes report counted, never timed.

use std::path::PathBuf;

use linea::config::{Config, Settings};
use linea::discover::FileKind;
use linea::rules::engine::{self, Outcome, SourceInput};
use linea::rules::registry::Registry;

/// Services per file: files grow with the repository too.
const PER_FILE: usize = 25;
/// Namespaces the services are spread over.
const NAMESPACES: usize = 40;

fn service(k: usize, ns: &str) -> String {
    // one service in ten selects a label no workload has (K8S025), one in ten targets a
    // port its pods do not declare (K8S026)
    let selected = if k % 10 == 3 {
        format!("gone-{k}")
    } else {
        format!("svc-{k}")
    };
    let target = if k % 10 == 7 { "9999" } else { "http" };
    let replicas = if k % 10 == 5 { 1 } else { 3 };
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{k}
  namespace: {ns}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app.kubernetes.io/part-of: shop, app: svc-{k}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/part-of: shop, app: svc-{k}, version: v1}}
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/svc-{k}:1.0.{k}
          ports:
            - {{name: http, containerPort: 8080}}
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{k}
  namespace: {ns}
spec:
  selector: {{app.kubernetes.io/part-of: shop, app: {selected}}}
  ports:
    - {{name: http, port: 80, targetPort: {target}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: svc-{k}
  namespace: {ns}
spec:
  minAvailable: 1
  selector:
    matchLabels: {{app.kubernetes.io/part-of: shop, app: svc-{k}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: svc-{k}
  namespace: {ns}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: svc-{k}}}
  minReplicas: 2
  maxReplicas: 10
---
"
    )
}

/// A repository of `services` services of four objects each (Deployment, Service,
/// PodDisruptionBudget, HorizontalPodAutoscaler), a kustomization and a NetworkPolicy per
/// namespace, and a Python project per namespace.
fn repository(services: usize) -> Vec<SourceInput> {
    let memory = |path: String, kind: FileKind, text: String| SourceInput::Memory {
        path: PathBuf::from(path),
        kind,
        text,
    };
    let mut inputs = Vec::new();
    let mut files_of: Vec<Vec<String>> = vec![Vec::new(); NAMESPACES];
    for first in (0..services).step_by(PER_FILE) {
        let j = (first / PER_FILE) % NAMESPACES;
        let ns = format!("team-{j}-prod");
        let text: String = (first..(first + PER_FILE).min(services))
            .map(|k| service(k, &ns))
            .collect();
        let name = format!("services-{first}.yaml");
        inputs.push(memory(format!("deploy/team-{j}/{name}"), FileKind::Yaml, text));
        files_of[j].push(name);
    }
    for (j, files) in files_of.iter().enumerate() {
        let ns = format!("team-{j}-prod");
        let policy = format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: {ns}}}\n\
             spec: {{podSelector: {{}}, policyTypes: [Ingress]}}\n"
        );
        inputs.push(memory(format!("deploy/team-{j}/policy.yaml"), FileKind::Yaml, policy));
        let resources: String = files.iter().map(|f| format!("  - {f}\n")).collect();
        let kustomization = format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: {ns}\nresources:\n  - policy.yaml\n{resources}"
        );
        inputs.push(memory(
            format!("deploy/team-{j}/kustomization.yaml"),
            FileKind::Yaml,
            kustomization,
        ));
        inputs.push(memory(
            format!("services/team-{j}/pyproject.toml"),
            FileKind::PyProject,
            format!("[project]\nname = \"team-{j}\"\nversion = \"1.0\"\ndependencies = [\"fastapi==0.115.0\"]\n"),
        ));
        inputs.push(memory(
            format!("services/team-{j}/src/team_{j}/__init__.py"),
            FileKind::Python,
            "import os\n\nVERSION = os.environ.get(\"VERSION\", \"dev\")\n".to_string(),
        ));
    }
    inputs
}

/// The Kubernetes, Istio and layout rules (the others only add per-file work to a debug build).
fn lint(services: usize) -> Outcome {
    let registry = Registry::builtin().expect("built-in rules");
    let config = Config {
        select: Some(["K8S", "IST", "LAY", "XR"].map(String::from).to_vec()),
        ..Config::default()
    };
    let settings = Settings::from_config(config, None, PathBuf::from(".")).expect("settings");
    engine::run(&registry, &settings, repository(services))
}

fn count(o: &Outcome, rule: &str) -> usize {
    o.diagnostics.iter().filter(|d| d.rule == rule).count()
}

#[test]
fn cross_object_work_grows_linearly_with_the_objects() {
    // 2,500 and 5,000 services of four objects: 10,000 and 20,000 objects
    let small = lint(2_500);
    let large = lint(5_000);
    let objects = |o: &Outcome| o.project.k8s.refs().len();
    // and a NetworkPolicy per namespace (kustomizations are not objects)
    assert_eq!(objects(&small), 10_000 + NAMESPACES);
    assert_eq!(objects(&large), 20_000 + NAMESPACES);
    // the cross-object rules ran and found what the repository holds
    for (o, services) in [(&small, 2_500), (&large, 5_000)] {
        assert_eq!(count(o, "K8S025"), services / 10, "dangling services");
        assert_eq!(count(o, "K8S026"), services / 10, "target ports");
        // the single-replica deployments are autoscaled, and every workload has its budget
        assert_eq!(count(o, "K8S021"), 0);
        assert_eq!(count(o, "K8S022"), 0);
        assert_eq!(count(o, "K8S031"), 0, "every prod namespace has a NetworkPolicy");
        assert_eq!(count(o, "K8S032"), 0, "no object is defined twice");
    }
    let (s, l) = (small.project.lookup_steps(), large.project.lookup_steps());
    // every Service, workload and autoscaler lookup counts: at least one step per object
    assert!(s >= 10_000, "{s} steps for 10,000 objects");
    let ratio = l as f64 / s as f64;
    assert!(
        ratio <= 2.3,
        "{s} steps for 10,000 objects, {l} for 20,000: x{ratio:.2}"
    );
}
