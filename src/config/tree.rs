//! Configuration per directory, like Ruff: the nearest `linea.toml` (or `pyproject.toml` with
//! `[tool.linea]`) governs the files below it, `extend = "../linea.toml"` inherits from
//! another file, and `--config` overrides them all. Discovery never looks above the
//! repository root (the nearest directory holding `.git`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{has_tool_linea, is_pyproject, locate, parse_config, Config, ConfigError, Settings, CONFIG_FILES};
use crate::diagnostic::Severity;

/// How many files an `extend` chain may have: deeper is a mistake, or a cycle.
const MAX_EXTEND_DEPTH: usize = 16;

/// A config file larger than this is refused: it is a repository's, so possibly hostile.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// The nearest directory at or above `path` that holds `.git` (a directory, or the file a
/// worktree or submodule has).
pub fn repository_root(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let start = if abs.is_dir() { abs.as_path() } else { abs.parent()? };
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The config file of one directory, if it has one.
pub(super) fn config_in_dir(dir: &Path) -> Option<PathBuf> {
    for name in CONFIG_FILES {
        let p = dir.join(name);
        // a FIFO or a device named like a config is the repository's config all the same:
        // loading it reports it (never opened), rather than running without it
        if !std::fs::symlink_metadata(&p).is_ok_and(|m| !m.is_dir()) {
            continue;
        }
        if !is_pyproject(&p) {
            return Some(p);
        }
        if read_bounded(&p).is_ok_and(|t| has_tool_linea(&t)) {
            return Some(p);
        }
    }
    None
}

/// Read a config file, refusing what is not a regular file or is too large. A file that
/// another extends must lie inside the repository that file is in (a repository's config
/// cannot make linea read, and quote in its errors, a file outside it).
pub(super) fn read_bounded(path: &Path) -> Result<String, String> {
    read_within(path, None)
}

fn read_within(path: &Path, within: Option<&Path>) -> Result<String, String> {
    use crate::discover::read::{self, Refusal};
    read::read_text(path, MAX_CONFIG_SIZE, within).map_err(|e| match e {
        Refusal::TooLarge { len, .. } => {
            format!("is {len} bytes, over the {MAX_CONFIG_SIZE} bytes a config may have")
        }
        Refusal::NotRegular(what) => format!("is {what}, not a regular file"),
        Refusal::Io(e) => format!("cannot read: {e}"),
        other => other.to_string(),
    })
}

/// The `linea` table of a config text: the whole of `linea.toml`, `[tool.linea]` of a pyproject.
fn linea_table(path: &Path, text: &str) -> toml::Table {
    let Ok(mut table) = text.parse::<toml::Table>() else {
        return toml::Table::new();
    };
    if !is_pyproject(path) {
        return table;
    }
    match table.remove("tool") {
        Some(toml::Value::Table(mut tool)) => match tool.remove("linea") {
            Some(toml::Value::Table(t)) => t,
            _ => toml::Table::new(),
        },
        _ => toml::Table::new(),
    }
}

/// `child` over `parent`: tables merge key by key, any other value (lists included) replaces.
fn merge(parent: toml::Table, child: toml::Table) -> toml::Table {
    let mut out = parent;
    for (k, v) in child {
        let merged = match (out.remove(&k), v) {
            (Some(toml::Value::Table(p)), toml::Value::Table(c)) => toml::Value::Table(merge(p, c)),
            (_, v) => v,
        };
        out.insert(k, merged);
    }
    out
}

/// Load one config file and every file it extends; relative paths in the result are relative
/// to this file's directory.
pub(super) fn load_file(path: &Path) -> Result<Settings, ConfigError> {
    let error =
        |p: &Path, text: &Arc<str>, message: String| ConfigError::new(p.to_path_buf(), text.clone(), None, message);
    let mut chain: Vec<PathBuf> = Vec::new();
    let mut tables: Vec<toml::Table> = Vec::new();
    let mut first_text: Option<Arc<str>> = None;
    let mut current = path.to_path_buf();
    let repository = repository_root(path);
    loop {
        let within = if chain.is_empty() { None } else { repository.as_deref() };
        let text: Arc<str> = match read_within(&current, within) {
            Ok(t) => Arc::from(t),
            Err(e) => {
                // a missing parent is the extending file's error, at its `extend`
                return Err(match (chain.last(), first_text.as_ref()) {
                    (Some(by), Some(_)) => {
                        let by_text: Arc<str> = Arc::from(read_bounded(by).unwrap_or_default());
                        let span = locate(&by_text, is_pyproject(by), &["extend"], "");
                        ConfigError::new(
                            by.clone(),
                            by_text,
                            span,
                            format!("`extend`: {}: {e}", current.display()),
                        )
                    }
                    _ => error(&current, &Arc::from(""), e),
                });
            }
        };
        let config = parse_config(&current, &text)?;
        let canonical = std::fs::canonicalize(&current).unwrap_or_else(|_| current.clone());
        if chain
            .iter()
            .any(|c| std::fs::canonicalize(c).unwrap_or_else(|_| c.clone()) == canonical)
        {
            let names: Vec<String> = chain
                .iter()
                .chain([&current])
                .map(|p| p.display().to_string())
                .collect();
            return Err(error(
                path,
                first_text.as_ref().unwrap_or(&text),
                format!("`extend` makes a cycle: {}", names.join(" -> ")),
            ));
        }
        if chain.len() >= MAX_EXTEND_DEPTH {
            return Err(error(
                path,
                first_text.as_ref().unwrap_or(&text),
                format!("`extend` chain is longer than {MAX_EXTEND_DEPTH} files"),
            ));
        }
        tables.push(linea_table(&current, &text));
        first_text.get_or_insert_with(|| text.clone());
        let next = config
            .extend
            .as_ref()
            .map(|rel| current.parent().unwrap_or(Path::new("")).join(rel));
        chain.push(current);
        match next {
            Some(n) => current = n,
            None => break,
        }
    }
    let text = first_text.unwrap_or_else(|| Arc::from(""));
    let merged = tables.into_iter().rev().fold(toml::Table::new(), merge);
    let mut config: Config = toml::Value::Table(merged)
        .try_into()
        .map_err(|e: toml::de::Error| error(path, &text, format!("merging `extend`: {e}")))?;
    config.extend = None;
    let root = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut settings =
        Settings::build(config, Some(path.to_path_buf()), root).map_err(|super::BadGlob(glob, message)| {
            let span = locate(&text, is_pyproject(path), &[], &glob);
            ConfigError::new(path.to_path_buf(), text.clone(), span, message)
        })?;
    settings.text = Some(text);
    Ok(settings)
}

/// What the command line sets for every config: it wins over each file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
}

