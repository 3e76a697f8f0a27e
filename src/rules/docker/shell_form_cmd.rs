//! DF016: CMD/ENTRYPOINT in shell form.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Form;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};

pub struct ShellFormCmd;

impl FileRule for ShellFormCmd {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
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
