//! DF004: EXPOSE of a port outside the allowed internal ports (22 always).

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};

pub struct ExposedPortNotAllowed;

/// `8080`, `8080/tcp`, `8000-8010/udp` → the inclusive range; `None` when not a number.
fn port_range(spec: &str) -> Option<(u32, u32)> {
    let ports = spec.split('/').next().unwrap_or(spec);
    match ports.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let p = ports.trim().parse().ok()?;
            Some((p, p))
        }
    }
}

impl FileRule for ExposedPortNotAllowed {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        if !i.is("EXPOSE") {
            return;
        }
        let allowed = &cx.settings.config.ports.internal;
        let list = allowed.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        for arg in &i.args {
            let Some(spec) = d.resolve(&arg.text, i.index) else {
                continue;
            };
            let Some((lo, hi)) = port_range(&spec) else { continue };
            // a huge range is not worth walking port by port: report its first bad port
            let bad = (lo..=hi.min(lo.saturating_add(65_535)))
                .find(|p| *p == 22 || !allowed.iter().any(|a| u32::from(*a) == *p));
            let Some(port) = bad else { continue };
            let what = if lo == hi {
                format!("port `{port}` is exposed")
            } else {
                format!("range `{spec}` exposes port `{port}`")
            };
            let msg = if port == 22 {
                format!("{what}; SSH is never exposed")
            } else {
                format!("{what}; allowed: {list}")
            };
            cx.report(arg.span, msg);
        }
    }
}
