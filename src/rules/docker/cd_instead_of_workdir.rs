//! DF014: a RUN that starts with `cd` to set the directory for the rest of it.

use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct CdInsteadOfWorkdir;

impl Rule for CdInsteadOfWorkdir {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(_, i) = subject else {
            return;
        };
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
