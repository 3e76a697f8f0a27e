//! DF007: `apt-get install` without `--no-install-recommends`.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::docker::{apt_install, in_final_image, insert_option_after};
use crate::rules::{target, Applicability, FileContext, FileRule};
use crate::semantic::command::Read;

pub struct AptNoInstallRecommends;

impl FileRule for AptNoInstallRecommends {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        // size rule: build stages do not ship their layers
        if !in_final_image(d, i) {
            return;
        }
        for cmd in i.commands() {
            let Some((verb, args)) = apt_install(cmd) else { continue };
            let all = cmd.effective_args();
            let off = all.iter().chain(args).any(|a| {
                a.text == "--no-install-recommends"
                    || a.text.contains("Install-Recommends=false")
                    || a.text.contains("Install-Recommends=0")
            });
            if !off {
                // unsafe: a recommended package may be one the program needs (`curl` recommends
                // `ca-certificates`)
                let fix = insert_option_after(cx, cmd, verb, "--no-install-recommends", Applicability::Unsafe);
                cx.report(verb.span, "`apt-get install` without `--no-install-recommends`")
                    .fix = fix;
            }
        }
    }
}
