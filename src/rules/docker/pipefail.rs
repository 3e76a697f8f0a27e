//! DF021: RUN with a pipe and no `set -o pipefail` under a bash/sh SHELL.

use crate::lang::docker::{Dockerfile, Instruction, Stage};
use crate::rules::docker::{base_stage, resolved_image};
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct Pipefail;

/// The SHELL in effect for instruction `i`: the last SHELL of its stage before it, else the
/// one inherited from the stage it is built FROM; `None` means the default `/bin/sh -c`.
fn shell_for<'a>(d: &'a Dockerfile, stage: &'a Stage, before: usize) -> Option<&'a Instruction> {
    let mut stage = stage;
    let mut end = before;
    for _ in 0..d.stages.len() {
        let found = d
            .instructions
            .get(stage.from + 1..end.min(stage.end))
            .unwrap_or(&[])
            .iter()
            .rev()
            .find(|i| i.is("SHELL"));
        if found.is_some() {
            return found;
        }
        let b = base_stage(d, stage)?;
        stage = b;
        end = b.end;
    }
    None
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

impl Rule for Pipefail {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(d, i) = subject else {
            return;
        };
        if !i.is("RUN") || i.scripts.is_empty() {
            return;
        }
        let Some(stage) = i.stage.and_then(|s| d.stages.get(s)) else {
            return;
        };
        match shell_for(d, stage, i.index) {
            Some(shell) => {
                let Some(program) = shell.args.first() else { return };
                if !is_posix(&program.text) {
                    return;
                }
                let words: Vec<&str> = shell.args.iter().map(|a| a.text.as_str()).collect();
                if words
                    .windows(2)
                    .any(|w| w[1] == "pipefail" && w[0].starts_with('-') && w[0].contains('o'))
                {
                    return;
                }
            }
            None => {
                // Windows images run `cmd /S /C` by default
                let image = resolved_image(d, stage).unwrap_or_default().to_ascii_lowercase();
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
                cmds.peek().is_some() && cmds.all(|c| matches!(c.program(), Some("echo" | "printf")))
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
