//! DF007: `apt-get install` without `--no-install-recommends`.

use crate::rules::docker::{apt_install, in_final_image, insert_option_after};
use crate::rules::{Applicability, Context, NodeKind, Rule, Subject};

pub struct AptNoInstallRecommends;

impl Rule for AptNoInstallRecommends {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(d, i) = subject else {
            return;
        };
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
