use std::collections::HashSet;

use crate::lang::python::{Call, Module};
use crate::rules::python::is_true;
use crate::rules::{target, FileContext, FileRule};

pub struct UnsafeModelLoad;

/// Deserialisers that run code embedded in the data.
const LOADERS: &[&str] = &[
    "pickle.load",
    "pickle.loads",
    "cPickle.load",
    "cPickle.loads",
    "dill.load",
    "dill.loads",
    "cloudpickle.load",
    "cloudpickle.loads",
    "joblib.load",
    "torch.load",
    "pd.read_pickle",
    "pandas.read_pickle",
];

/// Expressions that bring bytes from the network or from an HTTP request.
const SOURCES: &[&str] = &[
    "requests.",
    "httpx.",
    "urlopen(",
    "urlretrieve(",
    "request.files",
    "request.data",
    "request.get_data(",
    "request.body",
    "request.stream",
    "request.FILES",
    "UploadFile",
    "download_fileobj(",
    "get_object(",
];

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

fn from_source(text: &str, tainted: &HashSet<&str>) -> bool {
    // `pickle.loads(pickle.dumps(obj))` round-trips an object of this process
    if text.split('(').next().is_some_and(|callee| callee.ends_with("dumps")) {
        return false;
    }
    SOURCES.iter().any(|s| text.contains(s)) || words(text).any(|w| tainted.contains(w))
}

/// Names in the call's function that hold data from a source before the call: a simple
/// forward pass over the assignments of the same scope.
fn tainted<'a>(m: &'a Module, call: &Call, src: &str) -> HashSet<&'a str> {
    let mut set = HashSet::new();
    for a in m
        .assignments
        .iter()
        .filter(|a| a.scope == call.scope && a.target_span.start < call.span.start)
    {
        if from_source(&m.qualify(a.value.text(src)), &set) {
            set.extend(words(&a.target));
        }
    }
    set
}

impl FileRule for UnsafeModelLoad {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let src = &*cx.source().text;
        let mut found = Vec::new();
        for call in &m.calls {
            if !LOADERS.contains(&call.qualified.as_str()) {
                continue;
            }
            if call.qualified == "torch.load" && is_true(call.keyword("weights_only")) {
                continue;
            }
            let Some(data) = call
                .positional(0)
                .or(call.keyword("f"))
                .or(call.keyword("file"))
                .or(call.keyword("data"))
            else {
                continue;
            };
            let text = data.value.text(src);
            if from_source(&m.qualify(text), &tainted(m, call, src)) {
                let d: String = text.chars().take(30).collect();
                found.push((
                    call.callee_span,
                    format!("{} of `{d}`, which comes from a URL or request", call.display()),
                ));
            }
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
