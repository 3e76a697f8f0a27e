//! Configuration: `linea.toml` or `[tool.linea]` in `pyproject.toml`, found by walking up from
//! the scanned path, deserialised strictly, then resolved into [`Settings`].
//!
//! A section is a struct here with `deny_unknown_fields` and `default`: unknown keys, their
//! suggestions, the JSON Schema (`linea schema`) and the `linea init` template all follow from
//! the struct, so adding a section is adding a field to [`Config`].

mod error;
mod size;
mod template;
mod tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{RuleInfo, Severity};
use crate::source::Environment;

pub use error::{locate, ConfigError};
pub use size::ByteSize;
pub use template::init_template;
pub use tree::{repository_root, Configs, Overrides};

/// `linea.toml`, or `[tool.linea]` in `pyproject.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "linea configuration")]
pub struct Config {
    /// Another config file (relative to this one) whose settings apply unless this one sets them: `extend = "../linea.toml"`; tables merge key by key, lists are replaced.
    pub extend: Option<String>,
    /// Rules to enable: ids (`DF001`), slugs (`image-tag-latest`), families (`docker`), id prefixes (`DF`, `TF1`), or `ALL`. Default: every rule that is on by default.
    #[schemars(extend("examples" = [["ALL"]]))]
    pub select: Option<Vec<String>>,
    /// Rules to disable, in the same forms as `select`.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity overrides by rule id, slug, family or prefix: `DF009 = "warning"`.
    #[serde(default)]
    #[schemars(extend("examples" = [{"DF009": "warning", "kubernetes": "error"}]))]
    pub severity: BTreeMap<String, Severity>,
    /// Rules ignored in files matching a glob (relative to the config file): `"tests/**" = ["PY005"]`.
    #[serde(default)]
    #[schemars(extend("examples" = [{"tests/**": ["PY005"], "infra/legacy/**": ["terraform"]}]))]
    pub per_path_ignores: BTreeMap<String, Vec<String>>,
    /// Lowest severity that makes `linea check` exit 1: `error`, `warning` (default) or `info`.
    #[schemars(extend("default" = "warning"))]
    pub fail_on: Option<Severity>,
    /// Files larger than this are skipped with PARSE002: bytes, or a size such as `"10MiB"`, `"512KB"`.
    #[schemars(extend("default" = "10MiB"))]
    pub max_file_size: Option<ByteSize>,
    /// Require a reason text on every suppression comment (LINEA002).
    #[serde(default)]
    pub require_reason: bool,
    /// Paths (globs, relative to the config file) never scanned.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Directories of custom rules, in the built-in YAML format.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Allowed ports: 443 outside the cluster, plain HTTP only inside.
    #[serde(default)]
    pub ports: PortsConfig,
    /// How files are assigned to `prod`, `nonprod` or `unknown` (prod-scoped rules fire on prod).
    #[serde(default)]
    pub environments: EnvironmentsConfig,
    /// Container image registries.
    #[serde(default)]
    pub registries: RegistriesConfig,
    /// Terraform settings.
    #[serde(default)]
    pub terraform: TerraformConfig,
    /// Python source settings.
    #[serde(default)]
    pub python: PythonConfig,
    #[serde(default)]
    pub layout: LayoutConfig,
    /// Helm charts: how linea renders them (no `helm` binary needed).
    #[serde(default)]
    pub helm: HelmConfig,
    /// Kubernetes settings.
    #[serde(default)]
    pub kubernetes: KubernetesConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct KubernetesConfig {
    /// Namespaces of node agents that need the host (CSI drivers, node exporters, kured): the host-access rules (privileged, host namespaces, hostPath, hostPort, capabilities) skip their workloads.
    #[schemars(extend("default" = ["kube-system"]))]
    pub system_namespaces: Vec<String>,
}

impl Default for KubernetesConfig {
    fn default() -> Self {
        KubernetesConfig {
            system_namespaces: vec!["kube-system".into()],
        }
    }
}

/// Helm charts: how linea renders them, once per environment.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct HelmConfig {
    /// Render Helm charts; with `false` their templates are skipped.
    #[schemars(extend("default" = true))]
    pub render: Option<bool>,
    /// `.Release.Name`; by default `release-name`, as `helm template`.
    #[schemars(extend("default" = "release-name"))]
    pub release: Option<String>,
    /// `.Release.Namespace`, and the namespace of rendered objects that name none. Unset: the
    /// namespace is chosen at install, and objects that name none are not reported for it.
    #[schemars(extend("examples" = ["shop"]))]
    pub namespace: Option<String>,
    /// `.Capabilities.KubeVersion`.
    #[schemars(extend("default" = "1.31.0"))]
    pub kube_version: Option<String>,
    /// API versions `.Capabilities.APIVersions.Has` knows besides the built-in ones: custom
    /// resources of the target cluster, such as `monitoring.coreos.com/v1`.
    pub api_versions: Vec<String>,
    /// Values files (relative to the config file) by environment, for every chart: `prod =
    /// ["deploy/values-prod.yaml"]`. `default` applies under every environment. When set, they
    /// replace the values files found by name.
    #[schemars(extend("examples" = [{"default": ["deploy/common.yaml"], "prod": ["deploy/values-prod.yaml"]}]))]
    pub values: BTreeMap<String, Vec<String>>,
    /// Values set like `--set`, for every chart: `"image.tag" = "1.4.2"`.
    #[schemars(extend("examples" = [{"image.tag": "1.4.2", "replicaCount": 3}]))]
    pub set: BTreeMap<String, serde_json::Value>,
    /// Charts with settings of their own (other charts are found by their `Chart.yaml`).
    pub charts: Vec<HelmChartConfig>,
}

