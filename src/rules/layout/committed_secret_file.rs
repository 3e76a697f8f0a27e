use crate::discover::FileKind;
use crate::project::python::first_line;
use crate::project::ParsedFile;
use crate::project::Project;
use crate::rules::layout::file_name;
use crate::rules::{ProjectContext, ProjectRule};
use crate::source::Span;

pub struct CommittedSecretFile;

const TEST_DIRS: &[&str] = &["tests", "test", "testdata", "test-data", "fixtures", "testing"];

const TEMPLATES: &[&str] = &[
    "example", "sample", "template", "tpl", "dist", "defaults", "default", "schema",
];

/// The first `KEY=value` line of a dotenv file with a non-empty value.
fn env_value_line(text: &str) -> Option<Span> {
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += raw.len();
        let t = line.trim();
        if t.starts_with('#') {
            continue;
        }
        let t = t.strip_prefix("export ").unwrap_or(t);
        let Some((_, v)) = t.split_once('=') else { continue };
        let v = v.split(" #").next().unwrap_or("").trim().trim_matches(['"', '\'']);
        if !v.is_empty() {
            let lead = line.len() - line.trim_start().len();
            return Some(Span::new(start + lead, start + line.len()));
        }
    }
    None
}

/// What a committed file is, when it is a secret; and where to point.
fn secret(f: &ParsedFile) -> Option<(&'static str, Span)> {
    let name = file_name(f).to_ascii_lowercase();
    let text = &f.source.text;
    let top = first_line(text);
    if name.ends_with(".tfstate") || name.ends_with(".tfstate.backup") {
        return Some(("Terraform state holds every secret of its resources", top));
    }
    if name.ends_with(".tfplan") || name == "tfplan" {
        return Some((
            "a saved Terraform plan holds every planned value, secrets included",
            top,
        ));
    }
    if name == ".env" || name.starts_with(".env.") {
        if name.split('.').any(|w| TEMPLATES.contains(&w)) {
            return None;
        }
        return env_value_line(text).map(|s| ("environment file with values", s));
    }
    if matches!(name.as_str(), "id_rsa" | "id_ed25519" | "id_ecdsa" | "id_dsa") {
        return Some(("SSH private key", top));
    }
    if name.ends_with(".pfx") || name.ends_with(".p12") {
        return Some(("PKCS#12 bundle with a private key", top));
    }
    if name.ends_with(".pem") || name.ends_with(".key") {
        // certificates are public; only private keys are secrets
        return text.contains("PRIVATE KEY").then_some(("private key", top));
    }
    if name == "kubeconfig" {
        return Some(("kubeconfig with cluster credentials", top));
    }
    None
}

impl ProjectRule for CommittedSecretFile {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        for f in p.files_of(FileKind::Sensitive) {
            // throwaway keys and env files of a test suite are fixtures, not credentials
            let rel = cx.settings.relative(&f.source.path);
            let in_tests = rel.components().any(|c| TEST_DIRS.iter().any(|t| c.as_os_str() == *t));
            if in_tests {
                continue;
            }
            if let Some((what, span)) = secret(f) {
                let msg = format!("committed secret file `{}` ({what})", file_name(f));
                cx.report_in(f.source.id, span, msg);
            }
        }
    }
}
