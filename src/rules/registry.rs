//! The set of known rules: built-in metadata embedded at build time, bound to their logic,
//! plus users' rule directories.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::rules::meta::{Logic, MetaError, RuleMeta, BUILTIN_RULE_FILES};
use crate::rules::{declarative, Imp};
use crate::source::Span;

include!(concat!(env!("OUT_DIR"), "/native_rules.rs"));

/// A rule's metadata and, unless the engine produces it, its implementation.
pub struct RegisteredRule {
    pub meta: RuleMeta,
    pub imp: Option<Imp>,
}

impl std::fmt::Debug for RegisteredRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredRule").field("id", &self.meta.id).finish()
    }
}

#[derive(Debug, Default)]
pub struct Registry {
    pub rules: Vec<RegisteredRule>,
    /// Positions in `rules` by upper-case id and by slug (and former slug), rebuilt whenever `add` or `sort`
    /// changes them; a lookup falls back to a scan when `rules` was changed directly.
    by_key: std::collections::HashMap<String, usize>,
    /// How many rules `by_key` covers.
    indexed: usize,
}

fn bind(meta: RuleMeta) -> Result<RegisteredRule, MetaError> {
    let imp = match &meta.logic {
        Logic::Engine => None,
        Logic::Native(slug) => match native_rule(&meta.family, slug) {
            Some(r) => Some(r),
            None => {
                return Err(MetaError {
                    path: meta.origin.clone(),
                    text: meta.text.clone(),
                    span: Span::empty(0),
                    message: format!("no native rule `{slug}` in family `{}`", meta.family),
                })
            }
        },
        Logic::Check(_) => Some(Imp::File(declarative::compile(&meta)?)),
    };
    Ok(RegisteredRule { meta, imp })
}

/// The index key of a slug (kept apart from the upper-case ids).
fn slug_key(slug: &str) -> String {
    format!("slug:{slug}")
}

impl Registry {
    /// The built-in rules. Errors here are bugs caught by the test suite.
    pub fn builtin() -> Result<Registry, MetaError> {
        let mut reg = Registry::default();
        for (path, family, text) in BUILTIN_RULE_FILES {
            let meta = RuleMeta::parse(PathBuf::from(path), family, Arc::from(*text), true)?;
            reg.add(bind(meta)?, Span::empty(0))?;
        }
        reg.sort();
        Ok(reg)
    }

    fn add(&mut self, rule: RegisteredRule, at: Span) -> Result<(), MetaError> {
        let names = std::iter::once(&rule.meta.id)
            .chain(std::iter::once(&rule.meta.slug))
            .chain(&rule.meta.aliases);
        let clash = names.filter_map(|n| self.find(n)).next();
        if let Some(existing) = clash {
            return Err(MetaError {
                path: rule.meta.origin.clone(),
                text: rule.meta.text.clone(),
                span: at,
                message: format!(
                    "rule `{}` ({}) clashes with `{}` ({}) from {}",
                    rule.meta.id,
                    rule.meta.slug,
                    existing.meta.id,
                    existing.meta.slug,
                    existing.meta.origin.display()
                ),
            });
        }
        // the new rule's names clash with none indexed: adding them keeps the index what a
        // rebuild would make (first rule of a key wins), without rebuilding it per rule
        let indexed = self.indexed == self.rules.len();
        self.rules.push(rule);
        if indexed {
            let i = self.rules.len() - 1;
            if let Some(r) = self.rules.last() {
                self.by_key.entry(r.meta.id.to_ascii_uppercase()).or_insert(i);
                self.by_key.entry(slug_key(&r.meta.slug)).or_insert(i);
                for a in &r.meta.aliases {
                    self.by_key.entry(slug_key(a)).or_insert(i);
                }
            }
            self.indexed = self.rules.len();
        } else {
            self.reindex();
        }
        Ok(())
    }

    fn sort(&mut self) {
        self.rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        self.reindex();
    }

    /// Rebuild the lookup by id and slug; the first rule of a key wins, as in a scan.
    fn reindex(&mut self) {
        self.by_key.clear();
        for (i, r) in self.rules.iter().enumerate() {
            self.by_key.entry(r.meta.id.to_ascii_uppercase()).or_insert(i);
        }
        for (i, r) in self.rules.iter().enumerate() {
            self.by_key.entry(slug_key(&r.meta.slug)).or_insert(i);
        }
        // a former slug names its rule where no rule has it now
        for (i, r) in self.rules.iter().enumerate() {
            for a in &r.meta.aliases {
                self.by_key.entry(slug_key(a)).or_insert(i);
            }
        }
        self.indexed = self.rules.len();
    }

    /// Load users' rules from a directory (recursively, `*.yaml`/`*.yml`), in the built-in format.
    pub fn load_dir(&mut self, dir: &Path) -> Result<usize, MetaError> {
        self.load_dir_within(dir, None)
    }

