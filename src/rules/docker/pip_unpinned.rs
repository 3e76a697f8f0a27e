//! DF011: `pip install pkg` without a version.

use crate::rules::docker::{is_local_or_url, pip_install, pip_packages, requirement_name};
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct PipUnpinned;

/// Installer tooling bootstrapped before the real install; its version does not shape the
/// application.
const BOOTSTRAP: &[&str] = &["pip", "setuptools", "wheel"];

impl Rule for PipUnpinned {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(_, i) = subject else {
            return;
        };
        for cmd in i.commands() {
            let Some((_, args)) = pip_install(cmd) else { continue };
            for pkg in pip_packages(args) {
                let t = pkg.text.as_str();
                if pkg.dynamic || is_local_or_url(t) || t.contains('@') {
                    continue;
                }
                let name = requirement_name(t);
                let rest = t[name.len()..]
                    .trim_start_matches(|c: char| c != '=' && c != '<' && c != '>' && c != '~' && c != '!');
                if name.is_empty() || !rest.is_empty() || BOOTSTRAP.contains(&name.to_ascii_lowercase().as_str()) {
                    continue;
                }
                cx.report(pkg.span, format!("`{t}` is installed without a version"));
            }
        }
    }
}
