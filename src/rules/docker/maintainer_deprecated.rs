//! DF020: the deprecated MAINTAINER instruction.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, Edit, FileContext, FileRule, Fix};
use crate::source::Span;

pub struct MaintainerDeprecated;

impl FileRule for MaintainerDeprecated {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        if i.is("MAINTAINER") {
            let fix = as_label(cx, i);
            cx.report(i.keyword_span, "`MAINTAINER` is deprecated").fix = fix;
        }
    }
}

/// `MAINTAINER name <mail>` → `LABEL org.opencontainers.image.authors="name <mail>"` (the label
/// the rule's help names, which registries and scanners read), for a one-line value.
fn as_label(cx: &FileContext<'_>, i: &Instruction) -> Option<Fix> {
    let value = cx.source().slice(Span::new(i.keyword_span.end, i.span.end)).trim();
    // a continued line or an empty value: what the value is, is not plain to see
    if value.is_empty() || value.contains(['\n', '\r']) || value.ends_with(['\\', '`']) {
        return None;
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        // MAINTAINER takes its value literally; LABEL unquotes and expands `$`
        if matches!(c, '"' | '\\' | '$') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    let keyword = if cx
        .source()
        .slice(i.keyword_span)
        .starts_with(|c: char| c.is_ascii_lowercase())
    {
        "label"
    } else {
        "LABEL"
    };
    Some(Fix::safe(vec![Edit::replace(
        Span::new(i.keyword_span.start, i.span.end),
        format!("{keyword} org.opencontainers.image.authors=\"{quoted}\""),
    )]))
}
