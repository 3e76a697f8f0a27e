//! DF014: a RUN that starts with `cd` to set the directory for the rest of it.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};

pub struct CdInsteadOfWorkdir;

impl FileRule for CdInsteadOfWorkdir {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        let Some(script) = i.scripts.first() else { return };
        // `set -eux` before it does not change what the first real command is
        let first = script.commands.iter().find(|c| !c.nested && c.name.text != "set");
        let Some(cd) = first.filter(|c| c.name.text == "cd") else {
            return;
        };
        let Some(dir) = cd.args.first().filter(|d| d.text.starts_with('/') && !d.dynamic) else {
            return;
        };
        cx.report(
            cd.span,
            format!("`cd {}` sets the directory for the whole `RUN`", dir.text),
        );
    }
}