impl Overrides {
    fn apply(&self, s: &mut Settings) {
        if let Some(sel) = &self.select {
            s.config.select = Some(sel.clone());
        }
        s.config.ignore.extend(self.ignore.iter().cloned());
        if let Some(f) = self.fail_on {
            s.config.fail_on = Some(f);
        }
    }
}

/// The settings of a run: those of the run's root, and those of every directory below it
/// that has its own config file. Files take the settings of the nearest one above them.
#[derive(Debug, Clone)]
pub struct Configs {
    /// The repository (or scan) root: what project rules see, and where config discovery stops.
    pub root: PathBuf,
    /// The settings of files with no nearer config (`--config`, or the root's config, or the
    /// defaults), also the run's own: output, exit threshold.
    pub base: Arc<Settings>,
    /// Nearer configs by their directory (absolute).
    nested: BTreeMap<PathBuf, Arc<Settings>>,
}

impl Configs {
    /// One set of settings for every file.
    pub fn single(settings: Settings) -> Configs {
        Configs {
            root: settings.root.clone(),
            base: Arc::new(settings),
            nested: BTreeMap::new(),
        }
    }

    /// The settings governing `path` (relative to the working directory, or absolute).
    pub fn for_path(&self, path: &Path) -> &Arc<Settings> {
        if self.nested.is_empty() {
            return &self.base;
        }
        let abs = crate::project::absolute(path);
        abs.ancestors()
            .skip(1)
            .find_map(|d| self.nested.get(d))
            .unwrap_or(&self.base)
    }

