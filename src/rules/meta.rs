//! Rule metadata: `rules/<family>/<ID>.yaml`, embedded in the binary for built-ins and read
//! from disk for users' rules, in exactly the same format.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::lang::yaml;
use crate::rules::Severity;
use crate::source::node::Node;
use crate::source::Span;

/// `all` rules fire everywhere; `prod` rules only on files classified as production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    All,
    Prod,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Prod => "prod",
        }
    }
}

/// What the repository must show before a rule applies (`requires:`): a mesh rule says
/// nothing about a repository that does not use the mesh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// Istio is in use: Istio objects, injection labels or sidecar annotations, an Istio
    /// chart, or an AKS cluster with the Istio add-on in the repository's Terraform.
    IstioMesh,
}

/// The kinds of file a rule reads (`reads:`), itself or through the project's indexes: a run
/// whose rules all declare theirs parses only those (`--select DF` parses Dockerfiles and what
/// DF rules consult). A rule that declares nothing reads every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reads {
    /// Dockerfiles and `.dockerignore` files.
    Dockerfile,
    /// YAML read as Kubernetes objects (charts and kustomizations rendered from them).
    Kubernetes,
    /// `.tf`, `.tfvars`, Terraform tests, lock files and JSON plans.
    Terraform,
    /// GitHub Actions workflows and actions, Azure Pipelines (and the YAML they include).
    Pipelines,
    /// Docker Compose files.
    Compose,
    /// Python sources, requirements, `pyproject.toml`, tool configuration, lock files, Makefiles.
    Python,
    /// Whether the repository's images run on Kubernetes ([`crate::project::workloads`]): a
    /// Helm chart's `Chart.yaml` settles it by its path alone; without one, manifests, Terraform
    /// and pipelines are read.
    Deployments,
}

impl Reads {
    const NAMES: &'static [(&'static str, Reads)] = &[
        ("dockerfile", Reads::Dockerfile),
        ("kubernetes", Reads::Kubernetes),
        ("terraform", Reads::Terraform),
        ("pipelines", Reads::Pipelines),
        ("compose", Reads::Compose),
        ("python", Reads::Python),
        ("deployments", Reads::Deployments),
    ];

    /// What [`Reads::Deployments`] reads when the repository has no Helm chart (with one, it
    /// reads nothing): what the workloads index learns deployments from.
    pub const EVIDENCE_OF_DEPLOYMENTS: &'static [Reads] = &[Reads::Kubernetes, Reads::Terraform, Reads::Pipelines];

    /// The file kinds read.
    pub fn kinds(self) -> &'static [crate::discover::FileKind] {
        use crate::discover::FileKind as K;
        match self {
            Reads::Dockerfile => &[K::Dockerfile, K::Dockerignore],
            Reads::Kubernetes => &[K::Yaml],
            Reads::Terraform => &[
                K::Terraform,
                K::TfVars,
                K::TerraformTest,
                K::TerraformLock,
                K::TerraformPlan,
            ],
            // an Azure pipeline may be any YAML file, recognised by its shape
            Reads::Pipelines => &[K::GithubWorkflow, K::GithubAction, K::AzurePipeline, K::Yaml],
            Reads::Compose => &[K::Compose],
            Reads::Python => &[
                K::Python,
                K::Requirements,
                K::PyProject,
                K::SetupCfg,
                K::ToxIni,
                K::PytestIni,
                K::Pipfile,
                K::LintConfig,
                K::LockFile,
                K::Makefile,
            ],
            // it stands for other reads: see `Reads::EVIDENCE_OF_DEPLOYMENTS`
            Reads::Deployments => &[],
        }
    }
}

/// Objects a rule leaves alone (`exempt:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exemption {
    /// Workloads in `[kubernetes] system-namespaces` (node agents that need the host).
    SystemNamespaces,
}

/// A peer tool's equivalent check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSource {
    pub tool: String,
    pub id: String,
    /// `same` or `inspired`.
    pub relation: String,
}

