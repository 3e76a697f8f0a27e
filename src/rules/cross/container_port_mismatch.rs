//! XR004: the `containerPort`s of a Kubernetes workload, or the container ports a compose
//! service publishes, and the `EXPOSE` of the Dockerfile that builds its image disagree.
//!
//! A compose service with `build:` is matched to the Dockerfile it builds; one with only
//! `image:` like a Kubernetes container.
//! A container's image is matched to a Dockerfile through the builds of the repository's
//! pipelines and compose files (the image name they tag), else by name: the image's repository
//! name equals the Dockerfile's directory name. The message states which match was used. Silent
//! when the Dockerfile exposes nothing, a port is not a literal, or nothing matches.

use std::path::Path;

use crate::lang::compose::Service;
use crate::lang::k8s::{Container, ContainerKind};
use crate::project::absolute;
use crate::project::builds::compose_build_paths;
use crate::project::builds::Dockerfile;
use crate::project::{Model, Project};
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::semantic::image::name_of;
use crate::semantic::port::{container_ports, ImagePorts, Protocol};
use crate::source::{FileId, Node};

pub struct ContainerPortMismatch;

impl ProjectRule for ContainerPortMismatch {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        if project.builds().dockerfiles().iter().all(|d| d.ports.is_none()) {
            return;
        }
        for w in project.workloads().all() {
            let Some((f, o)) = project.workload_object(w) else {
                continue;
            };
            for c in o.containers() {
                if c.kind == ContainerKind::Container {
                    check_container(project, cx, f.source.id, &c);
                }
            }
        }
        for f in &project.files {
            let Model::Compose(c) = &f.model else { continue };
            let dir = absolute(f.source.path.parent().unwrap_or(Path::new("")));
            for svc in &c.services {
                check_service(project, cx, f.source.id, &dir, svc);
            }
        }
    }
}

/// The Dockerfile a compose service's image comes from: the one it builds, else by image name.
fn service_dockerfile<'p>(project: &'p Project, dir: &Path, svc: &Service) -> Option<(&'p Dockerfile, String)> {
    if let Some(build) = svc.build() {
        let (_, path) = compose_build_paths(dir, &build)?;
        let d = project.builds().dockerfile(&path).filter(|d| d.ports.is_some())?;
        return Some((d, format!("service `{}` builds it", svc.name)));
    }
    let name = svc.image().and_then(|i| name_of(&i.text))?;
    dockerfile_of(project, &name)
}

fn check_service(project: &Project, cx: &mut ProjectContext<'_>, file: FileId, dir: &Path, svc: &Service) {
    // with the host's network the published ports are ignored
    if svc.get("network_mode").and_then(Node::as_str) == Some("host") {
        return;
    }
    let Some((image, how)) = service_dockerfile(project, dir, svc) else {
        return;
    };
    let Some(ports) = &image.ports else { return };
    let Some(display) = project.file(image.file).map(|f| f.source.display_path()) else {
        return;
    };
    for (_, p) in svc.ports() {
        let Some(p) = p else { continue };
        let (lo, hi) = (p.target.start, p.target.end);
        let Some(port) = (lo..=hi).find(|port| !ports.exposes(*port, p.protocol)) else {
            continue;
        };
        if !ports.complete {
            continue;
        }
        let message = format!(
            "service `{}` publishes container port `{}`, not exposed by `{display}`",
            svc.name,
            shown(port, p.protocol)
        );
        let d = cx.report_in(file, p.span, message);
        d.note = Some(format!("the image comes from that Dockerfile: {how}"));
        d.labels.push(exposed_label(image.file, ports));
    }
}

fn shown(port: u32, protocol: Protocol) -> String {
    match protocol {
        Protocol::Tcp => port.to_string(),
        other => format!("{port}/{}", other.as_str()),
    }
}

fn exposed_label(file: FileId, ports: &ImagePorts) -> Label {
    Label {
        file,
        span: ports.at,
        message: format!("the image exposes {}", ports.render()),
    }
}

/// The Dockerfile (that exposes ports) building the image a container runs, and how it was
/// matched.
fn dockerfile_of<'p>(project: &'p Project, name: &str) -> Option<(&'p Dockerfile, String)> {
    let builds = project.builds();
    // a pipeline or compose build that tags this image name
    let by_build = builds
        .tagging(name)
        .find_map(|b| builds.dockerfile(&b.dockerfile).filter(|d| d.ports.is_some()));
    if let Some(d) = by_build {
        return Some((d, format!("a pipeline or compose build tags `{name}`")));
    }
    let mut same = builds.dockerfiles_in_dir_named(name).filter(|d| d.ports.is_some());
    match (same.next(), same.next()) {
        (Some(d), None) => Some((d, format!("matched by directory name `{name}`"))),
        _ => None,
    }
}

fn check_container(project: &Project, cx: &mut ProjectContext<'_>, file: FileId, c: &Container<'_>) {
    let Some(image_ref) = c.node.get("image").and_then(Node::as_str) else {
        return;
    };
    let Some(name) = name_of(image_ref) else { return };
    let Some((image, how)) = dockerfile_of(project, &name) else {
        return;
    };
    let Some(ports) = &image.ports else { return };
    let Some(display) = project.file(image.file).map(|f| f.source.display_path()) else {
        return;
    };
    for p in container_ports(c) {
        let Some(port) = p.number else { continue };
        if !ports.complete || ports.exposes(port, p.protocol) {
            continue;
        }
        let message = format!(
            "containerPort `{}` is not exposed by `{display}`",
            shown(port, p.protocol)
        );
        let d = cx.report_in(file, p.node.span, message);
        d.note = Some(format!("image `{image_ref}` comes from that Dockerfile: {how}"));
        d.labels.push(exposed_label(image.file, ports));
    }
}
