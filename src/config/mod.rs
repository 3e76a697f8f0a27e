//! Configuration: `linea.toml` or `[tool.linea]` in `pyproject.toml`, found by walking up from
//! the scanned path, deserialised strictly, then resolved into [`Settings`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rules::{RuleMeta, Severity};
use crate::source::{Environment, Span};

/// `linea.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Rules to enable: ids (`DF001`), slugs (`image-tag-latest`), families (`docker`), id prefixes (`DF`, `TF1`), or `ALL`. Default: every rule that is on by default.
    pub select: Option<Vec<String>>,
    /// Rules to disable, in the same forms as `select`.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule severity overrides: `DF009 = "warning"`.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Glob → rules ignored in matching files: `"tests/**" = ["PY005"]`.
    #[serde(default)]
    pub per_path_ignores: BTreeMap<String, Vec<String>>,
    /// Lowest severity that makes `linea check` exit 1. Default `warning`.
    pub fail_on: Option<Severity>,
    /// Files larger than this many bytes are skipped with PARSE002. Default 10 MiB.
    pub max_file_size: Option<u64>,
    /// Require a reason text on every suppression comment (LINEA002).
    #[serde(default)]
    pub require_reason: bool,
    /// Paths (globs, relative to the config file) never scanned.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Directories of custom rules, in the built-in YAML format.
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(default)]
    pub ports: PortsConfig,
    #[serde(default)]
    pub environments: EnvironmentsConfig,
    #[serde(default)]
    pub registries: RegistriesConfig,
    #[serde(default)]
    pub terraform: TerraformConfig,
    #[serde(default)]
    pub python: PythonConfig,
    #[serde(default)]
    pub layout: LayoutConfig,
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
                "testing",
                "staging",
                "stage",
                "stg",
                "qa",
                "uat",
                "sandbox",
                "local",
                "ci",
                "preview",
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
}

impl Default for TerraformConfig {
    fn default() -> Self {
        TerraformConfig {
            required_tags: vec!["environment".into(), "owner".into()],
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

/// A configuration file that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub span: Option<Span>,
    pub message: String,
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_config(Config::default(), None, PathBuf::from(".")).expect("default config is valid")
    }
}

fn glob_set(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {e}"))?;
        b.add(glob);
        // `dir/**` should also match `dir` itself and a bare `name` anywhere below the root
        if !g.contains('/') {
            if let Ok(any) = Glob::new(&format!("**/{g}")) {
                b.add(any);
            }
        }
    }
    b.build().map_err(|e| e.to_string())
}

impl Settings {
    pub fn from_config(config: Config, path: Option<PathBuf>, root: PathBuf) -> Result<Settings, String> {
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
        })
    }

    pub fn fail_on(&self) -> Severity {
        self.config.fail_on.unwrap_or(Severity::Warning)
    }

    pub fn max_file_size(&self) -> u64 {
        self.config.max_file_size.unwrap_or(10 * 1024 * 1024)
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
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        match abs.strip_prefix(&self.root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path.to_path_buf(),
        }
    }

    /// Environment from config globs, if any matches.
    pub fn configured_environment(&self, path: &Path) -> Option<Environment> {
        let rel = self.relative(path);
        if self.prod_globs.is_match(&rel) {
            Some(Environment::Prod)
        } else if self.nonprod_globs.is_match(&rel) {
            Some(Environment::Nonprod)
        } else {
            None
        }
    }

    /// Environment named by a word (path segment, namespace, stage name): `prod-eu` → prod.
    pub fn environment_of_name(&self, name: &str) -> Option<Environment> {
        let lower = name.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let env = &self.config.environments;
        if words.iter().any(|w| env.prod_names.iter().any(|n| n == w)) {
            Some(Environment::Prod)
        } else if words.iter().any(|w| env.nonprod_names.iter().any(|n| n == w)) {
            Some(Environment::Nonprod)
        } else {
            None
        }
    }

    /// Environment from config globs, then from the path's directory and file names.
    pub fn path_environment(&self, path: &Path) -> Environment {
        if let Some(e) = self.configured_environment(path) {
            return e;
        }
        let rel = self.relative(path);
        // the nearest segment wins: `envs/prod/modules/dev-tools` is... dev
        for comp in rel.components().rev() {
            let s = comp.as_os_str().to_string_lossy();
            if let Some(e) = self.environment_of_name(&s) {
                return e;
            }
        }
        Environment::Unknown
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude.is_match(self.relative(path))
    }

    /// Whether a rule runs at all under `select`/`ignore`. Rules that are off by default
    /// (LINEA002) run only when named by id or slug, or switched on by their setting.
    pub fn rule_enabled(&self, meta: &RuleMeta) -> bool {
        if self.config.ignore.iter().any(|s| selector_matches(s, meta)) {
            return false;
        }
        let on_by_default = meta.default_enabled || (meta.id == "LINEA002" && self.config.require_reason);
        match &self.config.select {
            None => on_by_default,
            Some(sel) => {
                let named = sel.iter().any(|s| s.eq_ignore_ascii_case(&meta.id) || s == &meta.slug);
                named || (on_by_default && sel.iter().any(|s| selector_matches(s, meta)))
            }
        }
    }

    /// The severity of a rule after overrides.
    pub fn severity(&self, meta: &RuleMeta) -> Severity {
        self.config
            .severity
            .get(&meta.id)
            .or_else(|| self.config.severity.get(&meta.slug))
            .copied()
            .unwrap_or(meta.severity)
    }

    /// Whether `per-path-ignores` silences `meta` in `path`.
    pub fn path_ignores(&self, path: &Path, meta: &RuleMeta) -> bool {
        let rel = self.relative(path);
        self.per_path
            .iter()
            .any(|(set, rules)| set.is_match(&rel) && rules.iter().any(|s| selector_matches(s, meta)))
    }
}

