//! Container image references, as Dockerfiles, Kubernetes manifests, pipelines and compose
//! files write them: `[registry[:port]/]repository[:tag][@algorithm:digest]`, with an optional
//! `docker://` prefix (GitHub Actions `uses: docker://…`).
//!
//! - A reference names a registry when its first path segment looks like a host (a `.` or a
//!   `:`, or `localhost`); otherwise it is on Docker Hub (`docker.io`). `index.docker.io`,
//!   `registry-1.docker.io` and `registry.hub.docker.com` are Docker Hub too, and Hub's
//!   official images live under `library/` (`nginx` is `docker.io/library/nginx`).
//! - A digest pins the image whatever its algorithm (`sha256`, `sha384`, `sha512`...).
//! - Without a tag and a digest the image is `latest`.
//! - A reference that holds a variable or an expression (`$TAG`, `${{ env.IMAGE }}`,
//!   `$(registry)`, `{{ .Values.image }}`, `#{tag}#`) is unknown: [`ImageRef::parse`] returns
//!   `None`, and no rule judges it. [`name_of`] still reads the repository name when only the
//!   registry or the tag are variables (a pipeline's `$(acr)/orders:$(Build.BuildId)`).

use crate::lang::docker::{Dockerfile, Stage};

/// Registry hosts that are Docker Hub.
const DOCKER_HUB: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// A digest: `sha256:2be8…` → (`sha256`, `2be8…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest<'a> {
    pub algorithm: &'a str,
    pub encoded: &'a str,
}

/// A literal image reference, split into its parts (each as written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The reference as written, without a `docker://` prefix.
    pub text: &'a str,
    /// The registry host (with its port) as written; `docker.io` when the reference names none.
    pub registry: &'a str,
    /// Whether the registry is written in the reference.
    pub explicit_registry: bool,
    /// The repository path without registry, tag and digest: `shop/api`, `nginx`.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<Digest<'a>>,
}

/// Characters that make a reference (or a part of it) a variable or an expression.
fn dynamic(s: &str) -> bool {
    s.contains(['$', '{', '}', '(', ')', '#', '%', '<', '>']) || s.contains(char::is_whitespace)
}

