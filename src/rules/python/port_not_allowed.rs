use crate::lang::python::Module;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::port::python_listeners;

pub struct PortNotAllowed;

impl FileRule for PortNotAllowed {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let allowed = &cx.settings.config.ports.internal;
        let list = allowed.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
        for l in python_listeners(m) {
            if u16::try_from(l.port).is_ok_and(|p| allowed.contains(&p)) {
                continue;
            }
            cx.report(
                l.span,
                format!("{} listens on port `{}`; allowed: {list}", l.server, l.port),
            );
        }
    }
}
