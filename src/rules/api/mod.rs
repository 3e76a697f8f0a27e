//! API gateway definitions (API): OpenAPI / Swagger documents, WSO2 extensions included.

pub mod endpoint_http;
pub mod operation_unsecured;

/// Whether a URL's host is inside the cluster (or the machine): plain HTTP is fine there.
pub fn is_cluster_host(host: &str) -> bool {
    let host = host.split(':').next().unwrap_or(host).trim_end_matches('.');
    host.is_empty()
        || host == "localhost"
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || !host.contains('.')
        || host.ends_with(".svc")
        || host.ends_with(".cluster.local")
        || host.ends_with(".svc.cluster.local")
}

/// The host of an `http://` URL; `None` for other schemes and templated URLs.
pub fn http_host(url: &str) -> Option<&str> {
    let rest = url.trim().strip_prefix("http://")?;
    if rest.contains('{') || rest.contains('$') {
        return None;
    }
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}
