//! The repository's ignore files (`.ignore`, `.gitignore`, `.git/info/exclude`), read by linea.
//!
//! The `ignore` crate opens the ignore files of every directory it walks by itself, unbounded:
//! a FIFO named `.gitignore` blocks the walk, a `.gitignore -> /dev/zero` reads until memory
//! runs out, and a link out of the repository applies someone else's file. So the walker reads
//! none, and this module reads each directory's once, through [`super::read`]: a regular file
//! inside the walked root, at most [`budget::IGNORE_FILE_BYTES`], at most
//! [`budget::IGNORE_PATTERNS`] patterns. A file that fails any of these is not applied (the
//! walk then checks what it would have hidden) and is reported at its place. A pattern longer
//! than [`budget::GLOB_BYTES`] is not applied either (the first is reported); the file's other
//! patterns are.
//!
//! Precedence is the walker's: a match in a `.ignore` (nearest directory first) beats one in a
//! `.gitignore`, which beats `.git/info/exclude`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::{read, Problem};
use crate::budget;
use crate::source::Span;

/// The ignore files of one directory, those that could be applied.
#[derive(Default)]
struct DirRules {
    dot_ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    exclude: Option<Gitignore>,
}

/// The rules of the directories that apply to an entry, nearest first.
type Chain = Arc<[Arc<DirRules>]>;

/// The ignore rules of one walk, read lazily per directory (from any walker thread).
pub struct Ignores {
    /// The walked root as the walker spells it, and absolute.
    root: PathBuf,
    abs_root: PathBuf,
    /// The repository root when the walk starts below it (its ignore files and those between
    /// apply too), else the walked root: nothing above it is read.
    top: PathBuf,
    /// By absolute directory, keyed by its bytes (see `chains`).
    dirs: Mutex<HashMap<Vec<u8>, Arc<DirRules>>>,
    /// Per directory, as the walker spells it: the rules that apply to its entries, nearest
    /// directory first, only those with an ignore file (most directories have none: then a
    /// check is one lookup).
    /// Keyed by the path's bytes: hashing them is cheaper than hashing a `Path` by its
    /// components, and the walker spells a directory the same way for all its entries.
    chains: Mutex<HashMap<Vec<u8>, Chain>>,
    problems: Mutex<Vec<Problem>>,
}

impl Ignores {
    pub fn new(root: &Path) -> Ignores {
        let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let top = crate::config::repository_root(&abs_root)
            .filter(|r| abs_root.starts_with(r))
            .unwrap_or_else(|| abs_root.clone());
        Ignores {
            root: root.to_path_buf(),
            abs_root,
            top,
            dirs: Mutex::new(HashMap::new()),
            chains: Mutex::new(HashMap::new()),
            problems: Mutex::new(Vec::new()),
        }
    }

    /// What could not be applied, so far.
    pub fn problems(&self) -> Vec<Problem> {
        self.problems.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Whether the walked entry `path` (spelled as the walker does) is ignored.
    pub fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        let Some(parent) = path.parent() else {
            return false;
        };
        let chain = self.chain_of(parent);
        if chain.is_empty() {
            return false;
        }
        let Some(rel) = relative_to(path, &self.root) else {
            return false;
        };
        let abs = self.abs_root.join(rel);
        let first = |pick: fn(&DirRules) -> Option<&Gitignore>| {
            chain
                .iter()
                .filter_map(|d| pick(d))
                .map(|g| g.matched(&abs, is_dir))
                .find(|m| !m.is_none())
        };
        let m = first(|d| d.dot_ignore.as_ref())
            .or_else(|| first(|d| d.gitignore.as_ref()))
            .or_else(|| first(|d| d.exclude.as_ref()));
        matches!(m, Some(Match::Ignore(_)))
    }

    /// The rules that apply to the entries of directory `dir` (spelled as the walker does):
    /// those of `dir` and of each directory above it up to the top, nearest first, each
    /// directory's read once.
    fn chain_of(&self, dir: &Path) -> Chain {
        let key = dir.as_os_str().as_encoded_bytes();
        if let Some(c) = self.chains.lock().ok().and_then(|m| m.get(key).cloned()) {
            return c;
        }
        let own = |abs: &Path| {
            let r = self.rules_of(abs);
            (r.dot_ignore.is_some() || r.gitignore.is_some() || r.exclude.is_some()).then_some(r)
        };
        let chain: Chain = match relative_to(dir, &self.root) {
            // the walked root: its rules and those of the directories above it, up to the top
            Some(rel) if rel.as_os_str().is_empty() => self
                .abs_root
                .ancestors()
                .take_while(|d| d.starts_with(&self.top))
                .filter_map(own)
                .collect(),
            // below it: its own rules, then its parent's chain (walked, so known, before it)
            Some(rel) => {
                let parent = dir
                    .parent()
                    .map(|p| self.chain_of(p))
                    .unwrap_or_else(|| Arc::from(Vec::new()));
                match own(&self.abs_root.join(rel)) {
                    Some(r) => std::iter::once(r).chain(parent.iter().cloned()).collect(),
                    None => parent,
                }
            }
            // not below the walked root: nothing of it is walked
            None => Arc::from(Vec::new()),
        };
        if let Ok(mut m) = self.chains.lock() {
            m.entry(key.to_vec()).or_insert_with(|| chain.clone());
        }
        chain
    }

