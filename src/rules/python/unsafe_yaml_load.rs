use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct UnsafeYamlLoad;

const SAFE_LOADERS: &[&str] = &["SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"];

impl Rule for UnsafeYamlLoad {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::PythonModule]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::PythonModule(m) = subject else { return };
        let mut found = Vec::new();
        for call in &m.calls {
            match call.callee.as_str() {
                "yaml.unsafe_load" | "yaml.unsafe_load_all" => {
                    found.push((
                        call.callee_span,
                        format!("`{}` can run arbitrary code from the document", call.callee),
                    ));
                }
                "yaml.load" | "yaml.load_all" => {
                    let loader = call.keyword("Loader").or(call.positional(1));
                    let safe = loader.is_some_and(|l| {
                        let last = l.value.text.rsplit('.').next().unwrap_or("");
                        SAFE_LOADERS.contains(&last)
                    });
                    if !safe {
                        let what = loader.map(|l| format!(" with `{}`", l.value.text)).unwrap_or_default();
                        found.push((
                            call.callee_span,
                            format!("`{}`{what} can build arbitrary objects", call.callee),
                        ));
                    }
                }
                _ => {}
            }
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