/// One chart's `[helm]` settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HelmChartConfig {
    /// The chart's directory, relative to the config file.
    pub path: String,
    /// `.Release.Name` of this chart.
    pub release: Option<String>,
    /// `.Release.Namespace` of this chart.
    pub namespace: Option<String>,
    /// Values files by environment, replacing `[helm] values` for this chart.
    #[serde(default)]
    pub values: BTreeMap<String, Vec<String>>,
    /// Values set like `--set` for this chart, after `[helm] set`.
    #[serde(default)]
    pub set: BTreeMap<String, serde_json::Value>,
}

/// Allowed ports: 443 outside the cluster, plain HTTP only inside.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PortsConfig {
    /// Ports that may be exposed outside the cluster.
    pub external: Vec<u16>,
    /// Ports that services may listen on inside the cluster.
    pub internal: Vec<u16>,
}

impl Default for PortsConfig {
    fn default() -> Self {
        PortsConfig {
            external: vec![443],
            internal: vec![80, 8080, 8000, 5000, 9090],
        }
    }
}

/// How files are assigned to environments.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct EnvironmentsConfig {
    /// Globs of production files.
    pub prod: Vec<String>,
    /// Globs of non-production files.
    pub nonprod: Vec<String>,
    /// Names that mean production in paths, namespaces, stages and environments.
    pub prod_names: Vec<String>,
    /// Names that mean non-production.
    pub nonprod_names: Vec<String>,
    /// How to treat files whose environment is unknown: `prod` (default) or `nonprod`.
    pub unknown_environment: UnknownEnvironment,
}

