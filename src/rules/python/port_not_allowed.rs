use crate::lang::python::Module;
use crate::lang::python::Value;
use crate::rules::{target, FileContext, FileRule};

pub struct PortNotAllowed;

/// Calls that start a server and take a `port`.
const SERVERS: &[&str] = &[
    "run",
    "run_app",
    "serve",
    "run_simple",
    "Config",
    "make_server",
    "start_http_server",
];

impl FileRule for PortNotAllowed {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let allowed = &cx.settings.config.ports.internal;
        let list = allowed.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
        let mut found = Vec::new();
        for call in &m.calls {
            if !SERVERS.contains(&call.method()) || call.callee.starts_with("subprocess.") {
                continue;
            }
            let port = call.keyword("port").or(match call.method() {
                "run_simple" | "make_server" => call.positional(1),
                "start_http_server" => call.positional(0),
                _ => None,
            });
            let Some(arg) = port else { continue };
            let Value::Int(p) = arg.value.value else { continue };
            if u16::try_from(p).is_ok_and(|p| allowed.contains(&p)) {
                continue;
            }
            found.push((
                arg.value.span,
                format!("`{}` listens on port `{p}`; allowed: {list}", call.callee),
            ));
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
