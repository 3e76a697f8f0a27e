//! DF009: `apt-get install pkg` without `=version`.

use crate::rules::docker::{apt_install, apt_packages};
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct AptUnpinned;

impl Rule for AptUnpinned {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(_, i) = subject else {
            return;
        };
        for cmd in i.commands() {
            let Some((_, args)) = apt_install(cmd) else { continue };
            for pkg in apt_packages(args) {
                let t = &pkg.text;
                if pkg.dynamic || t.contains('=') || t.ends_with(".deb") || t.starts_with('/') || t.starts_with('.') {
                    continue;
                }
                cx.report(pkg.span, format!("package `{t}` is not pinned to a version"));
            }
        }
    }
}
