use crate::lang::python::Module;
use crate::lang::python::Value;
use crate::rules::python::{is_false, keyword_span};
use crate::rules::{target, FileContext, FileRule};

pub struct TlsVerifyDisabled;

impl FileRule for TlsVerifyDisabled {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let src = &*cx.source().text;
        let mut found = Vec::new();
        for call in &m.calls {
            if let Some(a) = call.keyword("verify").filter(|a| is_false(Some(a))) {
                found.push((
                    keyword_span(a),
                    format!("`verify=False` turns off certificate checks in {}", call.display()),
                ));
            }
            if call.method() == "_create_unverified_context" {
                found.push((call.callee_span, format!("{} skips certificate checks", call.display())));
            }
            if let Some(a) = call.keyword("cert_reqs") {
                let t = a.value.text(src);
                if m.qualify(t).ends_with("CERT_NONE") {
                    found.push((keyword_span(a), format!("`{t}` accepts any certificate")));
                }
            }
        }
        for a in &m.assignments {
            match &a.value.value {
                Value::Name(n) if m.qualify(n).ends_with("_create_unverified_context") => {
                    found.push((a.value.span, format!("`{}` = `{n}` skips certificate checks", a.target)));
                }
                Value::Name(n) if a.target.ends_with(".verify_mode") && m.qualify(n).ends_with("CERT_NONE") => {
                    found.push((
                        a.target_span.cover(a.value.span),
                        format!("`{} = {n}` accepts any certificate", a.target),
                    ));
                }
                Value::Bool(false) if a.target.ends_with(".check_hostname") => {
                    found.push((
                        a.target_span.cover(a.value.span),
                        format!("`{} = False` skips host name checks", a.target),
                    ));
                }
                _ => {}
            }
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
