//! DF011: a language package (`pip install`, `npm install`, `gem install`) installed without a
//! version.

use crate::diagnostic::shown;
use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::package::{install, Manager};

pub struct LanguagePackageUnpinned;

impl FileRule for LanguagePackageUnpinned {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        for cmd in i.commands() {
            let Some(inst) = install(cmd).filter(|x| !x.manager.is_system()) else {
                continue;
            };
            for pkg in inst.unpinned() {
                let t = pkg.text.as_str();
                let name = t.strip_suffix("@latest").or(t.strip_suffix("@next")).unwrap_or(t);
                let pinned = inst.manager.pinned_spelling(name);
                let mut help = format!(
                    "pin it: `{} {} {}`",
                    inst.program.program(),
                    inst.verb.text,
                    shown(&pinned)
                );
                if inst.manager == Manager::Pip {
                    help.push_str(", or install from a pinned requirements file");
                }
                cx.report(pkg.span, format!("`{}` is installed without a version", shown(t)))
                    .help = Some(help);
            }
        }
    }
}
