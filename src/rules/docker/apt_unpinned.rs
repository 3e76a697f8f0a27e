//! DF009: `apt-get install pkg` without `=version`.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::docker::{apt_install, apt_packages};
use crate::rules::{target, FileContext, FileRule};

pub struct AptUnpinned;

impl FileRule for AptUnpinned {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
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
