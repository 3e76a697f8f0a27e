//! DF011: `pip install pkg` without a version.

use crate::diagnostic::shown;
use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::docker::{is_local_or_url, pip_install, pip_packages, requirement_name};
use crate::rules::{target, FileContext, FileRule};

pub struct PipUnpinned;

/// Installer tooling bootstrapped before the real install; its version does not shape the
/// application.
const BOOTSTRAP: &[&str] = &["pip", "setuptools", "wheel"];

impl FileRule for PipUnpinned {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
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
                cx.report(pkg.span, format!("`{}` is installed without a version", shown(t)));
            }
        }
    }
}
