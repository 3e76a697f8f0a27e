//! XR009: the port hops of the mesh that no single-object rule sees.
//!
//! - a DestinationRule's `portLevelSettings` port that its host's Service does not expose;
//! - a VirtualService match `port` on which none of the Gateways the route is bound to has a
//!   server.
//!
//! A route destination port unknown to its Service is IST010, and a Service `targetPort` that
//! reaches no containerPort is K8S026: every VirtualService → Service → container finding is
//! already one of those, so XR009 does not follow that hop. Templated values, Services and
//! Gateways missing from the scan, and routes also bound to `mesh` keep the rule silent.

use crate::lang::k8s::Object;
use crate::project::{ParsedFile, Project};
use crate::rules::istio::is_istio;
use crate::rules::{target, FileContext, FileRule, Label};
use crate::semantic::port::number;
use crate::source::{Node, Span};

pub struct MeshPortMismatch;

impl FileRule for MeshPortMismatch {
    type Target = target::K8sObject;

    fn check(&self, o: &Object, cx: &mut FileContext<'_>) {
        if is_istio(o, "DestinationRule") {
            check_destination_rule(o, cx);
        } else if is_istio(o, "VirtualService") {
            check_gateway_matches(o, cx);
        }
    }
}

/// Literal port numbers of `nodes`, or `None` when one of them is not a literal.
fn literal_ports(nodes: &[&Node]) -> Option<Vec<u32>> {
    let mut out: Vec<u32> = nodes.iter().map(|n| number(n)).collect::<Option<_>>()?;
    out.sort_unstable();
    out.dedup();
    Some(out)
}

fn join(ports: &[u32]) -> String {
    ports.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// Where a list under `spec` is written: its key, else the object header.
fn spec_key(o: &Object, key: &str) -> Span {
    o.root
        .get("spec")
        .and_then(|s| s.entry(key))
        .map(|e| e.key_span)
        .unwrap_or(o.header)
}

fn check_destination_rule(dr: &Object, cx: &mut FileContext<'_>) {
    let Some(host) = dr.root.at("spec.host").and_then(Node::as_str) else {
        return;
    };
    let mesh = cx.project.mesh();
    let Some((svc, ns)) = mesh.host(host) else {
        return;
    };
    let Some((file, service)) = mesh.service(cx.project, svc, ns, dr) else {
        return;
    };
    let Some(ports) = literal_ports(&service.root.select("spec.ports[*].port")) else {
        return;
    };
    if ports.is_empty() {
        return;
    }
    let mut settings = dr.root.select("spec.trafficPolicy.portLevelSettings[*].port.number");
    settings.extend(
        dr.root
            .select("spec.subsets[*].trafficPolicy.portLevelSettings[*].port.number"),
    );
    for p in settings {
        let Some(n) = number(p) else { continue };
        if ports.contains(&n) {
            continue;
        }
        let d = cx.report(
            p.span,
            format!("port `{n}` is not a port of Service `{svc}`: the settings never apply"),
        );
        d.labels.push(Label {
            file: file.source.id,
            span: spec_key(service, "ports"),
            message: format!("Service `{svc}` exposes {}", join(&ports)),
        });
    }
}

/// The Gateways bound to a match, with their server ports; `None` when any binding is `mesh`
/// (sidecar traffic matches on Service ports) or cannot be resolved in the scan.
fn bound_gateways<'p>(
    project: &'p Project,
    vs: &Object,
    refs: &[&Node],
) -> Option<Vec<(&'p ParsedFile, &'p Object, Vec<u32>)>> {
    if refs.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for r in refs {
        let name = r.as_str()?;
        if name.trim() == "mesh" {
            return None;
        }
        let found = project.mesh().gateways(project, name, vs);
        if found.is_empty() {
            return None;
        }
        for (f, g) in found {
            let ports = literal_ports(&g.root.select("spec.servers[*].port.number"))?;
            if ports.is_empty() {
                return None;
            }
            if !out.iter().any(|(_, seen, _): &(_, &Object, _)| std::ptr::eq(*seen, g)) {
                out.push((f, g, ports));
            }
        }
    }
    Some(out)
}

fn check_gateway_matches(vs: &Object, cx: &mut FileContext<'_>) {
    // without `gateways` a VirtualService applies to the sidecars only (`mesh`)
    let top: Vec<&Node> = vs.root.select("spec.gateways[*]");
    for proto in ["http", "tcp", "tls"] {
        for m in vs.root.select(&format!("spec.{proto}[*].match[*]")) {
            let Some(p) = m.get("port") else { continue };
            let Some(n) = number(p) else { continue };
            // a match's own `gateways` override the VirtualService's
            let own: Vec<&Node> = m
                .get("gateways")
                .map(|g| g.items().iter().collect())
                .unwrap_or_default();
            let refs = if own.is_empty() { &top } else { &own };
            let Some(gateways) = bound_gateways(cx.project, vs, refs) else {
                continue;
            };
            if gateways.is_empty() || gateways.iter().any(|(_, _, ports)| ports.contains(&n)) {
                continue;
            }
            let mut names: Vec<String> = Vec::new();
            for (_, g, _) in &gateways {
                let name = format!("`{}`", g.name.as_deref().unwrap_or("?"));
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            let what = if names.len() == 1 { "Gateway" } else { "Gateways" };
            let d = cx.report(
                p.span,
                format!("match port `{n}` has no server on {what} {}", names.join(", ")),
            );
            for (f, g, ports) in &gateways {
                d.labels.push(Label {
                    file: f.source.id,
                    span: spec_key(g, "servers"),
                    message: format!(
                        "Gateway `{}` listens on {}",
                        g.name.as_deref().unwrap_or("?"),
                        join(ports)
                    ),
                });
            }
        }
    }
}
