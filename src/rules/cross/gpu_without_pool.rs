//! XR008: a workload requests GPUs but no node pool of the clusters the repository's Terraform
//! provisions has GPUs, so its pods stay Pending.
//!
//! Node pools: AKS default and extra pools (`vm_size`), EKS managed node groups
//! (`instance_types`, a GPU `ami_type`), GKE clusters and node pools (`node_config`
//! `machine_type`, `guest_accelerator`). Silent whenever the set of nodes is not literal: no
//! cluster resource, a size that is not a literal, node auto-provisioning (AKS
//! `node_provisioning_profile`, GKE Autopilot or `cluster_autoscaling`, EKS Auto Mode,
//! Karpenter), an EKS cluster without managed node groups, or a registry module that provisions
//! a cluster.

use crate::lang::k8s::ContainerKind;
use crate::project::clusters::{Cloud, Cluster};
use crate::project::Project;
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::source::{FileId, Node, NodeValue, Span};

pub struct GpuWithoutPool;

/// Who makes a node pool's GPUs: a device plugin advertises only its own vendor's resource
/// (`nvidia.com/gpu`, `amd.com/gpu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    Nvidia,
    Amd,
}

/// The GPUs of an Azure VM size: the N-series families NC, ND, NV and NG; NVv4
/// (`Standard_NV16as_v4`) and NG (`V620`) carry AMD Radeon GPUs, the rest NVIDIA.
pub fn gpu_vm_size(size: &str) -> Option<Vendor> {
    let s = size.trim().to_ascii_lowercase();
    let s = s.strip_prefix("standard_").unwrap_or(&s);
    if !["nc", "nd", "nv", "ng"].iter().any(|f| s.starts_with(f)) {
        return None;
    }
    let amd = s.starts_with("ng") || (s.starts_with("nv") && s.ends_with("_v4"));
    Some(if amd { Vendor::Amd } else { Vendor::Nvidia })
}

/// The GPUs of an EC2 instance type: the P and G families (`p4d.24xlarge`, `g5g.xlarge`,
/// `gr6.4xlarge`); `g4ad` carries AMD Radeon GPUs, the rest NVIDIA.
pub fn gpu_instance_type(t: &str) -> Option<Vendor> {
    let t = t.trim().to_ascii_lowercase();
    let family = t.split('.').next().unwrap_or("");
    let rest = family
        .strip_prefix("gr")
        .or_else(|| family.strip_prefix('g'))
        .or_else(|| family.strip_prefix('p'));
    if !rest.is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())) {
        return None;
    }
    Some(if family == "g4ad" { Vendor::Amd } else { Vendor::Nvidia })
}

/// The GPUs of a GCE machine type (accelerator-optimized A2, A3, A4 and G2: all NVIDIA).
pub fn gpu_machine_type(t: &str) -> Option<Vendor> {
    let t = t.trim().to_ascii_lowercase();
    ["a2-", "a3-", "a4-", "g2-"]
        .iter()
        .any(|p| t.starts_with(p))
        .then_some(Vendor::Nvidia)
}

/// The literal node pools of the repository's clusters.
struct Inventory {
    sizes: Vec<String>,
    /// The GPU makers of the pools (empty: no GPU pool).
    gpus: Vec<Vendor>,
    /// Where the label points: the first pool's size, else the first cluster's header.
    at: Option<(FileId, Span)>,
}

impl Inventory {
    fn add(&mut self, file: FileId, node: Option<&Node>, size: &str, gpu: Option<Vendor>) {
        if !self.sizes.iter().any(|s| s == size) {
            self.sizes.push(size.to_string());
        }
        if let Some(v) = gpu.filter(|v| !self.gpus.contains(v)) {
            self.gpus.push(v);
        }
        if let (None, Some(n)) = (self.at, node) {
            self.at = Some((file, n.span));
        }
    }
}

