//! DF009: a distribution package (`apt-get install`, `apk add`, `yum`/`dnf`/`zypper install`)
//! installed without a version.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::package::{install, removed};

pub struct OsPackageUnpinned;

impl FileRule for OsPackageUnpinned {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        let commands: Vec<_> = i.commands().collect();
        for (n, cmd) in commands.iter().enumerate() {
            let Some(inst) = install(cmd).filter(|x| x.manager.is_system()) else {
                continue;
            };
            // build dependencies removed again in the same RUN are not in the image
            let later: Vec<&str> = commands
                .get(n + 1..)
                .unwrap_or(&[])
                .iter()
                .flat_map(|c| removed(c))
                .map(|w| w.text.as_str())
                .collect();
            if inst.group().is_some_and(|g| later.contains(&g)) {
                continue;
            }
            for pkg in inst.unpinned() {
                if later.contains(&pkg.text.as_str()) {
                    continue;
                }
                let t = &pkg.text;
                let pinned = inst.manager.pinned_spelling(t);
                cx.report(pkg.span, format!("package `{t}` is not pinned to a version"))
                    .help = Some(format!(
                    "pin it: `{} {} {pinned}`",
                    inst.program.program(),
                    inst.verb.text
                ));
            }
        }
    }
}
