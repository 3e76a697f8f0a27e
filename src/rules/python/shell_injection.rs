use crate::lang::python::{Call, Expr, Module, Template, Value};
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
/// Functions whose result is safe to put into a shell command.
const QUOTES: &[&str] = &["shlex.quote", "shlex.join", "pipes.quote"];

/// A value put into the command that cannot break out of its word: a literal, a module
/// constant, a number, or a value quoted for the shell.
fn harmless(m: &Module, hole: &Expr) -> bool {
    match &hole.value {
        Value::Str(_) | Value::Int(_) | Value::Bool(_) | Value::None => true,
        Value::Name(n) => m.is_constant(n),
        Value::Call(f) => matches!(f.as_str(), "int" | "float" | "len") || QUOTES.contains(&m.qualify(f).as_str()),
        _ => false,
    }
}

/// The formatted string a command is: the argument itself, or what the name passed was
/// assigned earlier in the same function.
fn template<'m>(m: &'m Module, call: &Call, cmd: &Expr) -> Option<&'m Template> {
    match &cmd.value {
        Value::Formatted => m.template(cmd.span),
        Value::Name(n) => m
            .assigned_before(n, call.scope, call.span.start)
            .filter(|a| a.value.value == Value::Formatted)
            .and_then(|a| m.template(a.value.span)),
        _ => None,
    }
}

impl FileRule for ShellInjection {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let src = &*cx.source().text;
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
            let Some(t) = template(m, call, &cmd.value) else {
                continue;
            };
            let Some(hole) = t.holes.iter().find(|h| !harmless(m, &h.value)) else {
                continue;
            };
            let value: String = hole.value.text(src).chars().take(30).collect();
            found.push((
                cmd.value.span,
                format!("`{value}` is put into the shell command of {}", call.display()),
            ));
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
