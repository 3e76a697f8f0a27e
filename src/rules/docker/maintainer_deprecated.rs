//! DF020: the deprecated MAINTAINER instruction.

use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct MaintainerDeprecated;

impl Rule for MaintainerDeprecated {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(_, i) = subject else {
            return;
        };
        if i.is("MAINTAINER") {
            cx.report(i.keyword_span, "`MAINTAINER` is deprecated");
        }
    }
}
