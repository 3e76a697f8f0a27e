//! DC005: a service mounts the Docker daemon's socket.

use crate::lang::compose::{ComposeFile, Service};
use crate::rules::{target, FileContext, FileRule};

pub struct DockerSocketMounted;

/// Where Docker (and Podman's Docker-compatible service) put the daemon socket.
const SOCKETS: &[&str] = &["/var/run/docker.sock", "/run/docker.sock", "/run/podman/podman.sock"];

impl FileRule for DockerSocketMounted {
    type Target = target::ComposeService;

    fn check(&self, (_, svc): (&ComposeFile, &Service), cx: &mut FileContext<'_>) {
        for v in svc.volumes() {
            let Some(source) = v.source.as_deref() else { continue };
            let source = source.trim_end_matches('/');
            if SOCKETS.contains(&source) {
                cx.report(
                    v.span,
                    format!("service `{}` mounts the Docker socket `{source}`", svc.name),
                );
            }
        }
    }
}
