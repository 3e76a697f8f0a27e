//! What exists on disk below the repository root, for rules that check that a path a file
//! names (a `COPY` source, a `python -m` module, a pipeline's manifest directory) exists.
//!
//! Rules never touch the file system themselves: they ask the project, which answers from the
//! scanned files first and from here for the rest (files that were not scanned because they
//! are ignored, excluded, of a kind linea does not read, or outside the paths asked about).
//! Answers are cached, and in-memory buffers (stdin, an editor's unsaved file) count as files.
//! Links are not followed out of the root, and a path outside the root is taken to exist:
//! linea does not look there, and an unknown never triggers a rule.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{OnceLock, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Missing,
    File,
    Dir,
    /// A link, or something whose kind cannot be told without leaving the root.
    Other,
}

/// The file system below one root, asked lazily and cached.
#[derive(Debug, Default)]
pub struct RepoFs {
    root: PathBuf,
    /// The files that count as files whatever the disk says, hashed on the first question
    /// (most runs ask none: a run reading only Dockerfiles need not hash every path).
    files: Vec<PathBuf>,
    memory: OnceLock<HashSet<PathBuf>>,
    cache: RwLock<HashMap<PathBuf, Entry>>,
}

impl RepoFs {
    /// `root` absolute and normalised; `files`: absolute paths of the files the run holds
    /// (in memory or read), which count as files whatever the disk says.
    pub fn new(root: PathBuf, files: Vec<PathBuf>) -> RepoFs {
        RepoFs {
            root,
            files,
            memory: OnceLock::new(),
            cache: RwLock::new(HashMap::new()),
        }
    }

    fn entry(&self, abs: &Path) -> Entry {
        let memory = self.memory.get_or_init(|| self.files.iter().cloned().collect());
        if memory.contains(abs) {
            return Entry::File;
        }
        if self.root.as_os_str().is_empty() || !abs.starts_with(&self.root) {
            return Entry::Other;
        }
        if let Ok(cache) = self.cache.read() {
            if let Some(e) = cache.get(abs) {
                return *e;
            }
        }
        let e = match std::fs::symlink_metadata(abs) {
            Ok(m) if m.is_dir() => Entry::Dir,
            Ok(m) if m.is_file() => Entry::File,
            Ok(_) => Entry::Other,
            Err(_) => Entry::Missing,
        };
        if let Ok(mut cache) = self.cache.write() {
            cache.insert(abs.to_path_buf(), e);
        }
        e
    }

    /// Whether something exists at `abs` (absolute, normalised).
    pub fn exists(&self, abs: &Path) -> bool {
        self.entry(abs) != Entry::Missing
    }

    /// Whether `abs` is a file (or may be one: a link, a path outside the root).
    pub fn is_file(&self, abs: &Path) -> bool {
        matches!(self.entry(abs), Entry::File | Entry::Other)
    }

    /// Whether `abs` is a directory (or may be one: a link, a path outside the root).
    pub fn is_dir(&self, abs: &Path) -> bool {
        matches!(self.entry(abs), Entry::Dir | Entry::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_below_the_root_and_assumes_outside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir_all(root.join("k8s")).expect("mkdir");
        std::fs::write(root.join("k8s/app.yaml"), "a: 1\n").expect("write");
        let fs = RepoFs::new(root.clone(), vec![root.join("new.py")]);
        assert!(fs.is_dir(&root.join("k8s")) && !fs.is_file(&root.join("k8s")));
        assert!(fs.is_file(&root.join("k8s/app.yaml")));
        assert!(!fs.exists(&root.join("helm")));
        assert!(fs.is_file(&root.join("new.py")), "an unsaved buffer counts");
        assert!(fs.exists(Path::new("/somewhere/else")), "outside the root is unknown");
    }
}
