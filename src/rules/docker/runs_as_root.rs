//! DF003: the final image runs as root (no USER, or the last USER is root/0).

use crate::lang::docker::{Dockerfile, Instruction, Stage};
use crate::rules::docker::base_stage;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::image::{base_of, Base};

pub struct RunsAsRoot;

fn last_user<'a>(d: &'a Dockerfile, stage: &Stage) -> Option<&'a Instruction> {
    d.stage_instructions(stage).iter().rev().find(|i| i.is("USER"))
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    // `ContainerAdministrator` is the Windows images' root
    name == "root" || name == "0" || name.eq_ignore_ascii_case("ContainerAdministrator")
}

impl FileRule for RunsAsRoot {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        let Some(last) = d.final_stage() else { return };
        // USER is inherited from the stage the final stage is built FROM
        let mut stage = last;
        let mut user = None;
        for _ in 0..d.stages.len() {
            if let Some(u) = last_user(d, stage) {
                user = Some(u);
                break;
            }
            match base_stage(d, stage) {
                Some(b) => stage = b,
                None => break,
            }
        }
        match user {
            Some(u) => {
                let Some(arg) = u.args.first() else { return };
                let value = d.resolve(&arg.text, u.index);
                if let Some(v) = value.filter(|v| is_root(v)) {
                    cx.report(arg.span, format!("the final image runs as `{v}`"));
                }
            }
            None => {
                // images such as `distroless/...:nonroot` default to an unprivileged user
                let image = match base_of(d, stage) {
                    Base::Image(i) => i,
                    _ => String::new(),
                };
                if image.contains("nonroot") {
                    return;
                }
                let Some(from) = d.instructions.get(last.from) else {
                    return;
                };
                cx.report(
                    from.keyword_span.cover(last.image.span),
                    "no `USER` in the final stage: the container runs as root",
                );
            }
        }
    }
}
