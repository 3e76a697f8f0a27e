//! DF008: `apt-get install` without removing `/var/lib/apt/lists` in the same RUN.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::docker::{apt_install, in_final_image};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::Read;

pub struct AptListsNotCleaned;

impl FileRule for AptListsNotCleaned {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        // build stages do not ship their layers
        if !i.is("RUN") || !in_final_image(d, i) {
            return;
        }
        let Some(verb) = i.commands().find_map(apt_install).map(|(v, _)| v) else {
            return;
        };
        let cached = i.flags.iter().any(|f| {
            f.name.text == "mount"
                && f.value
                    .as_ref()
                    .is_some_and(|v| v.text.contains("type=cache") && v.text.contains("/var/lib/apt"))
        });
        // `apt-get dist-clean` (apt 2.7+) removes the lists too
        let cleaned = i.commands().any(|c| {
            let args = c.effective_args();
            (c.program() == "rm" && args.iter().any(|a| a.text.starts_with("/var/lib/apt/lists")))
                || (matches!(c.program(), "apt-get" | "apt") && args.iter().any(|a| a.text == "dist-clean"))
        });
        if !cached && !cleaned {
            cx.report(verb.span, "`apt-get install` leaves `/var/lib/apt/lists` in the layer");
        }
    }
}
