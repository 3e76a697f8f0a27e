use crate::lang::python::Module;
use crate::rules::{target, FileContext, FileRule};

pub struct UnsafeYamlLoad;

/// PyYAML's loaders that construct arbitrary Python objects. A loader held in a variable or
/// a project's own class (`SafeLineLoader`) is unknown and not flagged.
const UNSAFE_LOADERS: &[&str] = &[
    "Loader",
    "UnsafeLoader",
    "FullLoader",
    "CLoader",
    "CUnsafeLoader",
    "CFullLoader",
];

impl FileRule for UnsafeYamlLoad {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let src = &*cx.source().text;
        let mut found = Vec::new();
        for call in &m.calls {
            match call.qualified.as_str() {
                "yaml.unsafe_load" | "yaml.unsafe_load_all" => {
                    found.push((
                        call.callee_span,
                        format!("{} can run arbitrary code from the document", call.display()),
                    ));
                }
                "yaml.load" | "yaml.load_all" => {
                    let loader = call.keyword("Loader").or(call.positional(1));
                    let unsafe_loader = loader.is_none_or(|l| {
                        let loader = m.qualify(l.value.text(src));
                        let last = loader.rsplit('.').next().unwrap_or("");
                        UNSAFE_LOADERS.contains(&last)
                    });
                    if unsafe_loader {
                        let what = loader
                            .map(|l| format!(" with `{}`", l.value.text(src)))
                            .unwrap_or_default();
                        found.push((
                            call.callee_span,
                            format!("{}{what} can build arbitrary objects", call.display()),
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
