//! DF021: RUN with a pipe and no `set -o pipefail` under a bash/sh SHELL.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::Read;
use crate::semantic::image::{base_of, Base};

pub struct Pipefail;

/// `-o pipefail` (or `-euo pipefail`) among a shell's arguments.
fn sets_pipefail(words: &[&str]) -> bool {
    words
        .windows(2)
        .any(|w| w[1] == "pipefail" && w[0].starts_with('-') && !w[0].starts_with("--") && w[0].contains('o'))
}

fn is_posix(program: &str) -> bool {
    let base = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(program)
        .to_ascii_lowercase();
    matches!(
        base.trim_end_matches(".exe"),
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh"
    )
}

impl FileRule for Pipefail {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        if !i.is("RUN") || i.scripts.is_empty() {
            return;
        }
        // `RUN ["bash", "-o", "pipefail", "-c", "..."]` sets it on its own shell
        let exec_words: Vec<&str> = i.args.iter().map(|a| a.text.as_str()).collect();
        if i.form == Some(crate::lang::docker::Form::Exec) && sets_pipefail(&exec_words) {
            return;
        }
        let Some(stage) = i.stage.and_then(|s| d.stages.get(s)) else {
            return;
        };
        match i.shell.and_then(|s| d.instructions.get(s)) {
            Some(shell) => {
                let Some(program) = shell.args.first() else { return };
                if !is_posix(&program.text) {
                    return;
                }
                let words: Vec<&str> = shell.args.iter().map(|a| a.text.as_str()).collect();
                if sets_pipefail(&words) {
                    return;
                }
            }
            None => {
                // Windows images run `cmd /S /C` by default
                let image = match base_of(d, stage) {
                    Base::Image(i) => i.to_ascii_lowercase(),
                    _ => String::new(),
                };
                if d.escape == '`'
                    || image.contains("windows")
                    || image.contains("nanoserver")
                    || image.contains("servercore")
                {
                    return;
                }
            }
        }
        for script in &i.scripts {
            // `echo ... | sha256sum -c -`: a literal producer cannot fail, pipefail changes nothing
            let literal = |stage: &crate::source::Span| {
                let mut cmds = script.commands_in(*stage).peekable();
                cmds.peek().is_some() && cmds.all(|c| matches!(c.program(), "echo" | "printf"))
            };
            let unprotected = script.pipelines.iter().find(|p| {
                let producers = p.stages.split_last().map(|(_, rest)| rest).unwrap_or(&[]);
                p.stages.len() > 1 && !script.pipefail_before(p.span.start) && !producers.iter().all(literal)
            });
            if let Some(pipe) = unprotected.and_then(|p| p.pipes.first()) {
                cx.report(*pipe, "pipe in `RUN` without `set -o pipefail`");
                return;
            }
        }
    }
}
