//! DF016: CMD/ENTRYPOINT in shell form.

use crate::lang::docker::Form;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct ShellFormCmd;

impl Rule for ShellFormCmd {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(_, i) = subject else {
            return;
        };
        if !(i.is("CMD") || i.is("ENTRYPOINT")) || i.form != Some(Form::Shell) {
            return;
        }
        let Some(arg) = i.args.first() else { return };
        cx.report(
            arg.span,
            format!("`{}` in shell form runs under `/bin/sh -c`", i.keyword),
        );
    }
}
