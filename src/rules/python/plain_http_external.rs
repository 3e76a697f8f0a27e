use crate::rules::python::is_test_file;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct PlainHttpExternal;

/// Hosts whose `http://` URLs are identifiers (XML namespaces, schemas), never fetched.
const IDENTIFIER_HOSTS: &[&str] = &[
    "www.w3.org",
    "w3.org",
    "schemas.xmlsoap.org",
    "schemas.openxmlformats.org",
    "schemas.microsoft.com",
    "purl.org",
    "xmlns.com",
    "json-schema.org",
    "ns.adobe.com",
    "www.opengis.net",
];

/// In-cluster or local hosts, where plain HTTP is the baseline: loopback, `*.svc`,
/// `*.svc.cluster.local`, `*.cluster.local`, and single-label names (a Service in the same
/// namespace, e.g. `http://scoring:8080`).
pub fn internal_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h.starts_with("127.")
        || h == "0.0.0.0"
        || h == "[::1]"
        || h.ends_with(".svc")
        || h.ends_with(".svc.cluster.local")
        || h.ends_with(".cluster.local")
        || (!h.contains('.') && !h.contains(':') && !h.is_empty())
}

/// The host of an `http://` URL (without user info and port).
fn host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("http://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next();
    }
    authority.split(':').next()
}

impl Rule for PlainHttpExternal {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::PythonModule]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::PythonModule(m) = subject else { return };
        if cx.file.is_some_and(|f| is_test_file(&f.source.path)) {
            return;
        }
        let mut found = Vec::new();
        for s in &m.strings {
            if s.docstring || !s.value.starts_with("http://") || s.value.contains(char::is_whitespace) {
                continue;
            }
            let Some(h) = host(&s.value) else { continue };
            if h.is_empty() || h.contains(['{', '%', '$']) || internal_host(h) || IDENTIFIER_HOSTS.contains(&h) {
                continue;
            }
            found.push((s.span, format!("plain `http://` to external host `{h}`")));
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
