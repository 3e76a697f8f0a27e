//! What a `linea check` run reads and what it reports on.
//!
//! Project rules judge the repository as one system, so they must see it whole even when the
//! user asks about one file (a pre-commit hook passes the staged files), a subdirectory, or
//! excludes a directory. The run's root is the nearest enclosing repository root (a directory
//! with `.git`), else the directory of the config that governs the first path, else that path
//! (its directory, for a file). Everything below the root that discovery finds is read; only
//! the files below the paths asked about are checked by file rules and reported on. Existence
//! checks ask the file system through the project (an ignored or excluded file exists all the
//! same).

use std::path::{Path, PathBuf};

use crate::config::{self, ConfigError, Configs, Overrides};
use crate::discover::{self, Input};
use crate::project::absolute;
use crate::rules::engine::SourceInput;

/// The root of a run that asks about `path`.
pub fn run_root(path: &Path) -> PathBuf {
    // stdin may stand for a file in a directory that does not exist yet
    let abs = absolute(path);
    let abs = match abs.ancestors().find(|a| a.exists()) {
        Some(existing) => existing.to_path_buf(),
        None => abs,
    };
    let path = abs.as_path();
    if let Some(repo) = config::repository_root(path) {
        return repo;
    }
    if let Some(cfg) = config::discover(path) {
        if let Some(dir) = absolute(&cfg).parent() {
            return dir.to_path_buf();
        }
    }
    if abs.is_dir() {
        abs
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    }
}

/// The paths a run asks about, the root it reads, and its settings.
pub struct Scope {
    pub root: PathBuf,
    /// The paths asked about, absolute.
    asked: Vec<PathBuf>,
    /// The paths as written (for discovery of explicit files).
    written: Vec<PathBuf>,
}

impl Scope {
    /// `paths`: what the user named (not `-`); `stdin_name`: the file stdin stands for.
    pub fn new(paths: &[PathBuf], stdin_name: Option<&Path>) -> Scope {
        let first = paths
            .first()
            .map(PathBuf::as_path)
            .or(stdin_name)
            .unwrap_or(Path::new("."));
        let mut asked: Vec<PathBuf> = paths.iter().map(|p| absolute(p)).collect();
        if let Some(n) = stdin_name {
            asked.push(absolute(n));
        }
        Scope {
            root: run_root(first),
            asked,
            written: paths.to_vec(),
        }
    }

    /// Whether the whole root is asked about (`linea check .` at the repository root).
    fn asks_whole_root(&self) -> bool {
        let root = absolute(&self.root);
        self.asked.contains(&root)
    }

    /// Whether a file is below a path asked about.
    pub fn asked_about(&self, path: &Path) -> bool {
        let abs = absolute(path);
        self.asked.iter().any(|p| abs.starts_with(p))
    }

    /// Load the settings: `--config` for all, or the root's config plus the config of every
    /// directory below it that has one (found from the directories of `files`).
    pub fn configs(
        &self,
        explicit: Option<&Path>,
        files: &[Input],
        overrides: &Overrides,
    ) -> Result<Configs, ConfigError> {
        // files of a directory are next to each other: each directory once, before sorting
        let mut dirs: Vec<PathBuf> = Vec::new();
        for dir in files.iter().filter_map(|i| i.path.parent()) {
            if dirs.last().is_none_or(|last| last.as_path() != dir) {
                dirs.push(dir.to_path_buf());
            }
        }
        dirs.extend(self.asked.iter().cloned());
        // no sort: loading visits each directory once whatever the order or repeats
        Configs::load(explicit, &self.root, &self.root, &dirs, overrides)
    }

    /// Walk the root with `settings`' excludes (the base config's) and `excludes`; the files
    /// asked about are checked, the others read as context. Files named explicitly are taken
    /// even when ignored.
    pub fn inputs(&self, settings: &config::Settings, excludes: &globset::GlobSet, threads: usize) -> Vec<SourceInput> {
        let explicit = discover::walk(&self.written, settings, excludes, threads);
        let mut problems = explicit.problems;
        let mut explicit = explicit.inputs;
        for i in &mut explicit {
            i.path = clean(&i.path);
        }
        let mut out: Vec<SourceInput> = Vec::with_capacity(explicit.len());
        if self.asks_whole_root() {
            out.extend(explicit.into_iter().map(SourceInput::Disk));
        } else {
            let walked = shown(&self.root);
            let everything = discover::walk(std::slice::from_ref(&walked), settings, excludes, threads);
            let mut everything_inputs = everything.inputs;
            problems.extend(everything.problems);
            let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
            for i in explicit {
                seen.insert(absolute(&i.path));
                out.push(SourceInput::Disk(i));
            }
            everything_inputs.retain(|i| !seen.contains(&absolute(&i.path)));
            for mut i in everything_inputs {
                i.path = clean(&i.path);
                // discovered from the root, but below a path asked about (the walk of the path
                // itself found the same file under another spelling)
                if self.asked_about(&i.path) {
                    continue;
                }
                out.push(SourceInput::Context(i));
            }
        }
        // what could not be read or applied, once each, reported when below a path asked about
        let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
        for mut problem in problems {
            problem.path = clean(&problem.path);
            if seen.insert(absolute(&problem.path)) {
                let reported = self.asked_about(&problem.path);
                out.push(SourceInput::Problem { problem, reported });
            }
        }
        out
    }
}

/// `abs` as the user would write it from the working directory: `.`, `../svc`, or absolute
/// when it shares nothing with it. Files of the repository read as context are shown so in
/// labels, like the files asked about.
fn shown(abs: &Path) -> PathBuf {
    let Ok(cwd) = std::env::current_dir() else {
        return abs.to_path_buf();
    };
    let cwd = absolute(&cwd);
    let abs = absolute(abs);
    if let Ok(rel) = abs.strip_prefix(&cwd) {
        return if rel.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            rel.to_path_buf()
        };
    }
    let common = cwd.ancestors().find(|a| abs.starts_with(a));
    match common {
        Some(c) if c.parent().is_some() => {
            let ups = cwd.strip_prefix(c).map(|r| r.components().count()).unwrap_or(0);
            let mut p = PathBuf::new();
            for _ in 0..ups {
                p.push("..");
            }
            p.join(abs.strip_prefix(c).unwrap_or(&abs))
        }
        _ => abs,
    }
}

/// A path without `.` components, so that `./src/app.py` (from walking `.`) and `src/app.py`
/// (as a hook passes it) are the same file to every index.
fn clean(p: &Path) -> PathBuf {
    // most paths have no `.` and no empty component: they are clean as they are spelt
    if crate::config::plain_components(p, true) {
        return p.to_path_buf();
    }
    let c: PathBuf = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if c.as_os_str().is_empty() {
        p.to_path_buf()
    } else {
        c
    }
}