/// The one map of a nested block, `Some(None)` when the block is absent, `None` when it is
/// dynamic or repeated.
fn single_block<'a>(body: &'a Node, key: &str) -> Option<Option<&'a Node>> {
    match body.get(key).map(|n| &n.value) {
        None => Some(None),
        Some(NodeValue::Seq(items)) if items.len() == 1 => items.first().map(Some),
        _ => None,
    }
}

/// A literal false (or absent) flag.
fn off(n: Option<&Node>) -> bool {
    n.is_none_or(|n| n.is_null() || n.as_bool() == Some(false))
}

/// An AKS pool's `vm_size`.
fn aks_pool(inv: &mut Inventory, file: FileId, pool: &Node) -> Option<()> {
    let size = pool.get("vm_size")?;
    let s = size.as_str()?;
    inv.add(file, Some(size), s, gpu_vm_size(s));
    Some(())
}

/// A GKE pool body (a `google_container_node_pool`, an inline `node_pool`, or the cluster
/// itself for its default pool).
fn gke_pool(inv: &mut Inventory, file: FileId, pool: &Node) -> Option<()> {
    let config = single_block(pool, "node_config")?;
    let (machine, accelerators) = match config {
        Some(c) => (c.get("machine_type"), c.get("guest_accelerator")),
        None => (None, None),
    };
    // GKE's accelerators are NVIDIA GPUs (and TPUs, which are not `guest_accelerator`s)
    let gpu = match accelerators {
        None => None,
        Some(a) if a.is_null() => None,
        Some(a) => match &a.value {
            NodeValue::Seq(items) => (!items.is_empty()).then_some(Vendor::Nvidia),
            _ => return None,
        },
    };
    match machine {
        // the provider's default machine type
        None => inv.add(file, None, "e2-medium", gpu),
        Some(m) => {
            let s = m.as_str()?;
            inv.add(file, Some(m), s, gpu.or(gpu_machine_type(s)));
        }
    }
    Some(())
}

/// An EKS managed node group.
fn eks_group(inv: &mut Inventory, file: FileId, group: &Node) -> Option<()> {
    let gpu_ami = group
        .get("ami_type")
        .and_then(Node::as_str)
        .map(str::to_ascii_uppercase)
        .is_some_and(|a| a.contains("GPU") || a.contains("NVIDIA"))
        .then_some(Vendor::Nvidia);
    match group.get("instance_types") {
        None => {
            // a launch template may choose the instance type
            if group.get("launch_template").is_some() {
                return None;
            }
            inv.add(file, None, "t3.medium", gpu_ami);
        }
        Some(list) => {
            let NodeValue::Seq(items) = &list.value else {
                return None;
            };
            for t in items {
                let s = t.as_str()?;
                inv.add(file, Some(list), s, gpu_instance_type(s).or(gpu_ami));
            }
        }
    }
    Some(())
}

fn cluster(inv: &mut Inventory, c: &Cluster<'_>) -> Option<()> {
    let body = &c.block.body;
    let file = c.block.file;
    match c.cloud {
        Cloud::Azure => {
            if let Some(p) = single_block(body, "node_provisioning_profile")? {
                if !p
                    .get("mode")
                    .and_then(Node::as_str)
                    .is_some_and(|m| m.eq_ignore_ascii_case("Manual"))
                {
                    return None;
                }
            }
            aks_pool(inv, file, single_block(body, "default_node_pool")??)?;
        }
        Cloud::Aws => {
            // EKS Auto Mode provisions its own nodes
            let auto = single_block(body, "compute_config")?;
            if !auto.is_none_or(|a| off(a.get("enabled"))) {
                return None;
            }
        }
        Cloud::Google => {
            if !off(body.get("enable_autopilot")) {
                return None;
            }
            // node auto-provisioning creates pools for pending pods
            if !single_block(body, "cluster_autoscaling")?.is_none_or(|a| off(a.get("enabled"))) {
                return None;
            }
            match body.get("node_pool").map(|n| &n.value) {
                Some(NodeValue::Seq(pools)) => {
                    for p in pools {
                        gke_pool(inv, file, p)?;
                    }
                }
                Some(_) => return None,
                None => {
                    let removed = body.get("remove_default_node_pool").and_then(Node::as_bool) == Some(true);
                    if !removed {
                        gke_pool(inv, file, body)?;
                    }
                }
            }
        }
    }
    Some(())
}

