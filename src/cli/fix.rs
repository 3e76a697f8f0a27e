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
            let max = settings.max_file_size() as usize;
            match write_checked(&path, &file.source.text, &text, max) {
                Ok(()) => {
                    summary.fixes += applied;
                    summary.files.insert(path);
                    written = true;
                }
                Err(e) => {
                    summary.skipped.push((path.clone(), e.to_string()));
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

/// Replace `path` by `text` when its content is still `was` (the text that was linted), so
/// that no edit made since is lost; see [`write_checked`].
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let was = fs::read(path)?;
    write_checked(path, &String::from_utf8_lossy(&was), text, usize::MAX).map_err(|e| io::Error::other(e.to_string()))
}

/// Why a file was left as it was.
#[derive(Debug)]
pub enum Unwritten {
    /// Its content is not what was linted any more (an editor saved in between).
    Changed,
    ReadOnly,
    /// Its owner or group could not be kept.
    Owner(io::Error),
    Io(io::Error),
}

impl std::fmt::Display for Unwritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unwritten::Changed => write!(f, "it changed on disk since it was read"),
            Unwritten::ReadOnly => write!(f, "it is read-only (make it writable to fix it)"),
            Unwritten::Owner(e) => write!(f, "its owner and group cannot be kept: {e}"),
            Unwritten::Io(e) => write!(f, "cannot write: {e}"),
        }
    }
}

impl From<io::Error> for Unwritten {
    fn from(e: io::Error) -> Self {
        Unwritten::Io(e)
    }
}

/// The file's content as linea read it: a UTF-8 BOM is blanked to three spaces so that
/// offsets stay the file's (see the engine); `None` when it is not text any more.
fn as_linted(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    let text = std::str::from_utf8(bytes).ok()?;
    Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => std::borrow::Cow::Owned(format!("   {rest}")),
        None => std::borrow::Cow::Borrowed(text),
    })
}

/// Replace `path` (a symlink: the file it names) by `text`, never losing data:
/// - the file is read again just before it is replaced and left alone unless it is still
///   `was`, the text that was linted and fixed;
/// - a read-only file is left alone;
/// - the temporary file is created in the same directory with the file's final mode (never
///   more open than the file), given its owner and group, written and synced, then renamed
///   over the file and the directory synced; a file with several hard links is instead written
///   in place from the verified temporary copy, so that every link sees the fix;
/// - a UTF-8 BOM the file starts with is kept;
/// - the temporary file is removed whatever happens.
pub fn write_checked(path: &Path, was: &str, text: &str, max: usize) -> Result<(), Unwritten> {
    let target = fs::canonicalize(path)?;
    let meta = fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Err(Unwritten::ReadOnly);
    }
    let current = crate::discover::read::read_bytes(&target, max as u64, None)
        .map_err(|e| Unwritten::Io(io::Error::other(e.to_string())))?;
    if as_linted(&current).as_deref() != Some(was) {
        return Err(Unwritten::Changed);
    }
    let bom = current.starts_with("\u{feff}".as_bytes());
    let body: Vec<u8> = match (bom, text.strip_prefix("   ")) {
        (true, Some(rest)) => ["\u{feff}".as_bytes(), rest.as_bytes()].concat(),
        _ => text.as_bytes().to_vec(),
    };
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut opened = None;
    for n in 0..100 {
        let tmp = dir.join(format!(".{name}.linea-fix.{}.{n}", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).read(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            // the final mode from the start (the umask can only narrow it): a 0600 file never
            // has a 0644 copy next to it
            options.mode(meta.permissions().mode() & 0o7777);
        }
        match options.open(&tmp) {
            Ok(f) => {
                opened = Some((tmp, f));
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let Some((tmp, mut f)) = opened else {
        return Err(io::Error::other("no free temporary file name").into());
    };
    struct Cleanup<'a>(&'a Path, bool);
    impl Drop for Cleanup<'_> {
        fn drop(&mut self) {
            if self.1 {
                let _ = fs::remove_file(self.0);
            }
        }
    }
    let mut cleanup = Cleanup(&tmp, true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mine = f.metadata()?;
        if mine.uid() != meta.uid() || mine.gid() != meta.gid() {
            std::os::unix::fs::fchown(&f, Some(meta.uid()), Some(meta.gid())).map_err(Unwritten::Owner)?;
        }
        // what the umask took away, and set-id bits the owner change cleared
        f.set_permissions(meta.permissions())?;
    }
    #[cfg(not(unix))]
    f.set_permissions(meta.permissions())?;
    f.write_all(&body)?;
    f.sync_all()?;
    drop(f);
    // verified: the copy holds the whole fixed text
    if fs::read(&tmp)? != body {
        return Err(io::Error::other("the temporary copy does not read back as written").into());
    }
    // the last moment: an editor may have saved while the copy was written
    let current = crate::discover::read::read_bytes(&target, max as u64, None)
        .map_err(|e| Unwritten::Io(io::Error::other(e.to_string())))?;
    if as_linted(&current).as_deref() != Some(was) {
        return Err(Unwritten::Changed);
    }
    #[cfg(unix)]
    let links = std::os::unix::fs::MetadataExt::nlink(&meta);
    #[cfg(not(unix))]
    let links = 1;
    if links > 1 {
        // a rename would give this name a new file and leave the other links on the old one
        let mut out = OpenOptions::new().write(true).truncate(true).open(&target)?;
        out.write_all(&body)?;
        out.sync_all()?;
    } else {
        fs::rename(&tmp, &target)?;
        cleanup.1 = false;
        // the rename itself is durable only once the directory is
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
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
