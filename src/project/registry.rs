//! Container registries the repository's Terraform provisions, and whether an image reference
//! points into one of them. Azure Container Registry first; Amazon ECR and Google Artifact
//! Registry / Container Registry for repositories on those clouds.

use std::sync::LazyLock;

use regex::Regex;

use crate::lang::terraform::TfBlock;
use crate::project::Project;
use crate::semantic::image::ImageRef;
use crate::source::{FileId, Node, Span};

/// Where images of one provisioned registry live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Every repository under a host: `shopacr.azurecr.io`, `eu.gcr.io`.
    Host(String),
    /// One ECR repository, on any account's `*.dkr.ecr.<region>.amazonaws.com` host.
    EcrRepository(String),
    /// One Artifact Registry repository: `<location>-docker.pkg.dev/<project>/<repository>`.
    ArtifactRepository { host: String, repository: String },
}

/// One registry resource of the repository's Terraform.
#[derive(Debug, Clone)]
pub struct Registry {
    /// `azurerm_container_registry.shop`
    pub address: String,
    pub file: FileId,
    /// The name attribute, or the block header when the name is computed by the provider.
    pub span: Span,
    /// `None` when the name is not a literal: the registry exists, where is unknown.
    pub location: Option<Location>,
}

impl Registry {
    /// The registry as people write it in image references.
    pub fn display(&self) -> String {
        match &self.location {
            Some(Location::Host(h)) => h.clone(),
            Some(Location::EcrRepository(r)) => format!("<account>.dkr.ecr.<region>.amazonaws.com/{r}"),
            Some(Location::ArtifactRepository { host, repository }) => format!("{host}/<project>/{repository}"),
            None => self.address.clone(),
        }
    }

    /// Whether an image reference points into this registry; `None` when the location is unknown.
    pub fn admits(&self, image: &ImageRef<'_>) -> Option<bool> {
        let host = image.host();
        Some(match self.location.as_ref()? {
            Location::Host(h) => host == *h,
            Location::EcrRepository(r) => ECR_HOST.is_match(&host) && image.repository == r,
            Location::ArtifactRepository { host: h, repository } => {
                host == *h && image.repository.split('/').nth(1) == Some(repository.as_str())
            }
        })
    }
}

static ECR_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$").expect("valid regex")
});

fn literal(node: Option<&Node>) -> Option<(String, Span)> {
    let n = node?;
    let s = n.as_str()?.trim();
    (!s.is_empty()).then(|| (s.to_ascii_lowercase(), n.span))
}

fn registry(b: &TfBlock) -> Option<Registry> {
    if b.kind != "resource" || !b.enabled {
        return None;
    }
    let address = format!("{}.{}", b.type_name(), b.name().unwrap_or("?"));
    let name = |key: &str| literal(b.body.get(key));
    let (location, span) = match b.type_name() {
        "azurerm_container_registry" => match name("name") {
            Some((n, span)) => (Some(Location::Host(format!("{n}.azurecr.io"))), span),
            None => (None, b.header),
        },
        "aws_ecr_repository" => match name("name") {
            Some((n, span)) => (Some(Location::EcrRepository(n)), span),
            None => (None, b.header),
        },
        "google_artifact_registry_repository" => {
            let format = b.body.get("format").and_then(Node::as_str);
            if format.is_some_and(|f| !f.eq_ignore_ascii_case("docker")) {
                return None;
            }
            match (name("location"), name("repository_id"), format) {
                (Some((loc, _)), Some((repository, span)), Some(_)) => (
                    Some(Location::ArtifactRepository {
                        host: format!("{loc}-docker.pkg.dev"),
                        repository,
                    }),
                    span,
                ),
                _ => (None, b.header),
            }
        }
        "google_container_registry" => match b.body.get("location") {
            None => (Some(Location::Host("gcr.io".into())), b.header),
            Some(l) => match literal(Some(l)) {
                Some((loc, span)) => (Some(Location::Host(format!("{loc}.gcr.io"))), span),
                None => (None, b.header),
            },
        },
        _ => return None,
    };
    Some(Registry {
        address,
        file: b.file,
        span,
        location,
    })
}

/// Every container registry resource of the project's Terraform, in file order.
pub(crate) fn build(project: &Project) -> Vec<Registry> {
    project
        .terraform
        .iter()
        .flat_map(|m| m.blocks())
        .filter_map(registry)
        .collect()
}

impl Project {
    /// Every container registry resource of the repository's Terraform, in file order
    /// (indexed once).
    pub fn container_registries(&self) -> &[Registry] {
        self.indexes.registries.get_or_init(|| build(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(location: Location) -> Registry {
        Registry {
            address: "r.x".into(),
            file: FileId(0),
            span: Span::default(),
            location: Some(location),
        }
    }

    #[test]
    fn images_match_the_registry_they_point_into() {
        let img = |s: &'static str| ImageRef::parse(s).expect("image");
        let acr = reg(Location::Host("shopacr.azurecr.io".into()));
        assert_eq!(acr.admits(&img("ShopAcr.azurecr.io/orders:1.2")), Some(true));
        assert_eq!(acr.admits(&img("otheracr.azurecr.io/orders:1.2")), Some(false));
        assert_eq!(acr.admits(&img("redis:7")), Some(false));
        let ecr = reg(Location::EcrRepository("shop/orders".into()));
        assert_eq!(
            ecr.admits(&img("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders:1")),
            Some(true)
        );
        assert_eq!(
            ecr.admits(&img("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/cart:1")),
            Some(false)
        );
        let ar = reg(Location::ArtifactRepository {
            host: "europe-west1-docker.pkg.dev".into(),
            repository: "shop".into(),
        });
        assert_eq!(
            ar.admits(&img("europe-west1-docker.pkg.dev/acme-prod/shop/orders:1")),
            Some(true)
        );
        assert_eq!(
            ar.admits(&img("europe-west1-docker.pkg.dev/acme-prod/ml/orders:1")),
            Some(false)
        );
        let unknown = Registry { location: None, ..acr };
        assert_eq!(unknown.admits(&img("shopacr.azurecr.io/orders:1")), None);
    }
}
