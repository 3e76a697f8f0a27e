//! Environments: which of `prod`, `nonprod` or `unknown` a file, Kubernetes object, pipeline
//! job or Terraform root belongs to. One resolver with one set of defaults for every family:
//!
//! 1. the `[environments]` globs of the configuration, on the thing's path, decide first;
//! 2. then what the thing itself says, most specific first, in the order its family gives the
//!    evidence (a job's environment, namespace, kube context, workspace, var-file, service
//!    connection, stage and job name before its pipeline's name; an object's namespace; a
//!    Terraform root's backend key, workspace and `environment` value);
//! 3. then the path, nearest directory or file name first (`envs/prod/modules/dev-tools` is dev);
//! 4. then Compose's convention: `docker-compose.override.yml` is a developer's machine
//!    (nonprod);
//! 5. otherwise `unknown`, which counts as production unless `unknown-environment = "nonprod"`
//!    — for every family alike.
//!
//! A value names an environment when one of its words (split at anything not a letter or a
//! digit) is one of the configured prod or nonprod names: `prod-eu` is prod, `latest_api` is not.

use std::path::Path;

use crate::config::Settings;
use crate::source::Environment;

/// One thing a file, object or job says about where it runs: `("namespace", "payments-prod")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence<'a> {
    /// What the value is, as it reads in a message: `environment`, `namespace`, `var-file`...
    pub source: &'static str,
    pub value: &'a str,
}

impl<'a> Evidence<'a> {
    pub fn new(source: &'static str, value: &'a str) -> Self {
        Evidence { source, value }
    }
}

/// What the resolver decided, and the evidence that decided it (none for `unknown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub env: Environment,
    /// `config`, `path`, or the source of the deciding evidence.
    pub source: &'static str,
    /// The deciding value (a glob's path, a namespace, a directory name...).
    pub value: String,
}

impl Decision {
    fn unknown() -> Decision {
        Decision {
            env: Environment::Unknown,
            source: "",
            value: String::new(),
        }
    }

    /// Whether the decision counts as production under `settings` (unknown by its default).
    pub fn is_prod(&self, settings: &Settings) -> bool {
        settings.is_prod(self.env)
    }
}

/// The environment named by one value, if any: `prod-eu` → prod, `qa` → nonprod.
pub fn of_name(settings: &Settings, name: &str) -> Option<Environment> {
    settings.environment_of_name(name)
}

/// The environment the configuration's globs give a path, if any.
pub fn of_config(settings: &Settings, path: &Path) -> Option<Environment> {
    settings.configured_environment(path)
}

/// The environment of a path: configuration globs, then the nearest directory or file name
/// below the configuration root that names one.
pub fn of_path(settings: &Settings, path: &Path) -> Environment {
    decide(settings, Some(path), &[]).env
}

