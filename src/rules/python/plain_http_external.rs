use crate::lang::python::Module;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::test_code::is_test_code;

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
    "xml.org",
    "openoffice.org",
    "yaml.org",
    "cyclonedx.org",
    "spdx.org",
    "www.gexf.net",
];

/// An `http://` URI that names a namespace or schema rather than a resource to fetch.
fn identifier_uri(host: &str, url: &str) -> bool {
    let path = url
        .strip_prefix("http://")
        .and_then(|r| r.split_once('/'))
        .map(|(_, p)| p)
        .unwrap_or("");
    IDENTIFIER_HOSTS.contains(&host)
        || ["ns.", "schemas.", "schema.", "xmlns."]
            .iter()
            .any(|p| host.starts_with(p))
        || ["ns/", "xmlns", "schema", "namespace", "/ns"]
            .iter()
            .any(|p| path.contains(p))
}

/// In-cluster or local hosts, where plain HTTP is the baseline: loopback, `*.svc`,
/// `*.svc.cluster.local`, `*.cluster.local`, and single-label names (a Service in the same
/// namespace, e.g. `http://scoring:8080`); also `*.internal` (`host.docker.internal`,
/// `metadata.google.internal`) and link-local `169.254.*` (the cloud metadata endpoint).
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
        || h.ends_with(".internal")
        || h.starts_with("169.254.")
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

impl FileRule for PlainHttpExternal {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        if is_test_code(cx.settings, &cx.file.source.path) {
            return;
        }
        let mut found = Vec::new();
        for s in &m.strings {
            if !s.value.starts_with("http://") || s.value.contains(char::is_whitespace) {
                continue;
            }
            let Some(h) = host(&s.value) else { continue };
            if h.is_empty() || h.contains(['{', '%', '$']) || internal_host(h) || identifier_uri(h, &s.value) {
                continue;
            }
            found.push((s.span, format!("plain `http://` to external host `{h}`")));
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