    /// Every distinct settings of the run, the base first.
    pub fn all(&self) -> impl Iterator<Item = &Arc<Settings>> {
        std::iter::once(&self.base).chain(self.nested.values())
    }

    /// Whether some file has settings other than the base's.
    pub fn is_single(&self) -> bool {
        self.nested.is_empty()
    }

    /// Load the settings of a run rooted at `root`: `explicit` (`--config`) for everything, or
    /// the config found at or above `start` (never above the repository root) as the base, plus
    /// the config of every directory in `dirs` (and between them and `root`) that has one.
    pub fn load(
        explicit: Option<&Path>,
        root: &Path,
        start: &Path,
        dirs: &[PathBuf],
        overrides: &Overrides,
    ) -> Result<Configs, ConfigError> {
        let mut base = super::load(explicit, start)?;
        overrides.apply(&mut base);
        let mut configs = Configs {
            root: root.to_path_buf(),
            base: Arc::new(base),
            nested: BTreeMap::new(),
        };
        if explicit.is_some() {
            return Ok(configs);
        }
        let base_dir = configs
            .base
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(crate::project::absolute);
        let root_abs = crate::project::absolute(root);
        // by the directory's bytes (absolute and normalised: one spelling each), which hash
        // faster than a `Path` by its components; a directory and its config file
        let mut seen: HashMap<Vec<u8>, (PathBuf, Option<PathBuf>)> = HashMap::new();
        let root_clean = super::is_clean_absolute(&root_abs);
        for d in dirs {
            let abs = crate::project::absolute(d);
            // clean and absolute, the directories below the root start with its text
            let by_text = root_clean && super::is_clean_absolute(&abs);
            for dir in abs.ancestors() {
                let below = if by_text {
                    text_below(dir, &root_abs)
                } else {
                    dir.starts_with(&root_abs)
                };
                if !below {
                    break;
                }
                let key = dir.as_os_str().as_encoded_bytes();
                if seen.contains_key(key) {
                    break;
                }
                let found = config_in_dir(dir);
                seen.insert(key.to_vec(), (dir.to_path_buf(), found));
                if dir == root_abs {
                    break;
                }
            }
        }
        for (dir, file) in seen.into_values() {
            let Some(file) = file else { continue };
            if base_dir.as_deref() == Some(dir.as_path()) {
                continue;
            }
            let mut s = load_file(&file)?;
            overrides.apply(&mut s);
            configs.nested.insert(dir, Arc::new(s));
        }
        Ok(configs)
    }
}