/// The node pools of every cluster, or `None` when they are not all literal.
fn inventory(project: &Project) -> Option<Inventory> {
    let all = project.clusters();
    let first = all.clusters.first()?;
    if all.opaque {
        return None;
    }
    let karpenter = project.k8s_objects().any(|(_, o)| o.group().contains("karpenter"));
    if karpenter {
        return None;
    }
    let mut inv = Inventory {
        sizes: Vec::new(),
        gpus: Vec::new(),
        at: None,
    };
    for c in &all.clusters {
        cluster(&mut inv, c)?;
    }
    let mut eks_groups = 0;
    for p in &all.pools {
        let file = p.block.file;
        match p.cloud {
            Cloud::Azure => aks_pool(&mut inv, file, &p.block.body)?,
            Cloud::Aws => {
                eks_groups += 1;
                eks_group(&mut inv, file, &p.block.body)?
            }
            Cloud::Google => gke_pool(&mut inv, file, &p.block.body)?,
        }
    }
    // EKS clusters without managed node groups run on Karpenter, Fargate or self-managed nodes
    if eks_groups == 0 && all.clusters.iter().any(|c| c.cloud == Cloud::Aws) {
        return None;
    }
    inv.at.get_or_insert((first.block.file, first.block.header));
    Some(inv)
}

/// The maker a GPU resource needs: `None` for Intel, whose pools no cloud here offers, so any
/// GPU pool is taken to be enough rather than guessing.
fn vendor_of(key: &str) -> Option<Vendor> {
    if key.starts_with("nvidia.com/") {
        Some(Vendor::Nvidia)
    } else if key.starts_with("amd.com/") {
        Some(Vendor::Amd)
    } else {
        None
    }
}

/// GPU extended resources.
fn is_gpu_resource(key: &str) -> bool {
    key == "nvidia.com/gpu"
        || key == "amd.com/gpu"
        || key.starts_with("gpu.intel.com/")
        || key.starts_with("nvidia.com/mig-")
}

fn positive(n: &Node) -> bool {
    match &n.value {
        NodeValue::Number { value, .. } => *value > 0.0,
        NodeValue::String(s) => s.trim().parse::<f64>().is_ok_and(|v| v > 0.0),
        _ => false,
    }
}

