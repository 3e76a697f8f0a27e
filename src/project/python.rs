//! The Python index: project roots (directories with `pyproject.toml`, `setup.cfg`, `setup.py`
//! or `requirements*.txt`), the files that belong to each (a file belongs to its nearest
//! root), packages, tests and module names. Built from paths and file kinds only.

use std::path::{Component, Path, PathBuf};

use crate::config::Settings;
use crate::discover::FileKind;
use crate::project::{absolute, Model, ParsedFile};
use crate::source::{FileId, Span};

#[derive(Debug, Clone)]
pub struct PyRoot {
    /// The root directory, absolute and normalised (files of a run may be spelt relative to
    /// different places: `Dockerfile` asked about, `../../pyproject.toml` read as context).
    pub dir: PathBuf,
    /// The root's marker file (pyproject.toml, setup.cfg, setup.py, requirements.txt, in that
    /// preference): where findings about missing things point.
    pub marker: FileId,
    /// The marker's `[project]` header, or its first line.
    pub marker_span: Span,
    /// Files belonging to this root (nearest root), by id.
    pub files: Vec<FileId>,
    /// Directories (relative to the root) that hold an `__init__.py`.
    pub packages: Vec<PathBuf>,
    /// Top-level import names: packages directly in the root or in `src/`.
    pub top_packages: Vec<String>,
}

impl PyRoot {
    /// A file's path relative to the root (the path itself when it is not below it).
    pub fn relative(&self, path: &Path) -> PathBuf {
        let abs = absolute(path);
        match abs.strip_prefix(&self.dir) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path.to_path_buf(),
        }
    }

    /// Whether a path is in the root's directory itself (not below it).
    pub fn holds(&self, path: &Path) -> bool {
        absolute(path).parent() == Some(self.dir.as_path())
    }
}

#[derive(Debug, Clone, Default)]
pub struct PythonIndex {
    pub roots: Vec<PyRoot>,
    /// Per file id: the index of the root it belongs to.
    pub root_of: Vec<Option<usize>>,
    /// Per file id: the dotted module name of a Python file within its root.
    pub module_of: Vec<Option<String>>,
}

/// Directories that carry a requirements file for tooling, not a project of their own.
const TOOLING_DIRS: &[&str] = &[
    "docs",
    "doc",
    "tests",
    "test",
    ".github",
    "ci",
    ".ci",
    "scripts",
    "tools",
    "requirements",
    ".devcontainer",
];
/// Directories whose nested projects are demos of the outer one.
const DEMO_DIRS: &[&str] = &[
    "examples", "example", "samples", "sample", "docs", "doc", "tests", "test",
];
/// Directories that are never project roots (vendored or installed code).
const VENDORED: &[&str] = &[
    "site-packages",
    "node_modules",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pypackages__",
];

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

fn vendored(path: &Path) -> bool {
    path.components().any(|c| match c {
        Component::Normal(n) => VENDORED.iter().any(|v| n == *v),
        _ => false,
    })
}

/// Whether `path` is `dir` or below it, both absolute and normalised. Spelt so, a path below
/// a directory starts with its bytes: that cheap test rules out most pairs before the one by
/// components.
fn below(path: &Path, dir: &Path) -> bool {
    path.as_os_str()
        .as_encoded_bytes()
        .starts_with(dir.as_os_str().as_encoded_bytes())
        && path.starts_with(dir)
}

/// Marker preference: lower is better.
fn marker_rank(f: &ParsedFile) -> Option<u8> {
    match (&f.model, f.kind) {
        // a uv workspace's top is a virtual project: its members are the roots
        (Model::PyProject(p), _) if p.table("tool.uv.workspace").is_some() && p.table("project").is_none() => None,
        (_, FileKind::PyProject) => Some(0),
        (_, FileKind::SetupCfg) => Some(1),
        (_, FileKind::Python) if name_of(&f.source.path) == "setup.py" => Some(2),
        (_, FileKind::Pipfile) => Some(3),
        (_, FileKind::Requirements) if name_of(&f.source.path) == "requirements.txt" => Some(4),
        (_, FileKind::Requirements) => Some(5),
        _ => None,
    }
}

/// The directory a marker makes a root (absolute), if it makes one.
fn root_dir(f: &ParsedFile) -> Option<PathBuf> {
    let rank = marker_rank(f)?;
    let mut dir = absolute(&f.source.path).parent()?.to_path_buf();
    if f.kind == FileKind::Requirements && name_of(&dir) == "requirements" {
        dir = dir.parent()?.to_path_buf();
    }
    if rank >= 3 && TOOLING_DIRS.contains(&name_of(&dir).as_str()) {
        return None;
    }
    Some(dir)
}

impl PythonIndex {
    pub fn build(files: &[ParsedFile], _settings: &Settings) -> PythonIndex {
        let abs: Vec<PathBuf> = files.iter().map(|f| absolute(&f.source.path)).collect();
        PythonIndex::build_from(files, &abs)
    }

