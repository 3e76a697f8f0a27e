//! DF022: `COPY --from=`, `RUN --mount=from=` or `FROM` naming a stage not defined earlier.

use crate::lang::docker::{Dockerfile, Instruction};
use crate::rules::{target, FileContext, FileRule};
use crate::source::Span;

pub struct UnknownStage;

/// An image reference has a tag, digest, registry or path; a bare word is a stage name.
fn looks_like_image(r: &str) -> bool {
    r.contains([':', '@', '/', '.'])
}

/// Check a `--from` value used by instruction `i`.
fn check_from(d: &Dockerfile, i: &Instruction, value: &str, span: Span, cx: &mut FileContext<'_>) {
    let Some(current) = i.stage else { return };
    let Some(value) = d.resolve(value, i.index).filter(|v| !v.is_empty()) else {
        return;
    };
    if let Ok(n) = value.parse::<usize>() {
        if n >= current {
            cx.report(span, format!("stage index `{n}` is not an earlier stage"));
        }
        return;
    }
    match d.stage_named(&value).map(|s| s.index) {
        Some(pos) if pos < current => {}
        Some(pos) if pos == current => {
            cx.report(span, format!("stage `{value}` refers to itself"));
        }
        Some(_) => {
            cx.report(span, format!("stage `{value}` is defined later in the file"));
        }
        None if looks_like_image(&value) => {}
        None => {
            cx.report(span, format!("no stage named `{value}`"));
        }
    }
}

impl FileRule for UnknownStage {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        match i.keyword.as_str() {
            "COPY" | "ADD" => {
                if let Some(v) = i.flag("from").and_then(|f| f.value.as_ref()) {
                    check_from(d, i, &v.text, v.span, cx);
                }
            }
            "RUN" => {
                for f in i.flags.iter().filter(|f| f.name.text == "mount") {
                    let Some(v) = &f.value else { continue };
                    let mut offset = 0;
                    for part in v.text.split(',') {
                        if let Some(from) = part.strip_prefix("from=") {
                            // the value is unescaped text; its span is exact when nothing was unescaped
                            let start = v.span.start + offset + "from=".len();
                            let span = if v.span.len() == v.text.len() {
                                Span::new(start, start + from.len())
                            } else {
                                v.span
                            };
                            check_from(d, i, from, span, cx);
                        }
                        offset += part.len() + 1;
                    }
                }
            }
            "FROM" => {
                // a FROM naming the current or a later stage; other bare names are images
                let Some(current) = i.stage else { return };
                let Some(image) = i.args.first() else { return };
                // stage names are unique, so a named stage is either earlier or not
                if d.stage_named(&image.text).is_some_and(|s| s.index >= current) {
                    cx.report(
                        image.span,
                        format!("stage `{}` is not defined before this `FROM`", image.text),
                    );
                }
            }
            _ => {}
        }
    }
}
