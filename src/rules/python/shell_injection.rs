use crate::lang::python::Module;
use crate::lang::python::Value;
use crate::rules::python::is_true;
use crate::rules::{target, FileContext, FileRule};

pub struct ShellInjection;

const SUBPROCESS: &[&str] = &["run", "call", "check_call", "check_output", "Popen"];
/// Functions that always go through a shell.
const SHELL_ALWAYS: &[&str] = &[
    "os.system",
    "os.popen",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
    "asyncio.create_subprocess_shell",
];

impl FileRule for ShellInjection {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let mut found = Vec::new();
        for call in &m.calls {
            let via_shell = SHELL_ALWAYS.contains(&call.qualified.as_str())
                || (call.qualified.starts_with("subprocess.")
                    && SUBPROCESS.contains(&call.method())
                    && is_true(call.keyword("shell")));
            if !via_shell {
                continue;
            }
            let Some(cmd) = call.positional(0).or(call.keyword("args")).or(call.keyword("cmd")) else {
                continue;
            };
            if cmd.value.value == Value::Formatted {
                found.push((
                    cmd.value.span,
                    format!("shell command built from a formatted string in {}", call.display()),
                ));
            }
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