    /// [`Registry::load_dir`] for a directory a repository's config names: it must resolve
    /// inside `within` (the repository). Either way the walk is bounded
    /// ([`budget::RULE_FILES`], [`budget::RULE_DIR_DEPTH`]), follows a link only to a place
    /// inside the rules directory and visits each directory once (a link to `.` is no loop),
    /// and reads regular files only, each at most [`budget::RULE_FILE_BYTES`].
    pub fn load_dir_within(&mut self, dir: &Path, within: Option<&Path>) -> Result<usize, MetaError> {
        use crate::budget;
        use crate::discover::read;
        let fail = |p: &Path, message: String| MetaError {
            path: p.to_path_buf(),
            text: Arc::from(""),
            span: Span::empty(0),
            message,
        };
        let over = |l: &budget::Limit| format!("exceeds the {} budget of {}", l.per.as_str(), l.amount());
        let top = std::fs::canonicalize(dir).map_err(|e| fail(dir, format!("cannot read rule directory: {e}")))?;
        if let Some(w) = within.and_then(|w| std::fs::canonicalize(w).ok()) {
            if !top.starts_with(&w) {
                return Err(fail(
                    dir,
                    format!("rule directory resolves to `{}`, outside the repository", top.display()),
                ));
            }
        }
        if !top.is_dir() {
            return Err(fail(dir, "cannot read rule directory: not a directory".into()));
        }
        let mut files = Vec::new();
        let mut visited = std::collections::HashSet::from([top.clone()]);
        let mut stack = vec![(dir.to_path_buf(), 0u64)];
        let mut seen = 0u64;
        while let Some((d, depth)) = stack.pop() {
            let entries = std::fs::read_dir(&d).map_err(|e| fail(&d, format!("cannot read rule directory: {e}")))?;
            for e in entries {
                let e = e.map_err(|e| fail(&d, format!("cannot read rule directory: {e}")))?;
                seen += 1;
                if seen > budget::RULE_FILES.value {
                    return Err(fail(dir, format!("rule directory {}", over(&budget::RULE_FILES))));
                }
                let p = e.path();
                let Ok(t) = e.file_type() else { continue };
                let yaml = p.extension().is_some_and(|x| x == "yaml" || x == "yml");
                let is_dir = if t.is_symlink() {
                    let Ok(real) = std::fs::canonicalize(&p) else {
                        // a dangling or self-referencing link
                        if yaml {
                            return Err(fail(&p, "rule file is a link that does not resolve".into()));
                        }
                        continue;
                    };
                    if !real.starts_with(&top) {
                        if yaml || real.is_dir() {
                            return Err(fail(
                                &p,
                                format!(
                                    "is a link to `{}`, outside the rule directory; not read",
                                    real.display()
                                ),
                            ));
                        }
                        continue;
                    }
                    real.is_dir()
                } else {
                    t.is_dir()
                };
                if is_dir {
                    // `DIR/fixtures/` holds the rules' test inputs (`linea test`), not rules
                    if p.file_name().is_some_and(|n| n == "fixtures") {
                        continue;
                    }
                    // each directory once: a link back up is not a loop
                    if !visited.insert(std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone())) {
                        continue;
                    }
                    if depth + 1 > budget::RULE_DIR_DEPTH.value {
                        return Err(fail(
                            &p,
                            format!("rule directory nesting {}", over(&budget::RULE_DIR_DEPTH)),
                        ));
                    }
                    stack.push((p, depth + 1));
                } else if yaml {
                    files.push(p);
                }
            }
        }
        files.sort();
        let count = files.len();
        for p in files {
            let text = read::read_text(&p, budget::RULE_FILE_BYTES.value, Some(&top)).map_err(|e| match e {
                read::Refusal::TooLarge { .. } => fail(&p, format!("rule file {}", over(&budget::RULE_FILE_BYTES))),
                other => fail(&p, format!("rule file {other}")),
            })?;
            let family = p
                .parent()
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| "custom".into());
            let text: Arc<str> = Arc::from(text);
            let meta = RuleMeta::parse(p, &family, text, false)?;
            let id_span = crate::lang::yaml::parse(&meta.text)
                .documents
                .first()
                .and_then(|d| d.root.get("id").map(|n| n.span))
                .unwrap_or_default();
            self.add(bind(meta)?, id_span)?;
        }
        self.sort();
        Ok(count)
    }

    /// Find a rule by id (case-insensitive), slug or former slug.
    pub fn find(&self, key: &str) -> Option<&RegisteredRule> {
        if self.indexed != self.rules.len() {
            return self.scan(key);
        }
        // the earlier of the rule with this id and the rule with this slug, as a scan finds
        let by_id = self.by_key.get(&key.to_ascii_uppercase());
        let by_slug = self.by_key.get(&slug_key(key));
        let i = by_id.into_iter().chain(by_slug).copied().min()?;
        self.rules.get(i)
    }

    /// The lookup without the index: the first rule whose id (any case) or slug is `key`,
    /// else the first that had it as its slug.
    fn scan(&self, key: &str) -> Option<&RegisteredRule> {
        self.rules
            .iter()
            .find(|r| r.meta.id.eq_ignore_ascii_case(key) || r.meta.slug == key)
            .or_else(|| self.rules.iter().find(|r| r.meta.aliases.iter().any(|a| a == key)))
    }

    pub fn meta(&self, id: &str) -> Option<&RuleMeta> {
        self.find(id).map(|r| &r.meta)
    }

    pub fn iter(&self) -> impl Iterator<Item = &RegisteredRule> {
        self.rules.iter()
    }
}