/// Decide the environment of something at `path` (when it has one) that says `evidence`,
/// most specific first.
pub fn decide(settings: &Settings, path: Option<&Path>, evidence: &[Evidence<'_>]) -> Decision {
    if let Some(p) = path {
        if let Some(env) = of_config(settings, p) {
            return Decision {
                env,
                source: "config",
                value: crate::source::display_path(p),
            };
        }
    }
    for e in evidence {
        if let Some(env) = of_name(settings, e.value) {
            return Decision {
                env,
                source: e.source,
                value: e.value.to_string(),
            };
        }
    }
    if let Some(p) = path {
        let rel = settings.relative(p);
        if let Some(d) = of_segments(settings, &rel) {
            return d;
        }
    }
    if let Some(p) = path.filter(|p| is_compose_override(p)) {
        return Decision {
            env: Environment::Nonprod,
            source: "compose-override",
            value: crate::source::display_path(p),
        };
    }
    Decision::unknown()
}

/// The environment the nearest segment of `rel` that names one gives, file name first.
fn of_segments(settings: &Settings, rel: &Path) -> Option<Decision> {
    let decided = |segment: &str| {
        of_name(settings, segment).map(|env| Decision {
            env,
            source: "path",
            value: segment.to_string(),
        })
    };
    match rel.to_str() {
        // split at `/` rather than parsed into components: the segments that can name an
        // environment are the same (`.`, `..`, `/` and empty ones have no word), in the same order
        Some(text) => text.rsplit(std::path::is_separator).find_map(decided),
        None => rel
            .components()
            .rev()
            .find_map(|c| decided(&c.as_os_str().to_string_lossy())),
    }
}

/// `docker-compose.override.yml` / `compose.override.yaml`: the file `docker compose up` adds
/// on a developer's machine by convention (a deployment names its files with `-f`).
fn is_compose_override(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    ["docker-compose.override.", "compose.override."]
        .iter()
        .any(|p| name.starts_with(p) && (name.ends_with(".yml") || name.ends_with(".yaml")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Settings {
        Settings::default()
    }

    #[test]
    fn names_are_read_word_by_word() {
        let s = s();
        assert_eq!(of_name(&s, "payments-prod"), Some(Environment::Prod));
        assert_eq!(of_name(&s, "Production"), Some(Environment::Prod));
        assert_eq!(of_name(&s, "qa_eu"), Some(Environment::Nonprod));
        assert_eq!(of_name(&s, "latest_api"), None);
        assert_eq!(of_name(&s, "protest"), None);
        // prod wins over a nonprod word in the same value
        assert_eq!(of_name(&s, "prod-test-data"), Some(Environment::Prod));
        for sample in ["samples", "demo", "tutorial", "quickstart"] {
            assert_eq!(of_name(&s, sample), Some(Environment::Nonprod), "{sample}");
        }
    }

    #[test]
    fn what_a_thing_says_beats_its_path_and_config_beats_both() {
        let s = s();
        let job = [Evidence::new("environment", "production")];
        let d = decide(&s, Some(Path::new(".github/workflows/test.yml")), &job);
        assert_eq!((d.env, d.source), (Environment::Prod, "environment"));
        let d = decide(&s, Some(Path::new(".github/workflows/test.yml")), &[]);
        assert_eq!(
            (d.env, d.source, d.value.as_str()),
            (Environment::Nonprod, "path", "test.yml")
        );
        let d = decide(
            &s,
            Some(Path::new("k8s/overlays/production/app.yaml")),
            &[Evidence::new("namespace", "default")],
        );
        assert_eq!((d.env, d.source), (Environment::Prod, "path"));

        let config: crate::config::Config =
            toml::from_str("[environments]\nnonprod = [\"k8s/overlays/production/**\"]\n").expect("config");
        let s = Settings::from_config(config, None, std::path::PathBuf::from(".")).expect("settings");
        let d = decide(&s, Some(Path::new("k8s/overlays/production/app.yaml")), &job);
        assert_eq!((d.env, d.source), (Environment::Nonprod, "config"));
    }

    #[test]
    fn compose_files() {
        let s = s();
        assert_eq!(of_path(&s, Path::new("docker-compose.prod.yml")), Environment::Prod);
        assert_eq!(of_path(&s, Path::new("docker-compose.dev.yml")), Environment::Nonprod);
        assert_eq!(
            of_path(&s, Path::new("docker-compose.override.yml")),
            Environment::Nonprod
        );
        assert_eq!(of_path(&s, Path::new("compose.override.yaml")), Environment::Nonprod);
        assert_eq!(of_path(&s, Path::new("docker-compose.yml")), Environment::Unknown);
        assert_eq!(
            of_path(&s, Path::new("deploy/production/docker-compose.override.yml")),
            Environment::Prod
        );
    }

    #[test]
    fn the_nearest_segment_decides_and_nothing_is_unknown() {
        let s = s();
        assert_eq!(
            of_path(&s, Path::new("infra/envs/prod/modules/dev-tools/main.tf")),
            Environment::Nonprod
        );
        assert_eq!(of_path(&s, Path::new("infra/envs/prod/main.tf")), Environment::Prod);
        let d = decide(
            &s,
            Some(Path::new("infra/main.tf")),
            &[Evidence::new("namespace", "payments")],
        );
        assert_eq!(d.env, Environment::Unknown);
        assert!(d.is_prod(&s), "unknown counts as production by default");
    }

    #[test]
    fn segments_decide_as_path_components_do() {
        let s = s();
        // what the path's components would decide, nearest first
        let by_components = |p: &str| {
            Path::new(p).components().rev().find_map(|c| {
                let segment = c.as_os_str().to_string_lossy().into_owned();
                of_name(&s, &segment).map(|env| (env, segment))
            })
        };
        for p in [
            "svc/prod/app/main.tf",
            "./prod//qa/x.yaml",
            "/abs/staging/../prod-eu/k8s/",
            "a/./b/Dockerfile.prod",
            "../dev",
            "live",
            "",
            "/",
            "plain/path/file.txt",
        ] {
            let got = of_segments(&s, Path::new(p)).map(|d| (d.env, d.value));
            assert_eq!(got, by_components(p), "{p}");
        }
    }
}
