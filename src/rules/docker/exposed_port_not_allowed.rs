//! DF004: EXPOSE of a port outside the allowed internal ports (22 always).

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::port::exposed;

pub struct ExposedPortNotAllowed;

impl FileRule for ExposedPortNotAllowed {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        let allowed = &cx.settings.config.ports.internal;
        let list = allowed.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        for p in exposed(d, i).into_iter().flatten() {
            let (lo, hi) = (p.range.start, p.range.end);
            // a huge range is not worth walking port by port: report its first bad port
            let bad = (lo..=hi).find(|p| *p == 22 || !allowed.iter().any(|a| u32::from(*a) == *p));
            let Some(port) = bad else { continue };
            let what = if p.range.is_single() {
                format!("port `{port}` is exposed")
            } else {
                format!("range `{}` exposes port `{port}`", p.render())
            };
            let msg = if port == 22 {
                format!("{what}; SSH is never exposed")
            } else {
                format!("{what}; allowed: {list}")
            };
            cx.report(p.span, msg);
        }
    }
}
