//! Istio rules (IST): mTLS, gateways, authorization, and VirtualService routing checked
//! against the Services in the scanned manifests.

use crate::lang::k8s::Object;

pub mod dr_tls_disabled;
pub mod mtls_missing;
pub mod sidecar_disabled;
pub mod vs_unknown_host;
pub mod vs_unknown_port;

pub use crate::project::mesh::is_istio;

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
    use crate::config::Settings;
    use crate::discover::FileKind;
    use crate::project::{parse, Project};
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
            p.mesh()
                .gateways(&p, r, vs)
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
