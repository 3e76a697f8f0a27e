//! Every built-in rule against its fixtures: findings must equal the `# expect:` markers.

use std::path::Path;

use linea::rules::harness;
use linea::rules::registry::Registry;

#[test]
fn every_rule_passes_its_fixtures() {
    let registry = Registry::builtin().expect("built-in rules load");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let reports = harness::check_all(&registry, &root, true);
    let failures: Vec<String> = reports.iter().flat_map(|r| r.failures()).collect();
    assert!(reports.len() >= 4, "expected the built-in rules to have fixtures");
    assert!(failures.is_empty(), "fixture failures:\n{}", failures.join("\n"));
}