/// `Path::starts_with` for two clean absolute paths: `path`'s bytes start with `dir`'s, up to
/// a separator.
fn text_below(path: &Path, dir: &Path) -> bool {
    match (path.to_str(), dir.to_str()) {
        (Some(p), Some(d)) => super::strip_dir_text(p, d).is_some(),
        _ => path.starts_with(dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    #[test]
    fn text_below_is_starts_with_for_clean_absolute_paths() {
        let paths = ["/", "/a", "/a/b", "/ab", "/a/bc", "/a/b/c", "/b"];
        for p in paths {
            for d in paths {
                let (p, d) = (Path::new(p), Path::new(d));
                assert_eq!(text_below(p, d), p.starts_with(d), "{p:?} below {d:?}");
            }
        }
    }

    #[test]
    fn extend_merges_tables_and_replaces_lists() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(
            dir.path(),
            "linea.toml",
            "ignore = [\"DF009\"]\nfail-on = \"error\"\n[ports]\nexternal = [443, 8443]\ninternal = [8080]\n",
        );
        write(
            dir.path(),
            "svc/linea.toml",
            "extend = \"../linea.toml\"\nignore = [\"DF010\"]\n[ports]\ninternal = [9000]\n",
        );
        let s = load_file(&dir.path().join("svc/linea.toml")).expect("loads");
        assert_eq!(s.config.ignore, ["DF010"]);
        assert_eq!(s.config.fail_on, Some(Severity::Error));
        assert_eq!(s.config.ports.external, [443, 8443]);
        assert_eq!(s.config.ports.internal, [9000]);
        assert!(s.root.ends_with("svc"));
    }

    #[test]
    fn an_extend_cycle_is_an_error_naming_the_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "a/linea.toml", "extend = \"../b/linea.toml\"\n");
        write(dir.path(), "b/linea.toml", "extend = \"../a/linea.toml\"\n");
        let e = load_file(&dir.path().join("a/linea.toml")).expect_err("cycle");
        assert!(e.to_string().contains("cycle"), "{e}");
        let e = {
            write(dir.path(), "c/linea.toml", "extend = \"../missing.toml\"\n");
            load_file(&dir.path().join("c/linea.toml")).expect_err("missing parent")
        };
        assert!(e.to_string().contains("missing.toml"), "{e}");
    }

    #[test]
    fn the_nearest_config_governs_and_order_does_not_matter() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(".git")).expect("git");
        write(dir.path(), "svcA/linea.toml", "ignore = [\"DF001\"]\n");
        write(
            dir.path(),
            "svcB/pyproject.toml",
            "[project]\nname = \"b\"\n[tool.linea]\nignore = [\"DF003\"]\n",
        );
        write(dir.path(), "svcC/pyproject.toml", "[project]\nname = \"c\"\n");
        let dirs = ["svcA/app", "svcB", "svcC"].map(|d| dir.path().join(d)).to_vec();
        for order in [dirs.clone(), dirs.iter().rev().cloned().collect()] {
            let c = Configs::load(None, dir.path(), dir.path(), &order, &Overrides::default()).expect("loads");
            assert_eq!(
                c.for_path(&dir.path().join("svcA/app/Dockerfile")).config.ignore,
                ["DF001"]
            );
            assert_eq!(c.for_path(&dir.path().join("svcB/Dockerfile")).config.ignore, ["DF003"]);
            assert!(c.for_path(&dir.path().join("svcC/Dockerfile")).config.ignore.is_empty());
        }
    }

    #[test]
    fn discovery_stops_at_the_repository_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "linea.toml", "exclude = [\"**\"]\n");
        std::fs::create_dir_all(dir.path().join("repo/.git")).expect("git");
        write(dir.path(), "repo/Dockerfile", "FROM python\n");
        assert_eq!(super::super::discover(&dir.path().join("repo")), None);
        assert_eq!(
            repository_root(&dir.path().join("repo/Dockerfile")),
            Some(dir.path().join("repo"))
        );
    }

    #[test]
    fn without_a_repository_discovery_walks_up_to_the_nearest_config() {
        // no `.git` in the temp dir: the walk goes up from the scanned directory (or a file's)
        // and stops at the temp dir's own config, whatever lies above it
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "linea.toml", "ignore = [\"PARSE001\"]\n");
        write(dir.path(), "svc/k8s/cm.yaml", "a: b\n");
        // a pyproject without `[tool.linea]` is passed over
        write(dir.path(), "svc/pyproject.toml", "[project]\nname = \"svc\"\n");
        let found =
            |p: &str| super::super::discover(&dir.path().join(p)).map(|f| std::path::absolute(f).expect("absolute"));
        let want = Some(dir.path().join("linea.toml"));
        assert_eq!(found("svc/k8s"), want);
        assert_eq!(found("svc/k8s/cm.yaml"), want);
        write(dir.path(), "svc/pyproject.toml", "[tool.linea]\nfail-on = \"info\"\n");
        assert_eq!(found("svc/k8s"), Some(dir.path().join("svc/pyproject.toml")));
    }
}
