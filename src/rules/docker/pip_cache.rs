//! DF010: `pip install` without `--no-cache-dir`.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::docker::{in_final_image, insert_option_after, pip_install};
use crate::rules::{target, Applicability, FileContext, FileRule};

pub struct PipCache;

impl FileRule for PipCache {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        // size rule: build stages do not ship their layers
        if !i.is("RUN") || !in_final_image(d, i) {
            return;
        }
        // a cache mount keeps the cache out of the layer on purpose
        let cache_mount = i
            .flags
            .iter()
            .any(|f| f.name.text == "mount" && f.value.as_ref().is_some_and(|v| v.text.contains("type=cache")));
        if cache_mount {
            return;
        }
        // looked up only when a pip install is there: the lookup walks the stage
        let env_off = || {
            d.variable("PIP_NO_CACHE_DIR", i.index).is_some_and(|v| {
                matches!(
                    v.to_ascii_lowercase().as_str(),
                    "1" | "true" | "yes" | "on" | "off" | "0" | "false"
                )
            })
        };
        for cmd in i.commands() {
            let Some((verb, args)) = pip_install(cmd) else { continue };
            if cmd.assignments.iter().any(|a| a.text.starts_with("PIP_NO_CACHE_DIR=")) {
                continue;
            }
            let flag = args
                .iter()
                .any(|a| a.text == "--no-cache-dir" || a.text == "--no-cache");
            if !flag && !env_off() {
                let fix = insert_option_after(cx, cmd, verb, "--no-cache-dir", Applicability::Safe);
                cx.report(verb.span, "`pip install` without `--no-cache-dir`").fix = fix;
            }
        }
    }
}
