//! DF015: more than one CMD or ENTRYPOINT in a stage.

use crate::lang::docker::Dockerfile;
use crate::rules::{target, FileContext, FileRule};

pub struct MultipleCmd;

impl FileRule for MultipleCmd {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        for stage in &d.stages {
            for kw in ["CMD", "ENTRYPOINT"] {
                let mut seen: Option<&crate::lang::docker::Instruction> = None;
                for i in d.stage_instructions(stage).iter().filter(|i| i.is(kw)) {
                    if let Some(first) = seen {
                        let line = cx.source().position(first.keyword_span.start).line;
                        cx.report(
                            i.keyword_span,
                            format!("another `{kw}` in this stage overrides the one on line {line}"),
                        );
                    } else {
                        seen = Some(i);
                    }
                }
            }
        }
    }
}