impl<'a> ImageRef<'a> {
    /// Parse a literal reference; `None` when it is empty, holds a variable or an expression,
    /// or is not a reference at all.
    pub fn parse(s: &'a str) -> Option<ImageRef<'a>> {
        let text = s.trim();
        let text = text.strip_prefix("docker://").unwrap_or(text);
        if text.is_empty() || dynamic(text) {
            return None;
        }
        let (rest, digest) = match text.split_once('@') {
            Some((r, d)) => {
                let (algorithm, encoded) = d.split_once(':')?;
                if algorithm.is_empty() || encoded.is_empty() {
                    return None;
                }
                (r, Some(Digest { algorithm, encoded }))
            }
            None => (text, None),
        };
        // a `:` after the last `/` starts the tag; one before it is a registry port
        let (name, tag) = match rest.rfind(':') {
            Some(i) if !rest[i + 1..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
            _ => (rest, None),
        };
        if tag == Some("") {
            return None;
        }
        let (registry, explicit_registry, repository) = match name.split_once('/') {
            Some((first, repo)) if first.contains(['.', ':']) || first == "localhost" => (first, true, repo),
            _ => ("docker.io", false, name),
        };
        if repository.is_empty() || repository.split('/').any(str::is_empty) {
            return None;
        }
        Some(ImageRef {
            text,
            registry,
            explicit_registry,
            repository,
            tag,
            digest,
        })
    }

    /// Whether the image is on Docker Hub (by default or by one of Hub's host names).
    pub fn is_docker_hub(&self) -> bool {
        DOCKER_HUB.iter().any(|h| self.registry.eq_ignore_ascii_case(h))
    }

    /// The registry host in lower case, Docker Hub's aliases as `docker.io`.
    pub fn host(&self) -> String {
        if self.is_docker_hub() {
            "docker.io".into()
        } else {
            self.registry.to_ascii_lowercase()
        }
    }

    /// The repository as the registry knows it: Docker Hub's official images under `library/`.
    pub fn full_repository(&self) -> String {
        if self.is_docker_hub() && !self.repository.contains('/') {
            format!("library/{}", self.repository)
        } else {
            self.repository.to_string()
        }
    }

    /// The image's name: the last segment of its repository, in lower case (`shop/orders` →
    /// `orders`); what pipelines tag and manifests run are matched by it.
    pub fn name(&self) -> String {
        last_segment(self.repository).to_ascii_lowercase()
    }

    /// Pinned by a digest (any algorithm).
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some()
    }

    /// Whether the image runs whatever `latest` points to: no digest, and the `latest` tag or
    /// none. `Some(true)` when the tag is written, `Some(false)` when it is implied.
    pub fn latest(&self) -> Option<bool> {
        if self.digest.is_some() {
            return None;
        }
        match self.tag {
            None => Some(false),
            Some("latest") => Some(true),
            Some(_) => None,
        }
    }

    /// Whether the image is under `prefix`: a registry host (`myacr.azurecr.io`, `docker.io`) or
    /// a host with a repository path (`ghcr.io/acme`, `docker.io/library`). Hosts compare
    /// without case and with Docker Hub's aliases; paths compare by whole segments.
    pub fn is_under(&self, prefix: &str) -> bool {
        let prefix = prefix.trim().trim_end_matches('/');
        let (host, path) = match prefix.split_once('/') {
            Some((h, p)) => (h, Some(p)),
            None => (prefix, None),
        };
        let host = if DOCKER_HUB.iter().any(|h| host.eq_ignore_ascii_case(h)) {
            "docker.io".to_string()
        } else {
            host.to_ascii_lowercase()
        };
        if host != self.host() {
            return false;
        }
        match path {
            None => true,
            Some(p) => {
                let repo = self.full_repository();
                repo == p || repo.strip_prefix(p).is_some_and(|r| r.starts_with('/'))
            }
        }
    }
}

fn last_segment(repository: &str) -> &str {
    repository.rsplit('/').next().unwrap_or(repository)
}

/// The image name (last repository segment, lower case) of a reference whose registry or tag
/// may be variables: `$(acr)/orders:$(Build.BuildId)` → `orders`. `None` when the name itself
/// is not literal.
pub fn name_of(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_prefix("docker://").unwrap_or(text);
    let without_digest = text.split('@').next().unwrap_or(text);
    let last = last_segment(without_digest);
    let name = last.split(':').next().unwrap_or(last).trim();
    (!name.is_empty() && !dynamic(name)).then(|| name.to_ascii_lowercase())
}

/// What a Dockerfile stage is built `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `FROM scratch`: no image at all.
    Scratch,
    /// An earlier stage of the same Dockerfile.
    Stage(usize),
    /// An image from a registry: the reference with its ARGs resolved.
    Image(String),
    /// The reference depends on an ARG without a default.
    Unknown,
}