    fn rules_of(&self, dir: &Path) -> Arc<DirRules> {
        let key = dir.as_os_str().as_encoded_bytes();
        if let Some(r) = self.dirs.lock().ok().and_then(|m| m.get(key).cloned()) {
            return r;
        }
        let git_dir = dir.join(".git");
        let rules = Arc::new(DirRules {
            dot_ignore: self.load(dir, &dir.join(".ignore")),
            gitignore: self.load(dir, &dir.join(".gitignore")),
            // a worktree's `.git` is a file: its excludes live in the main repository
            exclude: if git_dir.is_dir() {
                self.load(dir, &git_dir.join("info").join("exclude"))
            } else {
                None
            },
        });
        if let Ok(mut m) = self.dirs.lock() {
            m.entry(key.to_vec()).or_insert_with(|| rules.clone());
        }
        rules
    }

    /// Read and compile one ignore file whose patterns are relative to `dir`.
    fn load(&self, dir: &Path, path: &Path) -> Option<Gitignore> {
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            _ => {}
        }
        // reported as the walker spells paths, like the files it finds
        let shown = match path.strip_prefix(&self.abs_root) {
            Ok(rel) => self.root.join(rel),
            Err(_) => path.to_path_buf(),
        };
        let text = match read::read_text(path, budget::IGNORE_FILE_BYTES.value, Some(&self.top)) {
            Ok(t) => t,
            Err(read::Refusal::TooLarge { .. }) => {
                let mut p = Problem::new(
                    &shown,
                    format!(
                        "ignore file exceeds the file budget of {}; not applied",
                        budget::IGNORE_FILE_BYTES.amount()
                    ),
                );
                p.budget = true;
                self.report(p);
                return None;
            }
            Err(r) => {
                self.report(Problem::refused(&shown, "ignore file", &r).not_applied());
                return None;
            }
        };
        let mut builder = GitignoreBuilder::new(dir);
        let mut patterns = 0u64;
        let mut offset = 0;
        // the first pattern over the glob budget: one finding per file, however many there are
        let mut long = None;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let pattern = line.trim_end_matches(['\n', '\r']);
            if pattern.trim().is_empty() || pattern.starts_with('#') {
                continue;
            }
            patterns += 1;
            if patterns > budget::IGNORE_PATTERNS.value {
                let span = Span::new(start, start + pattern.len());
                self.report(Problem {
                    path: shown,
                    span,
                    message: format!(
                        "ignore file has more patterns than the file budget of {}; not applied",
                        budget::IGNORE_PATTERNS.amount()
                    ),
                    budget: true,
                    text,
                });
                return None;
            }
            if let Err(over) = budget::check_glob(pattern) {
                // the rest of the file still applies; what the pattern would hide is checked
                long.get_or_insert((Span::new(start, start + pattern.len()), over));
                continue;
            }
            // git skips a pattern it cannot parse, and so does the walk
            let _ = builder.add_line(Some(path.to_path_buf()), pattern);
        }
        if let Some((span, over)) = long {
            self.report(Problem {
                path: shown.clone(),
                span,
                message: format!(
                    "ignore pattern exceeds the {} budget of {}; not applied",
                    over.limit.per.as_str(),
                    over.limit.amount()
                ),
                budget: true,
                text: text.clone(),
            });
        }
        match builder.build() {
            Ok(g) => Some(g),
            Err(e) => {
                self.report(Problem::new(&shown, format!("ignore file cannot be applied: {e}")));
                None
            }
        }
    }

    fn report(&self, p: Problem) {
        if let Ok(mut v) = self.problems.lock() {
            v.push(p);
        }
    }
}

/// `path` relative to `root`, as [`Path::strip_prefix`] makes it. The walker spells an entry
/// as the root joined with names, so most are the root's text, a `/` and plain names: those
/// are cut as text, not compared component by component.
fn relative_to<'a>(path: &'a Path, root: &Path) -> Option<&'a Path> {
    let by_text = match (path.to_str(), root.to_str()) {
        (Some(p), Some(r)) => crate::config::strip_dir_text(p, r)
            .map(Path::new)
            .filter(|rel| rel.as_os_str().is_empty() || crate::config::plain_components(rel, true)),
        _ => None,
    };
    by_text.or_else(|| path.strip_prefix(root).ok())
}

impl Problem {
    fn not_applied(mut self) -> Problem {
        if let Some(m) = self.message.strip_suffix("; not read") {
            self.message = format!("{m}; not applied");
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_to_cuts_as_strip_prefix_does() {
        let cases = [
            ("corpus/a/b", "corpus"),
            ("corpus", "corpus"),
            ("corpus/a", "corpus/"),
            ("./a/b", "."),
            ("a/bc/d", "a/b"),
            ("a//b/c", "a/b"),
            ("a/b/./c", "a/b"),
            ("a/b/../c", "a/b"),
            ("/abs/root/x", "/abs/root"),
            ("/abs/rootx", "/abs/root"),
            ("other/x", "corpus"),
            ("/", "/"),
            ("/x", "/"),
        ];
        for (path, root) in cases {
            let (p, r) = (Path::new(path), Path::new(root));
            assert_eq!(relative_to(p, r), p.strip_prefix(r).ok(), "{path} below {root}");
        }
    }
}