/// How a rule's logic is provided.
#[derive(Debug, Clone)]
pub enum Logic {
    /// A Rust rule in `src/rules/<family>/<slug_snake>.rs`.
    Native(String),
    /// A declarative `check:` block, interpreted.
    Check(Node),
    /// Produced by the engine itself (PARSE001, LINEA001, ...).
    Engine,
}

#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: String,
    pub slug: String,
    /// Slugs the rule had before it was renamed (`aliases:`): configurations and suppressions
    /// that name one still name the rule.
    pub aliases: Vec<String>,
    pub family: String,
    pub severity: Severity,
    pub scope: Scope,
    pub summary: String,
    /// Markdown body: `## Why is this bad?`, `## Example`, `## Use instead`, ...
    pub docs: String,
    /// Default help line attached to every finding of this rule.
    pub help: Option<String>,
    pub sources: Vec<RuleSource>,
    pub tags: Vec<String>,
    /// What the repository must show for the rule to apply.
    pub requires: Vec<Requirement>,
    /// Objects the rule skips.
    pub exempt: Vec<Exemption>,
    /// The kinds of file the rule reads; `None`: every file.
    pub reads: Option<Vec<Reads>>,
    /// Off unless selected explicitly (or switched on by a setting).
    pub default_enabled: bool,
    pub logic: Logic,
    /// Where the YAML came from (`rules/docker/DF001.yaml` for built-ins).
    pub origin: PathBuf,
    /// The YAML text, for pointing errors into custom rule files.
    pub text: Arc<str>,
    /// Whether this is a built-in rule.
    pub builtin: bool,
}

/// A rule file that cannot be loaded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}: {message}")]
pub struct MetaError {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub span: Span,
    pub message: String,
}

const KNOWN_KEYS: &[&str] = &[
    "id", "slug", "aliases", "family", "severity", "scope", "summary", "docs", "help", "sources", "tags", "requires",
    "exempt", "reads", "enabled", "native", "check",
];

/// Whether `s` is a kebab-case slug.
fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn id_prefix(id: &str) -> &str {
    id.trim_end_matches(|c: char| c.is_ascii_digit())
}

