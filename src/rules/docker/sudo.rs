//! DF013: `sudo` in RUN.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};

pub struct Sudo;

impl FileRule for Sudo {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        for cmd in i.commands() {
            if cmd.name.program() == "sudo" {
                cx.report(cmd.name.span, "`sudo` in `RUN`");
            }
        }
    }
}
