//! `linea check --fix`: apply the fixes of the findings shown, write each changed file
//! atomically, lint again, repeat while fixes apply (overlapping edits wait for a later pass).

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::project;
use crate::rules::engine::Outcome;
use crate::rules::fix;

/// Passes before giving up on fixes that keep producing fixes.
const MAX_PASSES: usize = 10;

#[derive(Debug, Default)]
pub struct Summary {
    /// Fixes applied, over all passes.
    pub fixes: usize,
    /// Files written.
    pub files: BTreeSet<PathBuf>,
    /// Files left as they were, and why.
    pub skipped: Vec<(PathBuf, String)>,
}

impl Summary {
    /// `fixed 7 findings in 3 files`.
    pub fn line(&self) -> String {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        format!(
            "fixed {} in {}",
            plural(self.fixes, "finding"),
            plural(self.files.len(), "file")
        )
    }
}

/// Fix the files of `outcome` pass after pass; `relint` runs the check again (baseline applied)
/// and its outcome is the one returned, so what is reported is what remains.
pub fn fix_all<E>(
    mut outcome: Outcome,
    settings: &Settings,
    unsafe_too: bool,
    mut relint: impl FnMut() -> Result<Outcome, E>,
) -> Result<(Outcome, Summary), E> {
    let mut summary = Summary::default();
    let mut given_up: BTreeSet<PathBuf> = BTreeSet::new();
    for _ in 0..MAX_PASSES {
        let mut written = false;
        for file in &outcome.project.files {
            let path = file.source.path.clone();
            if given_up.contains(&path) {
                continue;
            }
            let fixes = fix::fixes_of(&outcome.diagnostics, file.source.id, None, unsafe_too);
            if fixes.is_empty() {
                continue;
            }
            let (text, applied) = fix::apply(&file.source.text, &fixes);
            if applied == 0 || *text == *file.source.text {
                continue;
            }
            // a fix must never turn a file the parser reads into one it cannot
            let reparsed = project::parse(file.source.id, path.clone(), file.kind, text.clone(), settings);
            if reparsed.errors.len() > file.errors.len() {
                let why = reparsed.errors.first().map(|e| e.message.clone()).unwrap_or_default();
                summary
                    .skipped
                    .push((path.clone(), format!("the fixed text would not parse ({why})")));
                given_up.insert(path);
                continue;
            }
            match write_atomic(&path, &text) {
                Ok(()) => {
                    summary.fixes += applied;
                    summary.files.insert(path);
                    written = true;
                }
                Err(e) => {
                    summary.skipped.push((path.clone(), format!("cannot write: {e}")));
                    given_up.insert(path);
                }
            }
        }
        if !written {
            break;
        }
        outcome = relint()?;
    }
    Ok((outcome, summary))
}

/// Replace `path` by `text` through a temporary file in the same directory and a rename, so a
/// reader never sees half a file; the file keeps its permissions, and a symlink keeps pointing
/// at the file it names.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let permissions = fs::metadata(&target)?.permissions();
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut opened = None;
    for n in 0..100 {
        let tmp = dir.join(format!(".{name}.linea-fix.{}.{n}", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => {
                opened = Some((tmp, f));
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    let Some((tmp, mut f)) = opened else {
        return Err(io::Error::other("no free temporary file name"));
    };
    let done = f
        .write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .and_then(|()| fs::set_permissions(&tmp, permissions))
        .and_then(|()| {
            drop(f);
            fs::rename(&tmp, &target)
        });
    if done.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_keeping_permissions() {
        let dir = std::env::temp_dir().join(format!("linea-fix-test-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let p = dir.join("Dockerfile");
        fs::write(&p, "FROM a\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_atomic(&p, "FROM b\n").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "FROM b\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o640);
        }
        let left: Vec<_> = fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "no temporary file left behind");
        let _ = fs::remove_dir_all(&dir);
    }

    /// No built-in fix breaks a file, so a made-up one: the file it would break stays as it is,
    /// the other file is fixed.
    #[test]
    fn a_fix_that_breaks_parsing_is_not_written() {
        use crate::discover::{FileKind, Input};
        use crate::rules::engine::{self, SourceInput};
        use crate::rules::registry::Registry;
        use crate::rules::{Diagnostic, Edit, Fix, Severity};
        use crate::source::Span;

        let dir = std::env::temp_dir().join(format!("linea-fix-parse-{}", std::process::id()));
        let _ = fs::create_dir_all(&dir);
        let (broken, fine) = (dir.join("broken.yaml"), dir.join("fine.yaml"));
        let good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments\n";
        fs::write(&broken, good).unwrap();
        fs::write(&fine, good).unwrap();
        let registry = Registry::builtin().unwrap();
        let settings = Settings::default();
        let inputs: Vec<SourceInput> = [&broken, &fine]
            .iter()
            .map(|p| {
                SourceInput::Disk(Input {
                    path: p.to_path_buf(),
                    kind: FileKind::Yaml,
                })
            })
            .collect();
        let mut outcome = engine::run(&registry, &settings, inputs.clone());
        for f in &outcome.project.files {
            let at = f.source.text.find("payments").unwrap();
            let edit = if f.source.path == broken {
                Edit::insert(at + "payments".len(), ": api")
            } else {
                Edit::replace(Span::new(at, at + "payments".len()), "billing")
            };
            let mut d = Diagnostic::new("TEST1", Severity::Warning, f.source.id, Span::new(0, 4), "made up");
            d.fix = Some(Fix::safe(vec![edit]));
            outcome.diagnostics.push(d);
        }
        let relint = || Ok::<_, ()>(engine::run(&registry, &settings, inputs.clone()));
        let (_, summary) = fix_all(outcome, &settings, false, relint).unwrap();
        assert_eq!(fs::read_to_string(&broken).unwrap(), good);
        assert_eq!(fs::read_to_string(&fine).unwrap(), good.replace("payments", "billing"));
        assert_eq!(summary.fixes, 1);
        assert_eq!(summary.skipped.len(), 1, "{:?}", summary.skipped);
        assert_eq!(summary.line(), "fixed 1 finding in 1 file");
        let _ = fs::remove_dir_all(&dir);
    }
}