impl RuleMeta {
    /// Parse one rule file. `family` is the name of the folder holding it.
    pub fn parse(path: PathBuf, family: &str, text: Arc<str>, builtin: bool) -> Result<RuleMeta, MetaError> {
        let err = |span: Span, message: String| MetaError {
            path: path.clone(),
            text: text.clone(),
            span,
            message,
        };
        let stream = yaml::parse(&text);
        if let Some(e) = stream.errors.first() {
            return Err(err(e.span, format!("invalid YAML: {}", e.message)));
        }
        let root = match stream.documents.first() {
            Some(d) if d.root.is_map() => d.root.clone(),
            _ => return Err(err(Span::empty(0), "a rule file must be a YAML mapping".into())),
        };
        for e in root.entries() {
            if !KNOWN_KEYS.contains(&e.key.as_str()) {
                let hint = crate::config::nearest(&e.key, KNOWN_KEYS)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_default();
                return Err(err(e.key_span, format!("unknown key `{}`{hint}", e.key)));
            }
        }
        let string = |key: &str, required: bool| -> Result<Option<String>, MetaError> {
            match root.get(key) {
                Some(n) => match n.scalar_text() {
                    Some(s) => Ok(Some(s)),
                    None => Err(err(n.span, format!("`{key}` must be a string"))),
                },
                None if required => Err(err(Span::empty(0), format!("missing required key `{key}`"))),
                None => Ok(None),
            }
        };
        let id = string("id", true)?.unwrap_or_default();
        let id_ok = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && id.chars().last().is_some_and(|c| c.is_ascii_digit())
            && !id_prefix(&id).is_empty();
        if !id_ok {
            let span = root.get("id").map(|n| n.span).unwrap_or_default();
            return Err(err(
                span,
                format!("rule id `{id}` must be upper-case letters followed by digits, e.g. `ORG001`"),
            ));
        }
        let slug = string("slug", true)?.unwrap_or_default();
        if !is_slug(&slug) {
            let span = root.get("slug").map(|n| n.span).unwrap_or_default();
            return Err(err(span, format!("slug `{slug}` must be kebab-case")));
        }
        let mut aliases = Vec::new();
        if let Some(list) = root.get("aliases") {
            if !list.is_seq() {
                return Err(err(list.span, "`aliases` must be a list of former slugs".into()));
            }
            for n in list.items() {
                let Some(a) = n.as_str().filter(|a| is_slug(a)) else {
                    return Err(err(n.span, "an alias is a former slug: kebab-case".into()));
                };
                if a == slug || aliases.iter().any(|x| x == a) {
                    return Err(err(n.span, format!("alias `{a}` repeats the slug or another alias")));
                }
                aliases.push(a.to_string());
            }
        }
        let family = string("family", false)?.unwrap_or_else(|| family.to_string());
        let severity = match root.get("severity") {
            Some(n) => {
                let s = n.scalar_text().unwrap_or_default();
                Severity::parse(&s)
                    .ok_or_else(|| err(n.span, format!("severity `{s}` must be one of error, warning, info")))?
            }
            None => return Err(err(Span::empty(0), "missing required key `severity`".into())),
        };
        let scope = match root.get("scope") {
            Some(n) => match n.as_str() {
                Some("all") => Scope::All,
                Some("prod") => Scope::Prod,
                _ => return Err(err(n.span, "scope must be `all` or `prod`".into())),
            },
            None => Scope::All,
        };
        let summary = string("summary", true)?.unwrap_or_default();
        let docs = string("docs", false)?.unwrap_or_default();
        let help = string("help", false)?;
        let mut sources = Vec::new();
        if let Some(n) = root.get("sources") {
            if !n.is_seq() && !n.is_null() {
                return Err(err(n.span, "`sources` must be a list of {tool, id, relation}".into()));
            }
            for s in n.items() {
                let field = |k: &str| s.get(k).and_then(|v| v.scalar_text());
                let (Some(tool), Some(sid)) = (field("tool"), field("id")) else {
                    return Err(err(s.span, "each source needs `tool` and `id`".into()));
                };
                let relation = field("relation").unwrap_or_else(|| "same".into());
                if relation != "same" && relation != "inspired" {
                    return Err(err(s.span, "`relation` must be `same` or `inspired`".into()));
                }
                sources.push(RuleSource {
                    tool,
                    id: sid,
                    relation,
                });
            }
        }
        let tags = root
            .get("tags")
            .map(|n| n.items().iter().filter_map(|t| t.scalar_text()).collect())
            .unwrap_or_default();
        let mut requires = Vec::new();
        for n in root.get("requires").map(Node::items).unwrap_or_default() {
            match n.as_str() {
                Some("istio-mesh") => requires.push(Requirement::IstioMesh),
                _ => return Err(err(n.span, "`requires` takes a list of: istio-mesh".into())),
            }
        }
        let mut exempt = Vec::new();
        for n in root.get("exempt").map(Node::items).unwrap_or_default() {
            match n.as_str() {
                Some("system-namespaces") => exempt.push(Exemption::SystemNamespaces),
                _ => return Err(err(n.span, "`exempt` takes a list of: system-namespaces".into())),
            }
        }
        let reads = match root.get("reads") {
            None => None,
            Some(list) => {
                let mut reads = Vec::new();
                for n in list.items() {
                    match Reads::NAMES.iter().find(|(name, _)| n.as_str() == Some(*name)) {
                        Some((_, r)) => reads.push(*r),
                        None => {
                            let names: Vec<&str> = Reads::NAMES.iter().map(|(n, _)| *n).collect();
                            return Err(err(n.span, format!("`reads` takes a list of: {}", names.join(", "))));
                        }
                    }
                }
                // whether the mesh is in use is read from manifests, charts and Terraform
                let mesh = [Reads::Kubernetes, Reads::Terraform];
                if !list.is_seq() || (!requires.is_empty() && !mesh.iter().all(|r| reads.contains(r))) {
                    return Err(err(
                        list.span,
                        "`reads` is a list; a rule that `requires` the mesh reads kubernetes and terraform".into(),
                    ));
                }
                Some(reads)
            }
        };
        let default_enabled = root.get("enabled").and_then(|n| n.as_bool()).unwrap_or(true);
        let logic = match (root.get("native"), root.get("check")) {
            (Some(_), Some(c)) => return Err(err(c.span, "a rule has either `native` or `check`, not both".into())),
            (Some(n), None) => {
                if !builtin {
                    return Err(err(
                        n.span,
                        "custom rules cannot be native; write a `check:` block".into(),
                    ));
                }
                Logic::Native(n.scalar_text().unwrap_or_default())
            }
            (None, Some(c)) => Logic::Check(c.clone()),
            (None, None) if builtin => Logic::Engine,
            (None, None) => return Err(err(Span::empty(0), "missing `check:` block".into())),
        };
        Ok(RuleMeta {
            id,
            slug,
            aliases,
            family,
            severity,
            scope,
            summary,
            docs,
            help,
            sources,
            tags,
            requires,
            exempt,
            reads,
            default_enabled,
            logic,
            origin: path,
            text,
            builtin,
        })
    }