impl ProjectRule for GpuWithoutPool {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        // the GPU requests, found first: most repositories have none
        let mut requests = Vec::new();
        for (f, o) in project.k8s_objects() {
            for c in o.containers() {
                if c.kind == ContainerKind::Ephemeral {
                    continue;
                }
                let mut seen: Vec<&str> = Vec::new();
                for section in ["resources.limits", "resources.requests"] {
                    for e in c.node.at(section).map(Node::entries).unwrap_or(&[]) {
                        if is_gpu_resource(&e.key) && positive(&e.value) && !seen.contains(&e.key.as_str()) {
                            seen.push(&e.key);
                            requests.push((f.source.id, c.name, e));
                        }
                    }
                }
            }
        }
        if requests.is_empty() {
            return;
        }
        let Some(inv) = inventory(project) else { return };
        let Some((at_file, at_span)) = inv.at else { return };
        let mut shown: Vec<&str> = inv.sizes.iter().take(4).map(String::as_str).collect();
        if inv.sizes.len() > 4 {
            shown.push("…");
        }
        let label = Label {
            file: at_file,
            span: at_span,
            message: format!("node pools of the Terraform clusters: {}", shown.join(", ")),
        };
        for (file, name, e) in requests {
            let satisfied = match vendor_of(&e.key) {
                Some(v) => inv.gpus.contains(&v),
                None => !inv.gpus.is_empty(),
            };
            if satisfied {
                continue;
            }
            let who = name
                .map(|n| format!("container `{n}`"))
                .unwrap_or_else(|| "a container".into());
            let message = match inv.gpus.as_slice() {
                [] => format!("{who} requests `{}` but no Terraform node pool has GPUs", e.key),
                [Vendor::Amd] => format!("{who} requests `{}` but the Terraform GPU pools are AMD", e.key),
                _ => format!("{who} requests `{}` but the Terraform GPU pools are NVIDIA", e.key),
            };
            let d = cx.report_in(file, e.key_span.cover(e.value.span), message);
            d.labels.push(label.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{gpu_instance_type, gpu_machine_type, gpu_vm_size, is_gpu_resource, vendor_of, Vendor};

    #[test]
    fn azure_vm_sizes() {
        for gpu in [
            "Standard_NC6s_v3",
            "standard_nc24ads_a100_v4",
            "Standard_ND96asr_v4",
            "Standard_NV36ads_A10_v5",
            "Standard_NC4as_T4_v3",
        ] {
            assert_eq!(gpu_vm_size(gpu), Some(Vendor::Nvidia), "{gpu}");
        }
        for cpu in [
            "Standard_D4s_v5",
            "Standard_E8s_v5",
            "Standard_B2ms",
            "Standard_F8s_v2",
            "Standard_DS2_v2",
            "Standard_L8s_v3",
            "Standard_M128s",
        ] {
            assert_eq!(gpu_vm_size(cpu), None, "{cpu}");
        }
        for amd in ["Standard_NG32ads_V620_v1", "Standard_NV16as_v4", "standard_nv4as_v4"] {
            assert_eq!(gpu_vm_size(amd), Some(Vendor::Amd), "{amd}");
        }
    }

    #[test]
    fn aws_instance_types() {
        for gpu in [
            "g5.xlarge",
            "g4dn.2xlarge",
            "g5g.xlarge",
            "g6e.12xlarge",
            "p3.2xlarge",
            "p4d.24xlarge",
            "p5.48xlarge",
            "gr6.4xlarge",
        ] {
            assert_eq!(gpu_instance_type(gpu), Some(Vendor::Nvidia), "{gpu}");
        }
        for cpu in [
            "m5.large",
            "t3.medium",
            "c6g.xlarge",
            "r6i.2xlarge",
            "inf2.xlarge",
            "trn1.2xlarge",
            "m7gd.large",
        ] {
            assert_eq!(gpu_instance_type(cpu), None, "{cpu}");
        }
        assert_eq!(gpu_instance_type("g4ad.4xlarge"), Some(Vendor::Amd));
    }

    #[test]
    fn gce_machine_types() {
        assert_eq!(gpu_machine_type("a2-highgpu-1g"), Some(Vendor::Nvidia));
        assert_eq!(gpu_machine_type("g2-standard-8"), Some(Vendor::Nvidia));
        assert_eq!(gpu_machine_type("a3-highgpu-8g"), Some(Vendor::Nvidia));
        assert_eq!(gpu_machine_type("n2-standard-8"), None);
        assert_eq!(gpu_machine_type("e2-medium"), None);
    }

    #[test]
    fn gpu_resources() {
        assert!(is_gpu_resource("nvidia.com/gpu"));
        assert!(is_gpu_resource("amd.com/gpu"));
        assert!(is_gpu_resource("gpu.intel.com/i915"));
        assert!(is_gpu_resource("nvidia.com/mig-1g.5gb"));
        assert!(!is_gpu_resource("cpu"));
        assert!(!is_gpu_resource("hugepages-2Mi"));
        assert_eq!(vendor_of("nvidia.com/mig-1g.5gb"), Some(Vendor::Nvidia));
        assert_eq!(vendor_of("amd.com/gpu"), Some(Vendor::Amd));
        assert_eq!(vendor_of("gpu.intel.com/i915"), None);
    }
}
