use crate::lang::python::Module;
use crate::lang::python::Value;
use crate::rules::python::{is_true, keyword_span};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::test_code::is_test_code;
use crate::source::Environment;

pub struct DebugEnabled;

impl FileRule for DebugEnabled {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let file = cx.file;
        // dev settings (`settings/dev.py`) and tests may turn debugging on
        if is_test_code(cx.settings, &file.source.path) || file.env == Environment::Nonprod {
            return;
        }
        for call in &m.calls {
            if call.method() == "run" {
                if let Some(a) = call.keyword("debug").filter(|a| is_true(Some(a))) {
                    let msg = format!("`debug=True` in {}", call.display());
                    cx.report(keyword_span(a), msg);
                }
            }
            if call.qualified == "uvicorn.run" || call.qualified == "uvicorn.Config" {
                if let Some(a) = call.keyword("reload").filter(|a| is_true(Some(a))) {
                    let msg = format!("`reload=True` in {}", call.display());
                    cx.report(keyword_span(a), msg);
                }
            }
        }
        for a in &m.assignments {
            if a.value.value != Value::Bool(true) {
                continue;
            }
            let t = a.target.replace('\'', "\"");
            let is_debug =
                (a.target == "DEBUG" && a.module_level) || t.ends_with(".debug") || t.ends_with("[\"DEBUG\"]");
            if is_debug {
                let msg = format!("`{} = True` turns on debug mode", a.target);
                cx.report(a.target_span.cover(a.value.span), msg);
            }
        }
    }
}
