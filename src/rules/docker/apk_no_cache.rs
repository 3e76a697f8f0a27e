//! DF023: `apk add` without `--no-cache`.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::docker::{in_final_image, insert_option_after};
use crate::rules::{target, Applicability, FileContext, FileRule};
use crate::semantic::command::Read;

pub struct ApkNoCache;

impl FileRule for ApkNoCache {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        // size rule: build stages do not ship their layers
        if !i.is("RUN") || !in_final_image(d, i) {
            return;
        }
        let cache_mount = i
            .flags
            .iter()
            .any(|f| f.name.text == "mount" && f.value.as_ref().is_some_and(|v| v.text.contains("/var/cache/apk")));
        let cleaned = i
            .commands()
            .any(|c| c.program() == "rm" && c.effective_args().iter().any(|a| a.text.starts_with("/var/cache/apk")));
        if cache_mount || cleaned {
            return;
        }
        for cmd in i.commands() {
            if cmd.program() != "apk" {
                continue;
            }
            let args = cmd.effective_args();
            let Some(verb) = args.iter().find(|a| !a.text.starts_with('-')) else {
                continue;
            };
            if verb.text == "add" && !args.iter().any(|a| a.text == "--no-cache") {
                let fix = insert_option_after(cx, cmd, verb, "--no-cache", Applicability::Safe);
                cx.report(verb.span, "`apk add` without `--no-cache`").fix = fix;
            }
        }
    }
}