/// The base of a stage: `scratch`, an earlier stage, or an image (ARGs resolved).
pub fn base_of(d: &Dockerfile, stage: &Stage) -> Base {
    if let Some(b) = stage.base {
        return Base::Stage(b);
    }
    let Some(reference) = d.resolve(&stage.image.text, stage.from) else {
        return Base::Unknown;
    };
    if reference.eq_ignore_ascii_case("scratch") {
        return Base::Scratch;
    }
    // `ARG BASE=build` + `FROM ${BASE}`: a stage named after ARGs are resolved
    match d.stage_named(&reference) {
        Some(s) if s.index < stage.index => Base::Stage(s.index),
        _ => Base::Image(reference),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parts<'a> = (&'a str, &'a str, Option<&'a str>, Option<(&'a str, &'a str)>);

    fn parts(s: &str) -> Option<Parts<'_>> {
        ImageRef::parse(s).map(|r| {
            (
                r.registry,
                r.repository,
                r.tag,
                r.digest.map(|d| (d.algorithm, d.encoded)),
            )
        })
    }

    #[test]
    fn splits_registry_repository_tag_and_digest() {
        assert_eq!(
            parts("myacr.azurecr.io/shop/api:1.2@sha256:abc"),
            Some(("myacr.azurecr.io", "shop/api", Some("1.2"), Some(("sha256", "abc"))))
        );
        assert_eq!(parts("nginx"), Some(("docker.io", "nginx", None, None)));
        assert_eq!(parts("localhost:5000/app"), Some(("localhost:5000", "app", None, None)));
        assert_eq!(
            parts("registry.local:5000/team/app:2"),
            Some(("registry.local:5000", "team/app", Some("2"), None))
        );
        assert_eq!(
            parts("docker://alpine:3.19"),
            Some(("docker.io", "alpine", Some("3.19"), None))
        );
        assert_eq!(
            parts("bitnami/redis:7.2"),
            Some(("docker.io", "bitnami/redis", Some("7.2"), None))
        );
    }

    #[test]
    fn every_digest_algorithm_pins() {
        for alg in ["sha256", "sha384", "sha512", "blake3"] {
            let text = format!("python:3.12-slim@{alg}:0123abcd");
            let r = ImageRef::parse(&text).expect("reference");
            assert!(r.is_pinned(), "{alg}");
            assert_eq!(r.latest(), None, "{alg}");
        }
        assert!(ImageRef::parse("python@").is_none());
        assert!(ImageRef::parse("python@sha256:").is_none());
    }

    #[test]
    fn latest_is_written_or_implied() {
        let latest = |s: &str| ImageRef::parse(s).and_then(|r| r.latest());
        assert_eq!(latest("nginx"), Some(false));
        assert_eq!(latest("nginx:latest"), Some(true));
        assert_eq!(latest("localhost:5000/app"), Some(false));
        assert_eq!(latest("nginx:1.27"), None);
    }

    #[test]
    fn variables_and_expressions_are_unknown() {
        for s in [
            "",
            "{{ .Values.image }}",
            "${{ env.IMAGE }}",
            "$(acr)/orders:$(tag)",
            "python:${PY}",
            "#{registry}#/api:1",
            "nginx:",
            "a//b",
        ] {
            assert!(ImageRef::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn docker_hub_has_several_names() {
        for s in ["nginx:1", "docker.io/nginx:1", "index.docker.io/library/nginx:1"] {
            let r = ImageRef::parse(s).expect("reference");
            assert!(r.is_docker_hub(), "{s}");
            assert_eq!(
                (r.host(), r.full_repository()),
                ("docker.io".into(), "library/nginx".into())
            );
            assert!(r.is_under("docker.io"), "{s}");
            assert!(r.is_under("index.docker.io/library"), "{s}");
            assert!(!r.is_under("docker.io/bitnami"), "{s}");
        }
        let r = ImageRef::parse("ShopAcr.azurecr.io/shop/api:1").expect("reference");
        assert!(r.is_under("shopacr.azurecr.io"));
        assert!(r.is_under("shopacr.azurecr.io/shop"));
        assert!(!r.is_under("shopacr.azurecr.io/sh"));
        assert!(!r.is_under("docker.io"));
    }

    #[test]
    fn names_survive_variable_registries_and_tags() {
        assert_eq!(name_of("$(acr)/orders:$(Build.BuildId)").as_deref(), Some("orders"));
        assert_eq!(name_of("ghcr.io/acme/Cart@sha512:00").as_deref(), Some("cart"));
        assert_eq!(name_of("${{ env.REGISTRY }}/${{ env.IMAGE }}:1"), None);
        assert_eq!(
            ImageRef::parse("shop/orders:1").map(|r| r.name()).as_deref(),
            Some("orders")
        );
    }

    #[test]
    fn stages_scratch_and_images() {
        let d = crate::lang::docker::parse(
            "ARG BASE=python:3.12-slim\nARG FROM_STAGE=build\nFROM ${BASE} AS build\nFROM scratch\nFROM ${FROM_STAGE}\nFROM ${NOPE}\n",
        )
        .expect("parses");
        let bases: Vec<Base> = d.stages.iter().map(|s| base_of(&d, s)).collect();
        assert_eq!(
            bases,
            [
                Base::Image("python:3.12-slim".into()),
                Base::Scratch,
                Base::Stage(0),
                Base::Unknown
            ]
        );
    }
}
