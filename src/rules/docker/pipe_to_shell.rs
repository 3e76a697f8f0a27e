//! DF012: `curl ... | sh`, `wget -O- ... | bash`.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::Read;

pub struct PipeToShell;

const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ash", "ksh"];

impl FileRule for PipeToShell {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        for script in &i.scripts {
            for p in &script.pipelines {
                let mut download = None;
                for stage in &p.stages {
                    let first = script.commands_in(*stage).next();
                    let Some(first) = first else { continue };
                    let prog = first.program();
                    if download.is_none() && matches!(prog, "curl" | "wget") {
                        download = Some((first.span, prog.to_string()));
                    } else if let Some((start, tool)) = &download {
                        if SHELLS.contains(&prog) {
                            cx.report(
                                start.cover(first.span),
                                format!("`{tool}` output is piped into `{prog}`"),
                            );
                            break;
                        }
                    }
                }
            }
        }
    }
}