/// Whether a selector (`ALL`, id, slug, family, id prefix) names the rule.
pub fn selector_matches(sel: &str, meta: &RuleMeta) -> bool {
    sel == "ALL"
        || sel.eq_ignore_ascii_case(&meta.id)
        || sel == meta.slug
        || sel.eq_ignore_ascii_case(&meta.family)
        || (sel.chars().all(|c| c.is_ascii_alphanumeric())
            && sel.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && meta.id.starts_with(sel))
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

/// Parse `linea.toml` text.
pub fn parse_config(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let result: Result<Config, toml::de::Error> = if is_pyproject {
        #[derive(Deserialize)]
        struct Py {
            tool: Option<Tool>,
        }
        #[derive(Deserialize)]
        struct Tool {
            linea: Option<toml::Value>,
        }
        match toml::from_str::<Py>(text) {
            Ok(py) => match py.tool.and_then(|t| t.linea) {
                Some(v) => v.try_into(),
                None => Ok(Config::default()),
            },
            Err(e) => Err(e),
        }
    } else {
        toml::from_str(text)
    };
    result.map_err(|e| ConfigError {
        path: path.to_path_buf(),
        text: Arc::from(text),
        span: e.span().map(|r| Span::new(r.start, r.end)),
        message: e.message().to_string(),
    })
}

/// Find the config for a scan: `linea.toml`, or a `pyproject.toml` with `[tool.linea]`, in
/// `start` or the nearest ancestor.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if abs.is_file() {
        abs.parent().map(Path::to_path_buf)
    } else {
        Some(abs)
    };
    while let Some(d) = dir {
        let toml = d.join("linea.toml");
        if toml.is_file() {
            return Some(toml);
        }
        let py = d.join("pyproject.toml");
        if py.is_file() {
            if let Ok(t) = std::fs::read_to_string(&py) {
                if t.lines().any(|l| l.trim_start().starts_with("[tool.linea")) {
                    return Some(py);
                }
            }
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    None
}

/// Load settings from an explicit or discovered config file (or defaults).
pub fn load(explicit: Option<&Path>, scan_root: &Path) -> Result<Settings, ConfigError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => discover(scan_root),
    };
    let Some(path) = path else {
        let root = if scan_root.is_file() {
            scan_root.parent().unwrap_or(scan_root)
        } else {
            scan_root
        };
        let root = if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            root
        };
        return Ok(Settings::from_config(Config::default(), None, root.to_path_buf()).expect("default config is valid"));
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
        path: path.clone(),
        text: Arc::from(""),
        span: None,
        message: format!("cannot read: {e}"),
    })?;
    let config = parse_config(&path, &text)?;
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    Settings::from_config(config, Some(path.clone()), root).map_err(|message| ConfigError {
        path,
        text: Arc::from(text.as_str()),
        span: None,
        message,
    })
}
