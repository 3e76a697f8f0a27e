//! The managed Kubernetes clusters the repository's Terraform provisions (AKS, EKS, GKE), for
//! rules that check the manifests against the cluster they run on.
//!
//! Only enabled `resource` blocks count. A call of a registry module that provisions a cluster
//! (`Azure/aks/azurerm`, `terraform-aws-modules/eks/aws`, ...) declares a cluster this index
//! cannot see into: [`Clusters::opaque`] says so, and rules needing every cluster stay silent.

use super::Project;
use crate::lang::terraform::TfBlock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Azure,
    Aws,
    Google,
}

pub const AKS_CLUSTER: &str = "azurerm_kubernetes_cluster";
pub const AKS_NODE_POOL: &str = "azurerm_kubernetes_cluster_node_pool";
pub const EKS_CLUSTER: &str = "aws_eks_cluster";
pub const EKS_NODE_GROUP: &str = "aws_eks_node_group";
pub const GKE_CLUSTER: &str = "google_container_cluster";
pub const GKE_NODE_POOL: &str = "google_container_node_pool";

/// A cluster resource.
#[derive(Debug, Clone, Copy)]
pub struct Cluster<'a> {
    pub cloud: Cloud,
    pub block: &'a TfBlock,
}

/// The clusters and the separately declared node pools of the repository's Terraform.
#[derive(Debug, Default)]
pub struct Clusters<'a> {
    pub clusters: Vec<Cluster<'a>>,
    /// `azurerm_kubernetes_cluster_node_pool`, `aws_eks_node_group`, `google_container_node_pool`.
    pub pools: Vec<Cluster<'a>>,
    /// Some resource or module manages nodes or clusters that are not literal here.
    pub opaque: bool,
}

fn cloud_of_cluster(type_name: &str) -> Option<Cloud> {
    match type_name {
        AKS_CLUSTER => Some(Cloud::Azure),
        EKS_CLUSTER => Some(Cloud::Aws),
        GKE_CLUSTER => Some(Cloud::Google),
        _ => None,
    }
}

fn cloud_of_pool(type_name: &str) -> Option<Cloud> {
    match type_name {
        AKS_NODE_POOL => Some(Cloud::Azure),
        EKS_NODE_GROUP => Some(Cloud::Aws),
        GKE_NODE_POOL => Some(Cloud::Google),
        _ => None,
    }
}

/// A module source that provisions a cluster or its nodes (registry modules for AKS, EKS,
/// GKE, Karpenter). Local modules are evaluated as modules of the project instead.
fn is_cluster_module(source: &str) -> bool {
    let s = source.to_ascii_lowercase();
    let local = s.starts_with("./") || s.starts_with("../");
    !local
        && [
            "aks",
            "eks",
            "gke",
            "kubernetes-engine",
            "kubernetes",
            "karpenter",
            "managedcluster",
        ]
        .iter()
        .any(|w| s.split(['/', '-', '_', '.', ':']).any(|part| part == *w) || s.contains(&format!("/{w}")))
}

fn is_karpenter(b: &TfBlock) -> bool {
    ["chart", "name", "repository"].iter().any(|k| {
        b.body
            .get(k)
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.to_ascii_lowercase().contains("karpenter"))
    })
}

impl Project {
    /// The clusters the repository's Terraform provisions.
    pub fn clusters(&self) -> Clusters<'_> {
        let mut out = Clusters::default();
        for module in &self.terraform {
            out.opaque |= module.broken;
            for b in module.blocks() {
                if !b.enabled {
                    continue;
                }
                match b.kind.as_str() {
                    "resource" => {
                        let t = b.type_name();
                        if let Some(cloud) = cloud_of_cluster(t) {
                            out.clusters.push(Cluster { cloud, block: b });
                        } else if let Some(cloud) = cloud_of_pool(t) {
                            out.pools.push(Cluster { cloud, block: b });
                        } else if t == "aws_autoscaling_group" || (t == "helm_release" && is_karpenter(b)) {
                            // self-managed nodes or nodes provisioned on demand
                            out.opaque = true;
                        }
                    }
                    "module" => {
                        let source = b.body.get("source");
                        match source.and_then(|s| s.as_str()) {
                            Some(s) => out.opaque |= is_cluster_module(s),
                            None => out.opaque |= source.is_some_and(|s| s.is_unknown()),
                        }
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::is_cluster_module;

    #[test]
    fn registry_cluster_modules() {
        assert!(is_cluster_module("Azure/aks/azurerm"));
        assert!(is_cluster_module("terraform-aws-modules/eks/aws"));
        assert!(is_cluster_module("terraform-aws-modules/eks/aws//modules/karpenter"));
        assert!(is_cluster_module("terraform-google-modules/kubernetes-engine/google"));
        assert!(is_cluster_module(
            "Azure/avm-res-containerservice-managedcluster/azurerm"
        ));
        assert!(!is_cluster_module("./modules/aks"));
        assert!(!is_cluster_module("Azure/avm-res-keyvault-vault/azurerm"));
        assert!(!is_cluster_module("terraform-aws-modules/vpc/aws"));
    }
}