    /// [`PythonIndex::build`] with each file's absolute path (`abs`, by file position) made
    /// by the caller.
    pub fn build_from(files: &[ParsedFile], abs: &[PathBuf]) -> PythonIndex {
        let mut dirs: Vec<(PathBuf, u8, usize)> = Vec::new(); // dir, best rank, file index
        for (i, f) in files.iter().enumerate() {
            // by kind first: most files mark no root, and their paths need not be looked at
            let Some(rank) = marker_rank(f) else {
                continue;
            };
            if vendored(&f.source.path) {
                continue;
            }
            let Some(dir) = root_dir(f) else {
                continue;
            };
            match dirs.iter_mut().find(|(d, _, _)| *d == dir) {
                Some(entry) if rank < entry.1 => {
                    entry.1 = rank;
                    entry.2 = i;
                }
                Some(_) => {}
                None => dirs.push((dir, rank, i)),
            }
        }
        // examples, samples and docs inside a project are demos, not projects of their own
        let outer: Vec<PathBuf> = dirs.iter().map(|d| d.0.clone()).collect();
        dirs.retain(|(d, _, _)| {
            !outer.iter().any(|o| {
                o != d
                    && d.strip_prefix(o).is_ok_and(|rel| {
                        rel.components()
                            .any(|c| matches!(c, Component::Normal(n) if DEMO_DIRS.iter().any(|x| n == *x)))
                    })
            })
        });
        // a requirements file beside no Python code (`docker-images/requirements.txt`) lists
        // the dependencies of the code above it: the project is where that code is, or none
        let python: Vec<&PathBuf> = files
            .iter()
            .zip(abs)
            .filter(|(f, _)| f.kind == FileKind::Python && !vendored(&f.source.path))
            .map(|(_, a)| a)
            .collect();
        let roots_before: Vec<PathBuf> = dirs.iter().map(|d| d.0.clone()).collect();
        let mut moved: Vec<(PathBuf, u8, usize)> = Vec::new();
        dirs.retain(|(d, rank, i)| {
            if *rank < 3 || python.iter().any(|p| below(p, d)) {
                return true;
            }
            // the nearest directory above whose own code (not another root's) is there
            let code_at = d.ancestors().skip(1).find(|a| {
                python
                    .iter()
                    .any(|p| below(p, a) && !roots_before.iter().any(|r| below(r, a) && r != a && below(p, r)))
            });
            if let Some(a) = code_at {
                if !roots_before.iter().any(|r| r == a) && !moved.iter().any(|m| m.0 == a) {
                    moved.push((a.to_path_buf(), *rank, *i));
                }
            }
            false
        });
        dirs.extend(moved);
        // deepest first, so the first ancestor found is the nearest
        dirs.sort_by(|a, b| {
            b.0.components()
                .count()
                .cmp(&a.0.components().count())
                .then(a.0.cmp(&b.0))
        });
        let mut roots: Vec<PyRoot> = dirs
            .iter()
            .map(|(dir, _, i)| {
                let f = &files[*i];
                PyRoot {
                    dir: dir.clone(),
                    marker: f.source.id,
                    marker_span: marker_span(f),
                    files: Vec::new(),
                    packages: Vec::new(),
                    top_packages: Vec::new(),
                }
            })
            .collect();
        let mut root_of: Vec<Option<usize>> = vec![None; files.len()];
        for ((f, a), slot) in files.iter().zip(abs).zip(root_of.iter_mut()) {
            if let Some(r) = roots.iter().position(|r| below(a, &r.dir)) {
                *slot = Some(r);
                if let Some(root) = roots.get_mut(r) {
                    root.files.push(f.source.id);
                }
            }
        }
        let mut module_of = vec![None; files.len()];
        for ((f, a), (r, module)) in files.iter().zip(abs).zip(root_of.iter().zip(module_of.iter_mut())) {
            let Some(root) = r.and_then(|r| roots.get_mut(r)) else {
                continue;
            };
            if f.kind != FileKind::Python {
                continue;
            }
            let rel = a.strip_prefix(&root.dir).unwrap_or(a).to_path_buf();
            if name_of(&rel) == "__init__.py" {
                if let Some(pkg) = rel.parent() {
                    root.packages.push(pkg.to_path_buf());
                    let parts: Vec<_> = pkg.components().collect();
                    let top = match parts.as_slice() {
                        [Component::Normal(n)] => Some(n),
                        [Component::Normal(s), Component::Normal(n)] if *s == "src" => Some(n),
                        _ => None,
                    };
                    if let Some(top) = top {
                        root.top_packages.push(top.to_string_lossy().to_string());
                    }
                }
            }
            *module = Some(module_name(&rel));
        }
        for r in &mut roots {
            r.packages.sort();
            r.packages.dedup();
            r.top_packages.sort();
            r.top_packages.dedup();
        }
        PythonIndex {
            roots,
            root_of,
            module_of,
        }
    }

    pub fn root_of(&self, file: FileId) -> Option<&PyRoot> {
        self.root_of
            .get(file.0 as usize)
            .copied()
            .flatten()
            .and_then(|r| self.roots.get(r))
    }

    pub fn module_of(&self, file: FileId) -> Option<&str> {
        self.module_of.get(file.0 as usize).and_then(|m| m.as_deref())
    }
}

/// `src/app/core/scoring.py` → `app.core.scoring`; `app/__init__.py` → `app`.
pub fn module_name(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().to_string()),
            _ => None,
        })
        .collect();
    if parts.first().is_some_and(|p| p == "src") {
        parts.remove(0);
    }
    if let Some(last) = parts.last_mut() {
        if let Some(stem) = last.strip_suffix(".py").or_else(|| last.strip_suffix(".pyi")) {
            *last = stem.to_string();
        }
    }
    if parts.last().is_some_and(|p| p == "__init__") {
        parts.pop();
    }
    parts.join(".")
}

fn marker_span(f: &ParsedFile) -> Span {
    if let Model::PyProject(p) = &f.model {
        if let Some(s) = p.header("project") {
            return s;
        }
    }
    first_line(&f.source.text)
}

/// The first line of a text, as a span (empty for an empty file).
pub fn first_line(text: &str) -> Span {
    Span::new(0, text.find('\n').unwrap_or(text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_modules() {
        assert_eq!(module_name(Path::new("src/app/core/scoring.py")), "app.core.scoring");
        assert_eq!(module_name(Path::new("app/__init__.py")), "app");
    }
}
