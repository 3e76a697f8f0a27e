//! XR004: the `containerPort`s of a Kubernetes workload and the `EXPOSE` of the Dockerfile
//! that builds its image disagree.
//!
//! A container's image is matched to a Dockerfile through the builds of the repository's
//! pipelines and compose files (the image name they tag), else by name: the image's repository
//! name equals the Dockerfile's directory name. The message states which match was used. Silent
//! when the Dockerfile exposes nothing, a port is not a literal, or nothing matches.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::lang::docker::Dockerfile;
use crate::project::{Model, Project};
use crate::rules::cross::{abs, builds, image_name};
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::source::{FileId, Node, Span};

pub struct ContainerPortMismatch;

/// Ports of the final stage's EXPOSE instructions (literal or resolvable), with the first one.
fn exposed(d: &Dockerfile) -> Option<(BTreeSet<i64>, Span, String)> {
    let stage = d.final_stage()?;
    let mut ports = BTreeSet::new();
    let mut at: Option<Span> = None;
    let mut words = Vec::new();
    for i in d.stage_instructions(stage).iter().filter(|i| i.is("EXPOSE")) {
        at.get_or_insert(i.span);
        for a in &i.args {
            let spec = d.resolve(&a.text, i.index)?;
            let port = spec.split('/').next().unwrap_or(&spec);
            ports.insert(port.parse::<i64>().ok()?);
            words.push(spec.clone());
        }
    }
    Some((ports, at?, words.join(" ")))
}

/// The Dockerfiles of the project: (file, path, directory name, exposed ports).
struct Image {
    file: FileId,
    path: PathBuf,
    dir_name: String,
    display: String,
    ports: BTreeSet<i64>,
    expose: Span,
    expose_text: String,
}

fn images(project: &Project) -> Vec<Image> {
    let mut out = Vec::new();
    for f in &project.files {
        let Model::Docker(d) = &f.model else { continue };
        let Some((ports, expose, expose_text)) = exposed(d) else {
            continue;
        };
        let path = abs(&f.source.path);
        let dir_name = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        out.push(Image {
            file: f.source.id,
            path,
            dir_name,
            display: f.source.display_path(),
            ports,
            expose,
            expose_text,
        });
    }
    out
}

impl ProjectRule for ContainerPortMismatch {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        let images = images(project);
        if images.is_empty() {
            return;
        }
        let builds = builds(project, &project.root);
        for (f, o) in project.k8s_objects() {
            for c in o.containers() {
                if c.kind == crate::lang::k8s::ContainerKind::Container {
                    check_container(cx, f.source.id, c.node, &images, &builds);
                }
            }
        }
    }
}

fn check_container(
    cx: &mut ProjectContext<'_>,
    file: FileId,
    c: &Node,
    images: &[Image],
    builds: &[crate::rules::cross::Build],
) {
    let Some(name) = c.get("image").and_then(Node::as_str).and_then(image_name) else {
        return;
    };
    // a pipeline or compose build that tags this image name
    let by_build = builds
        .iter()
        .filter(|b| b.images.contains(&name))
        .find_map(|b| images.iter().find(|i| i.path == b.dockerfile));
    let (image, how) = match by_build {
        Some(i) => (i, format!("a pipeline or compose build tags `{name}`")),
        None => {
            let mut same: Vec<&Image> = images.iter().filter(|i| i.dir_name == name).collect();
            if same.len() != 1 {
                return;
            }
            match same.pop() {
                Some(i) => (i, format!("matched by directory name `{name}`")),
                None => return,
            }
        }
    };
    for p in c.get("ports").map(Node::items).unwrap_or(&[]) {
        let Some(port_node) = p.get("containerPort") else {
            continue;
        };
        let Some(port) = port_node.as_i64() else { continue };
        if image.ports.contains(&port) {
            continue;
        }
        let message = format!("containerPort `{port}` is not exposed by `{}`", image.display);
        let image_ref = c.get("image").and_then(Node::as_str).unwrap_or(&name);
        let d = cx.report_in(file, port_node.span, message);
        d.note = Some(format!("image `{image_ref}` comes from that Dockerfile: {how}"));
        d.labels.push(Label {
            file: image.file,
            span: image.expose,
            message: format!("the image exposes {}", image.expose_text),
        });
    }
}