impl Default for EnvironmentsConfig {
    fn default() -> Self {
        EnvironmentsConfig {
            prod: Vec::new(),
            nonprod: Vec::new(),
            prod_names: ["prod", "production", "prd", "live"].map(String::from).to_vec(),
            nonprod_names: [
                "dev",
                "development",
                "test",
                "tests",
                "testing",
                "example",
                "examples",
                "staging",
                "stage",
                "stg",
                "qa",
                "uat",
                "sandbox",
                "local",
                "ci",
                "preview",
                "review",
                "sample",
                "samples",
                "demo",
                "demos",
                "tutorial",
                "quickstart",
            ]
            .map(String::from)
            .to_vec(),
            unknown_environment: UnknownEnvironment::Prod,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UnknownEnvironment {
    #[default]
    Prod,
    Nonprod,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct RegistriesConfig {
    /// Registries images may come from (`myacr.azurecr.io`, `mcr.microsoft.com`).
    pub allowed: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct TerraformConfig {
    /// Tags every taggable resource must carry (TF012).
    pub required_tags: Vec<String>,
    /// Resource types a production plan must not delete or replace (TF015): databases, key
    /// vaults, registries, storage, Kubernetes clusters. Setting it replaces the default list.
    pub protected_types: Vec<String>,
}

/// The resource types TF015 protects by default.
pub const PROTECTED_TYPES: &[&str] = &[
    // databases
    "azurerm_mssql_server",
    "azurerm_mssql_database",
    "azurerm_mssql_managed_instance",
    "azurerm_postgresql_server",
    "azurerm_postgresql_flexible_server",
    "azurerm_postgresql_database",
    "azurerm_postgresql_flexible_server_database",
    "azurerm_mysql_server",
    "azurerm_mysql_flexible_server",
    "azurerm_mysql_database",
    "azurerm_mysql_flexible_database",
    "azurerm_mariadb_server",
    "azurerm_mariadb_database",
    "azurerm_cosmosdb_account",
    "azurerm_cosmosdb_sql_database",
    "azurerm_cosmosdb_mongo_database",
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_dynamodb_table",
    "google_sql_database_instance",
    "google_spanner_instance",
    // key vaults and keys
    "azurerm_key_vault",
    "azurerm_key_vault_key",
    "aws_kms_key",
    "google_kms_crypto_key",
    // container registries
    "azurerm_container_registry",
    "aws_ecr_repository",
    "google_artifact_registry_repository",
    // storage
    "azurerm_storage_account",
    "aws_s3_bucket",
    "aws_efs_file_system",
    "google_storage_bucket",
    // Kubernetes clusters
    "azurerm_kubernetes_cluster",
    "aws_eks_cluster",
    "google_container_cluster",
];

impl Default for TerraformConfig {
    fn default() -> Self {
        TerraformConfig {
            required_tags: vec!["environment".into(), "owner".into()],
            protected_types: PROTECTED_TYPES.iter().map(|t| t.to_string()).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PythonConfig {
    /// Layers from highest to lowest: a layer may import only the layers after it.
    pub layers: Vec<String>,
    /// Other sub-package names that mean a layer: `views = ["api", "routes"]`.
    pub layer_aliases: BTreeMap<String, Vec<String>>,
}

impl Default for PythonConfig {
    fn default() -> Self {
        let alias = |layer: &str, names: &[&str]| (layer.to_string(), names.iter().map(|n| n.to_string()).collect());
        PythonConfig {
            layers: vec!["views".into(), "core".into(), "data_access".into()],
            layer_aliases: BTreeMap::from([
                alias(
                    "views",
                    &["api", "routes", "routers", "endpoints", "handlers", "controllers"],
                ),
                alias("core", &["domain", "services", "service", "logic"]),
                alias(
                    "data_access",
                    &["repositories", "repository", "db", "dal", "persistence", "storage"],
                ),
            ]),
        }
    }
}

impl PythonConfig {
    /// The layer (index into `layers`, and its name) a package name stands for.
    pub fn layer_of(&self, package: &str) -> Option<(usize, &str)> {
        self.layers.iter().enumerate().find_map(|(i, l)| {
            let aliased = self
                .layer_aliases
                .get(l)
                .is_some_and(|a| a.iter().any(|n| n == package));
            (l == package || aliased).then_some((i, l.as_str()))
        })
    }
}

/// What a Python project root must contain (the layout rules); defaults follow the baseline
/// blueprint.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct LayoutConfig {
    /// Targets the Makefile must define (LAY011).
    pub makefile_targets: Vec<String>,
    /// Directory names that hold tests (LAY003, LAY004).
    pub test_dirs: Vec<String>,
    /// Test and dev tools that do not belong in runtime requirements (LAY013); a trailing `*`
    /// matches a prefix (`pytest-*`).
    pub dev_tools: Vec<String>,
    /// Words in a CI step that mean it runs the tests (LAY010).
    pub test_commands: Vec<String>,
}

impl Default for LayoutConfig {
    fn default() -> Self {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect();
        LayoutConfig {
            makefile_targets: v(&["install", "test", "lint"]),
            test_dirs: v(&["tests", "test"]),
            dev_tools: v(&[
                "pytest",
                "pytest-*",
                "flake8",
                "flake8-*",
                "black",
                "isort",
                "pylint",
                "mypy",
                "ruff",
                "ipython",
                "ipdb",
                "pdbpp",
                "jupyter",
                "notebook",
                "jupyterlab",
                "coverage",
                "pre-commit",
                "tox",
                "nox",
                "bandit",
                "hypothesis",
                "faker",
                "responses",
                "freezegun",
            ]),
            test_commands: v(&[
                "pytest",
                "make test",
                "tox",
                "nox",
                "unittest",
                "hatch test",
                "coverage run",
            ]),
        }
    }
}

/// The resolved configuration of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    /// The config file, when one was found.
    pub path: Option<PathBuf>,
    /// Directory the config's relative globs are relative to.
    pub root: PathBuf,
    per_path: Vec<(GlobSet, Vec<String>)>,
    prod_globs: GlobSet,
    nonprod_globs: GlobSet,
    exclude: GlobSet,
    /// The config file's text, to point errors found after parsing (unknown rule names) at it.
    pub(crate) text: Option<Arc<str>>,
    /// The working directory when the settings were made: relative scan paths are relative to
    /// it (read once; asking the OS for every file costs a system call each).
    cwd: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_config(Config::default(), None, PathBuf::from(".")).expect("default config is valid")
    }
}

/// A glob that does not compile: the glob and why.
pub(crate) struct BadGlob(pub(crate) String, pub(crate) String);

fn glob_set(globs: &[String]) -> Result<GlobSet, BadGlob> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        crate::budget::check_glob(g).map_err(|over| BadGlob(g.clone(), over.to_string()))?;
        let glob = Glob::new(g).map_err(|e| BadGlob(g.clone(), format!("invalid glob `{g}`: {}", e.kind())))?;
        b.add(glob);
        // a bare `name` matches at any depth, and a glob naming a directory covers what is below it
        let trimmed = g.trim_end_matches('/');
        let mut extra = vec![format!("{trimmed}/**")];
        if !trimmed.contains('/') {
            extra.push(format!("**/{trimmed}"));
            extra.push(format!("**/{trimmed}/**"));
        }
        for e in extra {
            if let Ok(glob) = Glob::new(&e) {
                b.add(glob);
            }
        }
    }
    b.build().map_err(|e| BadGlob(String::new(), e.to_string()))
}

impl Settings {
    pub fn from_config(config: Config, path: Option<PathBuf>, root: PathBuf) -> Result<Settings, String> {
        Settings::build(config, path, root).map_err(|BadGlob(_, message)| message)
    }

    pub(crate) fn build(config: Config, path: Option<PathBuf>, root: PathBuf) -> Result<Settings, BadGlob> {
        let mut per_path = Vec::new();
        for (glob, rules) in &config.per_path_ignores {
            per_path.push((glob_set(std::slice::from_ref(glob))?, rules.clone()));
        }
        let root = std::path::absolute(&root).unwrap_or(root);
        Ok(Settings {
            prod_globs: glob_set(&config.environments.prod)?,
            nonprod_globs: glob_set(&config.environments.nonprod)?,
            exclude: glob_set(&config.exclude)?,
            per_path,
            config,
            path,
            root,
            text: None,
            cwd: std::env::current_dir().ok(),
        })
    }

    /// Check every rule name in `select`, `ignore`, `[severity]` and `[per-path-ignores]`
    /// against the known rules; an unknown name is an error pointing at it, with the nearest
    /// id or slug.
    pub fn check_rule_names<R: RuleInfo>(&self, rules: &[&R]) -> Result<(), ConfigError> {
        let c = &self.config;
        let named: Vec<(&str, &str)> = c
            .select
            .iter()
            .flatten()
            .map(|s| ("select", s.as_str()))
            .chain(c.ignore.iter().map(|s| ("ignore", s.as_str())))
            .chain(c.severity.keys().map(|s| ("severity", s.as_str())))
            .chain(
                c.per_path_ignores
                    .values()
                    .flatten()
                    .map(|s| ("per-path-ignores", s.as_str())),
            )
            .collect();
        for (key, name) in named {
            if rules.iter().any(|m| selector_matches(name, *m)) {
                continue;
            }
            let mut candidates: Vec<&str> = rules.iter().flat_map(|m| [m.id(), m.slug(), m.family()]).collect();
            candidates.sort_unstable();
            candidates.dedup();
            let hint = nearest(name, &candidates)
                .or_else(|| nearest(&name.to_ascii_uppercase(), &candidates))
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            let message = format!("`{name}` in `{key}` names no rule{hint}");
            let help = "use a rule id (`DF001`), slug (`image-tag-latest`), family (`docker`), id prefix (`DF`) or `ALL`; `linea rules` lists them";
            return Err(match (&self.path, &self.text) {
                (Some(path), Some(text)) => {
                    let pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
                    ConfigError::new(
                        path.clone(),
                        text.clone(),
                        locate(text, pyproject, &[key], name),
                        message,
                    )
                    .with_help(help)
                }
                _ => ConfigError::new(PathBuf::from("command line"), Arc::from(""), None, message).with_help(help),
            });
        }
        Ok(())
    }

    pub fn fail_on(&self) -> Severity {
        self.config.fail_on.unwrap_or(Severity::Warning)
    }

    pub fn max_file_size(&self) -> u64 {
        self.config.max_file_size.map_or(10 * 1024 * 1024, |s| s.0)
    }

    /// Whether `env` counts as production.
    pub fn is_prod(&self, env: Environment) -> bool {
        match env {
            Environment::Prod => true,
            Environment::Nonprod => false,
            Environment::Unknown => self.config.environments.unknown_environment == UnknownEnvironment::Prod,
        }
    }

    /// Path relative to the config root, with `/` separators, for glob matching.
    pub fn relative(&self, path: &Path) -> PathBuf {
        // most paths are absolute and spelt as `absolute` would spell them: nothing to make
        if is_clean_absolute(path) {
            // both clean: below the root is a byte prefix ending at a `/`
            if let (Some(p), Some(root)) = (
                path.to_str(),
                self.root.to_str().filter(|_| is_clean_absolute(&self.root)),
            ) {
                return match p.strip_prefix(root) {
                    Some("") => PathBuf::new(),
                    Some(rest) => match rest.strip_prefix('/') {
                        Some(rel) => PathBuf::from(rel),
                        None => path.to_path_buf(),
                    },
                    None => path.to_path_buf(),
                };
            }
            return match path.strip_prefix(&self.root) {
                Ok(rel) => rel.to_path_buf(),
                Err(_) => path.to_path_buf(),
            };
        }
        let abs = match &self.cwd {
            Some(cwd) if path.is_relative() => cwd.join(path),
            _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        };
        match abs.strip_prefix(&self.root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path.to_path_buf(),
        }
    }

    /// Environment from config globs, if any matches.
    pub fn configured_environment(&self, path: &Path) -> Option<Environment> {
        if self.prod_globs.is_empty() && self.nonprod_globs.is_empty() {
            return None;
        }
        let rel = self.relative(path);
        if self.prod_globs.is_match(&rel) {
            Some(Environment::Prod)
        } else if self.nonprod_globs.is_match(&rel) {
            Some(Environment::Nonprod)
        } else {
            None
        }
    }

    /// Environment named by a value (path segment, namespace, stage name), read word by word
    /// (split at anything not a letter or digit): `prod-eu` → prod, `latest_api` → none. A
    /// prod word wins over a nonprod one. The resolver that uses it for files, objects, jobs
    /// and modules is [`crate::semantic::environment`].
    pub fn environment_of_name(&self, name: &str) -> Option<Environment> {
        let names = &self.config.environments;
        let mut nonprod = false;
        for word in name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if names.prod_names.iter().any(|n| n.eq_ignore_ascii_case(word)) {
                return Some(Environment::Prod);
            }
            nonprod |= names.nonprod_names.iter().any(|n| n.eq_ignore_ascii_case(word));
        }
        nonprod.then_some(Environment::Nonprod)
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        !self.config.exclude.is_empty() && self.exclude.is_match(self.relative(path))
    }

    /// Whether a rule runs at all under `select`/`ignore`. Rules that are off by default
    /// (LINEA002) run only when named by id or slug, or switched on by their setting.
    pub fn rule_enabled<R: RuleInfo + ?Sized>(&self, meta: &R) -> bool {
        if self.config.ignore.iter().any(|s| selector_matches(s, meta)) {
            return false;
        }
        let on_by_default = meta.default_enabled() || (meta.id() == "LINEA002" && self.config.require_reason);
        match &self.config.select {
            None => on_by_default,
            Some(sel) => {
                let named = sel
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(meta.id()) || meta.has_slug(s));
                named || (on_by_default && sel.iter().any(|s| selector_matches(s, meta)))
            }
        }
    }

    /// The severity of a rule after overrides: an id or slug wins over a family, prefix or `ALL`.
    pub fn severity<R: RuleInfo + ?Sized>(&self, meta: &R) -> Severity {
        self.configured_severity(meta).unwrap_or(meta.default_severity())
    }

    /// The severity the configuration gives a rule, if it names one.
    pub fn configured_severity<R: RuleInfo + ?Sized>(&self, meta: &R) -> Option<Severity> {
        let sev = &self.config.severity;
        sev.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(meta.id()) || meta.has_slug(k))
            .or_else(|| sev.iter().find(|(k, _)| selector_matches(k, meta)))
            .map(|(_, s)| *s)
    }

