//! DF015: more than one CMD or ENTRYPOINT in a stage.

use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct MultipleCmd;

impl Rule for MultipleCmd {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Dockerfile]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Dockerfile(d) = subject else { return };
        for stage in &d.stages {
            for kw in ["CMD", "ENTRYPOINT"] {
                let mut seen: Option<&crate::lang::docker::Instruction> = None;
                for i in d.stage_instructions(stage).iter().filter(|i| i.is(kw)) {
                    if let Some(first) = seen {
                        let line = cx
                            .source()
                            .map(|s| s.position(first.keyword_span.start).line)
                            .unwrap_or_default();
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
