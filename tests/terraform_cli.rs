//! Terraform input that does not parse: PARSE001 with a position, the module's other files are
//! still checked, and names the broken file may declare are not reported as undeclared.

use assert_cmd::Command;

#[test]
fn broken_module_file_and_tfvars() {
    let out = Command::cargo_bin("linea")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "tests/terraform/broken-module", "-f", "concise"])
        .args(["--select", "PARSE001,TF001,TF121"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains(": PARSE001") || l.contains(": TF"))
        .collect();
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].contains("broken-module/main.tf:6:25: TF121"), "{stdout}");
    assert!(
        lines[1].contains("broken-module/terraform.tfvars:2:7: PARSE001"),
        "{stdout}"
    );
    assert!(
        lines[2].contains("broken-module/variables.tf:5:2: PARSE001"),
        "{stdout}"
    );
}