    /// Whether `per-path-ignores` silences `meta` in `path`.
    pub fn path_ignores<R: RuleInfo + ?Sized>(&self, path: &Path, meta: &R) -> bool {
        if self.per_path.is_empty() {
            return false;
        }
        let rel = self.relative(path);
        self.per_path
            .iter()
            .any(|(set, rules)| set.is_match(&rel) && rules.iter().any(|s| selector_matches(s, meta)))
    }
}

/// Whether `path` is absolute and already as [`std::path::absolute`] and
/// [`crate::semantic::path::normalize`] would make it: no `.`, `..` or empty component (`//`,
/// a trailing `/`). Such a path needs neither (nor the working directory) to be compared.
pub fn is_clean_absolute(path: &Path) -> bool {
    path.is_absolute() && plain_components(path, false)
}

/// What follows `dir` in `path` when `path`'s text starts with `dir`'s up to a separator:
/// [`Path::strip_prefix`] for paths spelt plainly (`a/b/c` below `a/b` is `c`, `a/bc` is not
/// below it).
pub fn strip_dir_text<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(dir)?;
    if rest.is_empty() || dir.ends_with('/') {
        Some(rest)
    } else {
        rest.strip_prefix('/')
    }
}

/// Whether no component of `path` is `.` or empty (`//`, a trailing `/`), nor `..` unless
/// `parents`: a path spelt as cleaning it would spell it.
pub fn plain_components(path: &Path, parents: bool) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes
        .strip_prefix(b"/")
        .unwrap_or(bytes)
        .split(|c| *c == b'/')
        .all(|part| !part.is_empty() && part != b"." && (parents || part != b".."))
}

