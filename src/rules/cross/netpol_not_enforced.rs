//! XR007: the manifests declare NetworkPolicy objects but an AKS cluster the repository's
//! Terraform provisions has no network policy engine, so they would be silently ignored.
//!
//! A cluster enforces policies when `network_profile.network_policy` is `azure`, `calico` or
//! `cilium`, or its data plane is Cilium (`network_data_plane`, legacy `ebpf_data_plane`). Any
//! value that is not a literal makes the cluster unknown and silent. One finding per cluster.

use crate::lang::terraform::TfBlock;
use crate::project::clusters::Cloud;
use crate::project::Project;
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::source::{NodeValue, Span};

pub struct NetpolNotEnforced;

#[derive(Debug, PartialEq)]
enum Engine {
    Enforced,
    /// No engine: where to point (the `network_policy` value, the `network_profile` block or
    /// the resource header).
    Missing(Span),
    Unknown,
}

fn engine(b: &TfBlock) -> Engine {
    let Some(entry) = b.body.entry("network_profile") else {
        return Engine::Missing(b.header);
    };
    let profile = match &entry.value.value {
        NodeValue::Seq(items) if items.len() == 1 => items.first(),
        NodeValue::Seq(items) if items.is_empty() => return Engine::Missing(entry.key_span),
        _ => return Engine::Unknown,
    };
    let Some(profile) = profile else { return Engine::Unknown };
    let policy = match profile.get("network_policy") {
        None => Engine::Missing(entry.key_span),
        Some(n) if n.is_null() => Engine::Missing(n.span),
        Some(n) => match n.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("azure" | "calico" | "cilium") => return Engine::Enforced,
            Some("none" | "") => Engine::Missing(n.span),
            // a value the provider does not know: not ours to judge
            _ => return Engine::Unknown,
        },
    };
    for key in ["network_data_plane", "ebpf_data_plane"] {
        match profile.get(key) {
            None => {}
            Some(n) if n.is_null() => {}
            Some(n) => match n.as_str() {
                Some(v) if v.eq_ignore_ascii_case("cilium") => return Engine::Enforced,
                Some(_) => {}
                None => return Engine::Unknown,
            },
        }
    }
    policy
}

impl ProjectRule for NetpolNotEnforced {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        let policies: Vec<_> = project
            .k8s_of_kind("NetworkPolicy")
            .filter(|(_, o)| o.group() == "networking.k8s.io")
            .collect();
        let Some((first_file, first)) = policies.first() else {
            return;
        };
        let n = policies.len();
        let example = match (&first.name, &first.effective_namespace) {
            (Some(name), Some(ns)) => format!(", e.g. `{name}` in `{ns}`"),
            (Some(name), None) => format!(", e.g. `{name}`"),
            _ => String::new(),
        };
        let label = Label {
            file: first_file.source.id,
            span: first.header,
            message: if n == 1 {
                format!("1 NetworkPolicy object{example}")
            } else {
                format!("{n} NetworkPolicy objects{example}")
            },
        };
        for cluster in project.clusters().clusters {
            if cluster.cloud != Cloud::Azure {
                continue;
            }
            let Engine::Missing(span) = engine(cluster.block) else {
                continue;
            };
            let name = cluster.block.name().unwrap_or("?");
            let ignored = if n == 1 {
                "1 NetworkPolicy is ignored".to_string()
            } else {
                format!("{n} NetworkPolicies are ignored")
            };
            let message = format!("AKS cluster `{name}` has no network policy engine; {ignored}");
            let d = cx.report_in(cluster.block.file, span, message);
            d.labels.push(label.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{engine, Engine};
    use crate::lang::terraform::{eval::Scope, header_span, parse, TfBlock};
    use crate::source::FileId;

    fn cluster(hcl: &str) -> TfBlock {
        let (file, errors) = parse(hcl);
        assert!(errors.is_empty(), "{errors:?}");
        let body = file.body.as_ref().expect("body");
        let b = body.blocks().next().expect("block");
        let header = header_span(b);
        TfBlock {
            file: FileId(0),
            kind: "resource".into(),
            labels: vec!["azurerm_kubernetes_cluster".into(), "main".into()],
            label_spans: Vec::new(),
            header,
            span: header,
            body: Scope::default().body(&b.body, header, hcl, 0),
            ..TfBlock::default()
        }
    }

    #[test]
    fn engines() {
        let r = |body: &str| {
            engine(&cluster(&format!(
                "resource \"azurerm_kubernetes_cluster\" \"main\" {{\n{body}\n}}"
            )))
        };
        assert!(matches!(r("name = \"aks\""), Engine::Missing(_)));
        assert!(matches!(
            r("network_profile {\n network_plugin = \"azure\"\n}"),
            Engine::Missing(_)
        ));
        assert!(matches!(
            r("network_profile {\n network_policy = \"none\"\n}"),
            Engine::Missing(_)
        ));
        assert_eq!(
            r("network_profile {\n network_policy = \"calico\"\n}"),
            Engine::Enforced
        );
        assert_eq!(r("network_profile {\n network_policy = \"Azure\"\n}"), Engine::Enforced);
        assert_eq!(
            r("network_profile {\n network_data_plane = \"cilium\"\n}"),
            Engine::Enforced
        );
        assert_eq!(
            r("network_profile {\n ebpf_data_plane = \"cilium\"\n}"),
            Engine::Enforced
        );
        assert_eq!(r("network_profile {\n network_policy = var.policy\n}"), Engine::Unknown);
        assert_eq!(
            r("network_profile {\n network_data_plane = var.dp\n network_plugin = \"azure\"\n}"),
            Engine::Unknown
        );
        assert_eq!(
            r("dynamic \"network_profile\" {\n for_each = var.p\n content {}\n}"),
            Engine::Unknown
        );
    }
}
