//! DF019: WORKDIR with a relative path.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};

pub struct RelativeWorkdir;

fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with('/')
        || p.starts_with('\\')
        // Windows images: `C:\app`, `c:/app`
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

impl FileRule for RelativeWorkdir {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        if !i.is("WORKDIR") {
            return;
        }
        let Some(arg) = i.args.first() else { return };
        let Some(path) = d.resolve(&arg.text, i.index) else {
            return;
        };
        let path = path.trim_matches('"');
        if !path.is_empty() && !is_absolute(path) {
            cx.report(arg.span, format!("`WORKDIR {path}` is relative"));
        }
    }
}