/// Whether a selector (`ALL`, id, slug or former slug, family, id prefix) names the rule.
pub fn selector_matches<R: RuleInfo + ?Sized>(sel: &str, meta: &R) -> bool {
    sel == "ALL"
        || sel.eq_ignore_ascii_case(meta.id())
        || meta.has_slug(sel)
        || sel.eq_ignore_ascii_case(meta.family())
        || (sel.chars().all(|c| c.is_ascii_alphanumeric())
            && sel.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && meta.id().starts_with(sel))
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Parse `linea.toml` text, or the `[tool.linea]` table of a `pyproject.toml` (errors then
/// point into the pyproject file).
pub fn parse_config(path: &Path, text: &str) -> Result<Config, ConfigError> {
    #[derive(Deserialize)]
    struct PyProject {
        tool: Option<Tool>,
    }
    #[derive(Deserialize)]
    struct Tool {
        linea: Option<Config>,
    }
    let result = if is_pyproject(path) {
        toml::from_str::<PyProject>(text).map(|py| py.tool.and_then(|t| t.linea).unwrap_or_default())
    } else {
        toml::from_str::<Config>(text)
    };
    result.map_err(|e| ConfigError::from_toml(path.to_path_buf(), Arc::from(text), &e))
}

fn is_pyproject(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "pyproject.toml")
}

/// Whether a `pyproject.toml` text has a `[tool.linea]` table.
pub fn has_tool_linea(text: &str) -> bool {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(text) else {
        // a broken pyproject that mentions us is ours to report
        return text.contains("[tool.linea");
    };
    match doc.get_ref().get("tool").map(|t| t.get_ref()) {
        Some(DeValue::Table(t)) => t.contains_key("linea"),
        _ => false,
    }
}

/// Names of the config files, in the order they are looked for in each directory.
pub const CONFIG_FILES: [&str; 2] = ["linea.toml", "pyproject.toml"];

/// Find the config for a scan: `linea.toml`, or a `pyproject.toml` with `[tool.linea]`, in
/// `start` (or its directory, for a file) or the nearest ancestor — never above the repository
/// root (the nearest directory with `.git`), so a config outside the checkout cannot silence it.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    let first = if abs.is_dir() {
        Some(abs.as_path())
    } else {
        abs.parent()
    };
    let repo = tree::repository_root(&abs);
    // shown in messages: relative to the working directory when it is below it
    let shown = |p: PathBuf| match std::env::current_dir() {
        Ok(cwd) => p.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(p),
        Err(_) => p,
    };
    let mut dir = first;
    while let Some(d) = dir {
        if let Some(found) = tree::config_in_dir(d) {
            return Some(shown(found));
        }
        if repo.as_deref() == Some(d) {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// Where relative paths start when there is no config file: the repository root (the nearest
/// directory with `.git`), else the working directory when the scan is below it, else the
/// scanned directory. Environment names are read from the path below this root, so checking
/// `infra/envs/dev` must keep `dev` in it.
pub fn default_root(scan_root: &Path) -> PathBuf {
    let abs = std::path::absolute(scan_root).unwrap_or_else(|_| scan_root.to_path_buf());
    let start = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent().unwrap_or(&abs)
    };
    if let Some(repo) = start.ancestors().find(|d| d.join(".git").exists()) {
        return repo.to_path_buf();
    }
    match std::env::current_dir() {
        Ok(cwd) if start.starts_with(&cwd) => cwd,
        _ => start.to_path_buf(),
    }
}

/// Load settings from an explicit or discovered config file (or defaults), with what it
/// `extend`s.
pub fn load(explicit: Option<&Path>, scan_root: &Path) -> Result<Settings, ConfigError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => discover(scan_root),
    };
    let Some(path) = path else {
        let root = default_root(scan_root);
        return Ok(Settings::from_config(Config::default(), None, root).expect("default config is valid"));
    };
    if explicit.is_some() && is_pyproject(&path) {
        let text = tree::read_bounded(&path).map_err(|e| ConfigError::new(path.clone(), Arc::from(""), None, e))?;
        if !has_tool_linea(&text) {
            return Err(
                ConfigError::new(path, Arc::from(text), None, "has no `[tool.linea]` table")
                    .with_help("add `[tool.linea]`, or pass a `linea.toml`"),
            );
        }
    }
    tree::load_file(&path)
}

