//! DF013: `sudo` in RUN.

use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct Sudo;

impl Rule for Sudo {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(_, i) = subject else {
            return;
        };
        for cmd in i.commands() {
            if cmd.name.program() == "sudo" {
                cx.report(cmd.name.span, "`sudo` in `RUN`");
            }
        }
    }
}