    /// The id's letter prefix: `DF` for `DF001`.
    pub fn prefix(&self) -> &str {
        id_prefix(&self.id)
    }

    /// The URL of a built-in rule's page in linea's repository, when the package names one
    /// (`[package] repository` in Cargo.toml); `None` otherwise, so reports carry no dead link.
    pub fn doc_url(&self) -> Option<String> {
        let repo = env!("CARGO_PKG_REPOSITORY")
            .trim_end_matches('/')
            .trim_end_matches(".git");
        (self.builtin && !repo.is_empty())
            .then(|| format!("{repo}/blob/v{}/docs/rules/{}.md", env!("CARGO_PKG_VERSION"), self.id))
    }

    /// Documentation URL of the rule's page (the language server's link; see [`Self::doc_url`]).
    pub fn help_uri(&self) -> String {
        format!(
            "https://github.com/linea-dev/linea/blob/v{}/docs/rules/{}.md",
            env!("CARGO_PKG_VERSION"),
            self.id
        )
    }

    /// Fenced code blocks under a `## <heading>` of the docs body: (language, code).
    pub fn doc_examples(&self, heading: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut in_section = false;
        let mut in_code: Option<(String, String)> = None;
        for line in self.docs.lines() {
            if let Some((lang, mut code)) = in_code.take() {
                if line.trim_start().starts_with("```") {
                    out.push((lang, code));
                } else {
                    code.push_str(line);
                    code.push('\n');
                    in_code = Some((lang, code));
                }
                continue;
            }
            if let Some(h) = line.strip_prefix("## ") {
                in_section = h.trim().eq_ignore_ascii_case(heading);
                continue;
            }
            if in_section {
                if let Some(lang) = line.trim_start().strip_prefix("```") {
                    in_code = Some((lang.trim().to_string(), String::new()));
                }
            }
        }
        out
    }
}

/// Built-in rule files, embedded at build time: (path under `rules/`, family, text).
pub static BUILTIN_RULE_FILES: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

impl crate::diagnostic::RuleInfo for RuleMeta {
    fn id(&self) -> &str {
        &self.id
    }
    fn slug(&self) -> &str {
        &self.slug
    }
    fn aliases(&self) -> &[String] {
        &self.aliases
    }
    fn family(&self) -> &str {
        &self.family
    }
    fn default_severity(&self) -> crate::rules::Severity {
        self.severity
    }
    fn default_enabled(&self) -> bool {
        self.default_enabled
    }
}