/// The JSON Schema of the configuration file, for editors. Draft-07, the draft TOML and JSON
/// editors (Taplo, VS Code) support best.
pub fn json_schema() -> String {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Config>();
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(name: &str, text: &str) -> ConfigError {
        parse_config(Path::new(name), text).expect_err("config must be rejected")
    }

    fn line_of(e: &ConfigError) -> String {
        e.location()
            .rsplit_once(':')
            .map(|(l, _)| l.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn unknown_keys_are_pointed_at_with_a_suggestion() {
        let e = err("linea.toml", "fail-on = \"error\"\nselct = [\"DF001\"]\n");
        assert_eq!(e.message, "unknown key `selct`; did you mean `select`?");
        assert_eq!(e.location(), "linea.toml:2:1");
        let e = err("linea.toml", "[ports]\nexternal = [443]\nextrenal = [8443]\n");
        assert_eq!(e.message, "unknown key `extrenal`; did you mean `external`?");
        assert_eq!(e.location(), "linea.toml:3:1");
        let e = err("linea.toml", "[environments]\nunknown-environment = \"staging\"\n");
        assert!(e.message.starts_with("unknown value `staging`"), "{}", e.message);
        assert_eq!(line_of(&e), "linea.toml:2");
    }

    #[test]
    fn helm_section_reads_charts_values_and_set() {
        let text = "[helm]\nrelease = \"shop\"\nkube-version = \"1.30.2\"\n[helm.values]\nprod = [\"deploy/values-prod.yaml\"]\n[helm.set]\n\"image.tag\" = \"1.4.2\"\nreplicas = 3\n\n[[helm.charts]]\npath = \"charts/api\"\nnamespace = \"api-prod\"\nvalues = { staging = [\"charts/api/staging.yaml\"] }\n";
        let c = parse_config(Path::new("linea.toml"), text).expect("loads");
        assert_eq!(c.helm.release.as_deref(), Some("shop"));
        assert_eq!(c.helm.values["prod"], ["deploy/values-prod.yaml"]);
        assert_eq!(c.helm.set["replicas"], serde_json::json!(3));
        assert_eq!(c.helm.charts[0].namespace.as_deref(), Some("api-prod"));
        let e = err("linea.toml", "[helm]\nreleas = \"x\"\n");
        assert_eq!(e.message, "unknown key `releas`; did you mean `release`?");
        let e = err("linea.toml", "[[helm.charts]]\npath = \"a\"\nvalue = {}\n");
        assert!(e.message.starts_with("unknown key `value`"), "{}", e.message);
    }

    #[test]
    fn pyproject_errors_point_into_pyproject() {
        let text = "[project]\nname = \"svc\"\n\n[tool.ruff]\nline-length = 100\n\n[tool.linea]\nfail-on = \"warning\"\nignroe = [\"DF001\"]\n";
        let e = err("pyproject.toml", text);
        assert_eq!(e.message, "unknown key `ignroe`; did you mean `ignore`?");
        assert_eq!(e.location(), "pyproject.toml:9:1");
        let ok = parse_config(Path::new("pyproject.toml"), "[tool.linea]\nfail-on = \"error\"\n").expect("loads");
        assert_eq!(ok.fail_on, Some(Severity::Error));
        assert!(parse_config(Path::new("pyproject.toml"), "[project]\nname = \"x\"\n").is_ok());
    }

    #[test]
    fn bad_values_are_pointed_at() {
        let e = err("linea.toml", "\nmax-file-size = \"ten megs\"\n");
        assert_eq!(line_of(&e), "linea.toml:2");
        assert!(e.message.contains("`ten megs` is not a size"), "{}", e.message);
        let e = err("linea.toml", "[ports]\nexternal = [443, 70000]\n");
        assert_eq!(line_of(&e), "linea.toml:2");
        let e = err("linea.toml", "require-reason = \"yes\"\n");
        assert_eq!(line_of(&e), "linea.toml:1");
        let c = parse_config(Path::new("linea.toml"), "max-file-size = \"512KB\"\n").expect("loads");
        assert_eq!(c.max_file_size, Some(ByteSize(512_000)));
        let c = parse_config(Path::new("linea.toml"), "max-file-size = 2048\n").expect("loads");
        assert_eq!(c.max_file_size, Some(ByteSize(2048)));
    }

    #[test]
    fn rendered_error_shows_the_line() {
        let e = err("linea.toml", "fail-on = \"error\"\nselct = [\"DF001\"]\n");
        let r = e.render(false);
        assert!(
            r.contains("linea.toml:2:1: unknown key `selct`; did you mean `select`?"),
            "{r}"
        );
        assert!(r.contains("selct = [\"DF001\"]"), "{r}");
    }

    #[test]
    fn locate_finds_values_and_keys() {
        let text = "select = [\"DF001\", \"K8S99\"]\n[severity]\nTF404 = \"error\"\n";
        let s = locate(text, false, &["select"], "K8S99").expect("found");
        assert_eq!(&text[s.start..s.end], "\"K8S99\"");
        let s = locate(text, false, &["severity"], "TF404").expect("found");
        assert_eq!(&text[s.start..s.end], "TF404");
        let py = "[tool.linea]\nignore = [\"x\"]\n";
        assert!(locate(py, true, &["ignore"], "x").is_some());
    }
}
