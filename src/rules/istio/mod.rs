//! Istio rules (IST): mTLS, gateways, authorization, and VirtualService routing checked
//! against the Services in the scanned manifests.

use crate::lang::k8s::Object;
use crate::project::{ParsedFile, Project};

pub mod dr_tls_disabled;
pub mod mtls_missing;
pub mod sidecar_disabled;
pub mod vs_unknown_host;
pub mod vs_unknown_port;

/// Whether an object is an Istio resource of `kind` (any API version).
pub fn is_istio(o: &Object, kind: &str) -> bool {
    o.kind == kind && o.group().ends_with(".istio.io")
}

/// A host written as a cluster service name: `reviews`, `reviews.shop`, `reviews.shop.svc`,
/// `reviews.shop.svc.cluster.local`, split into (service, namespace if written).
/// `None` for external names (`api.stripe.com`), wildcards and templated values.
pub fn mesh_host<'a>(project: &Project, host: &'a str) -> Option<(&'a str, Option<&'a str>)> {
    if host.is_empty() || host.contains('*') || host.contains("{{") {
        return None;
    }
    let host = host
        .strip_suffix(".svc.cluster.local")
        .or_else(|| host.strip_suffix(".svc"))
        .unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [svc] => Some((svc, None)),
        // `name.ns` only when `ns` is a namespace we know; `httpbin.org` is not
        [svc, ns]
            if project
                .k8s_objects()
                .any(|(_, o)| o.effective_namespace.as_deref() == Some(*ns)) =>
        {
            Some((svc, Some(ns)))
        }
        _ => None,
    }
}

/// The Service a mesh host names, seen from an object in `from_ns`.
pub fn find_service<'p>(
    project: &'p Project,
    svc: &str,
    ns: Option<&str>,
    from: &Object,
) -> Option<(&'p ParsedFile, &'p Object)> {
    let want_ns = ns.or(from.effective_namespace.as_deref());
    project.k8s_of_kind("Service").find(|(_, s)| {
        s.group().is_empty()
            && s.name.as_deref() == Some(svc)
            && match (want_ns, s.effective_namespace.as_deref()) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    })
}

/// The Istio Gateways a VirtualService's `gateways` entry names, resolved like istiod does:
/// `ns/name`, `./name`, legacy `name.ns[.svc.cluster.local]`, or `name` in the namespace of
/// `from`. Empty when the reference is templated or names no scanned Gateway; `mesh` names
/// the sidecars, not a Gateway object, so it resolves to nothing too.
pub fn find_gateways<'p>(project: &'p Project, gw_ref: &str, from: &Object) -> Vec<(&'p ParsedFile, &'p Object)> {
    let gw_ref = gw_ref.trim();
    if gw_ref.is_empty() || gw_ref == "mesh" || gw_ref.contains("{{") || gw_ref.contains('$') {
        return Vec::new();
    }
    let (ns, name) = match gw_ref.split_once('/') {
        Some((".", name)) => (None, name),
        Some((ns, name)) => (Some(ns), name),
        None => match gw_ref.split_once('.') {
            Some((name, rest)) => (rest.split('.').next(), name),
            None => (None, gw_ref),
        },
    };
    let want_ns = ns.or(from.effective_namespace.as_deref());
    project
        .k8s_of_kind("Gateway")
        .filter(|(_, g)| {
            is_istio(g, "Gateway")
                && g.name.as_deref() == Some(name)
                && match (want_ns, g.effective_namespace.as_deref()) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        })
        .collect()
}

/// Destinations of a VirtualService's routes: the `destination` maps.
pub fn destinations(vs: &Object) -> Vec<&crate::source::Node> {
    let mut out = Vec::new();
    for proto in ["http", "tcp", "tls"] {
        out.extend(vs.root.select(&format!("spec.{proto}[*].route[*].destination")));
        out.extend(vs.root.select(&format!("spec.{proto}[*].mirror")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::discover::FileKind;
    use crate::project::parse;
    use crate::source::FileId;

    #[test]
    fn gateway_references_resolve_like_istiod() {
        let settings = Settings::default();
        let text = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: ingress}\n\
---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: shop}\n\
---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: web, namespace: shop}\n\
---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart, namespace: shop}\n";
        let file = parse(
            FileId(0),
            "mesh.yaml".into(),
            FileKind::Yaml,
            text.to_string(),
            &settings,
        );
        let p = Project::build(vec![file], &settings);
        let Some((_, vs)) = p.k8s_of_kind("VirtualService").next() else {
            panic!("no VirtualService")
        };
        let ns_of = |r: &str| -> Vec<Option<String>> {
            find_gateways(&p, r, vs)
                .into_iter()
                .map(|(_, g)| g.effective_namespace.clone())
                .collect()
        };
        let shop = vec![Some("shop".to_string())];
        let ingress = vec![Some("ingress".to_string())];
        assert_eq!(ns_of("public"), shop);
        assert_eq!(ns_of("./public"), shop);
        assert_eq!(ns_of("ingress/public"), ingress);
        assert_eq!(ns_of("public.ingress.svc.cluster.local"), ingress);
        assert_eq!(ns_of("public.ingress"), ingress);
        assert!(ns_of("mesh").is_empty());
        assert!(ns_of("web").is_empty());
        assert!(ns_of("{{ .Values.gateway }}").is_empty());
    }
}
