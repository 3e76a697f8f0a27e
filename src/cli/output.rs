//! What `linea check` does around the engine for pipelines and terminals: several reports in one
//! run (`--output-format FORMAT[:FILE]`), `--statistics`, `--diff-base`, `--color`, the
//! progress line, and the warnings about what a run did not scan.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{print_error, CheckArgs, ExitStatus};
use crate::config::Settings;
use crate::report::{self, sarif, Format, Report};
use crate::rules::engine::{Outcome, SourceInput};
use crate::rules::registry::Registry;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set; `FORCE_COLOR` or `CLICOLOR_FORCE` force it.
    #[default]
    Auto,
    Always,
    Never,
}

/// Whether the human report on stdout is coloured. `NO_COLOR` (any non-empty value) wins over
/// `FORCE_COLOR`/`CLICOLOR_FORCE` in `auto`, as no-color.org asks; `--color` wins over all.
pub fn use_color(choice: ColorChoice, stdout_is_terminal: bool, env: impl Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR") => false,
        ColorChoice::Auto => {
            let forced = env("FORCE_COLOR").is_some_and(|v| !matches!(v.as_str(), "0" | "false" | ""))
                || env("CLICOLOR_FORCE").is_some_and(|v| !matches!(v.as_str(), "0" | ""));
            forced || stdout_is_terminal
        }
    }
}

/// One `--output-format FORMAT[:FILE]`: a report in a format, to a file or (without one) stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Format,
    pub path: Option<PathBuf>,
}

impl std::str::FromStr for OutputSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        use clap::ValueEnum;
        let (name, path) = match s.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (s, None),
        };
        let format = Format::from_str(name, true).map_err(|_| {
            let names: Vec<&str> = Format::value_variants().iter().map(|f| f.name()).collect();
            format!("unknown format `{name}` (one of {})", names.join(", "))
        })?;
        match path {
            Some("") => Err(format!("`{s}`: no file after `:`")),
            Some(p) => Ok(OutputSpec {
                format,
                path: Some(PathBuf::from(p)),
            }),
            None => Ok(OutputSpec { format, path: None }),
        }
    }
}

/// The reports of a run: every `--output-format`, plus `--format`/`--output` when given, plus
/// the human report on stdout when no report goes there (and `--output` did not send the one
/// report of the run elsewhere: `-f sarif -o FILE` keeps stdout empty).
pub fn specs(args: &CheckArgs) -> Vec<OutputSpec> {
    let mut out = args.output_format.clone();
    if args.format.is_some() || args.output.is_some() {
        out.insert(
            0,
            OutputSpec {
                format: args.format.unwrap_or(Format::Human),
                path: args.output.clone(),
            },
        );
    }
    if args.output.is_none() && !out.iter().any(|s| s.path.is_none()) {
        out.push(OutputSpec {
            format: Format::Human,
            path: None,
        });
    }
    out
}

/// A line on stderr while a run takes longer than a second, on a terminal only: what is being
/// checked and for how long. Cleared when the run ends.
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    pub fn start(files: usize) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() || files == 0 {
            return Progress { done, thread: None };
        }
        let flag = done.clone();
        let thread = std::thread::Builder::new()
            .name("linea-progress".into())
            .spawn(move || {
                let start = Instant::now();
                let mut shown = false;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::park_timeout(Duration::from_millis(250));
                    let elapsed = start.elapsed();
                    if elapsed >= Duration::from_secs(1) && !flag.load(Ordering::Relaxed) {
                        let files = report::plural(files, "file");
                        eprint!("\rlinea: checking {files}… {}s ", elapsed.as_secs());
                        shown = true;
                    }
                }
                if shown {
                    // spaces over the line, then back to its start: no escape sequence needed
                    eprint!("\r{}\r", " ".repeat(60));
                }
            })
            .ok();
        Progress { done, thread }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

/// Warn on stderr about what the paths asked for did not give: a file of a kind linea does not
/// check, a directory it cannot read or with nothing to check.
pub fn warn_unscanned(paths: &[PathBuf], inputs: &[SourceInput]) {
    // compared as absolute, normalised paths: `.` holds `Dockerfile`, `./k8s` holds `k8s/a.yaml`
    let absolute =
        |p: &Path| crate::semantic::path::normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
    // made absolute one by one and only until one is found below the directory (the first,
    // most often), not all of a large tree up front
    let holds_one = |dir: &Path| {
        inputs.iter().any(|i| match i {
            SourceInput::Disk(d) => absolute(&d.path).starts_with(dir),
            // read for the checks across files, not reported on
            SourceInput::Context(_) | SourceInput::Memory { .. } | SourceInput::Problem { .. } => false,
        })
    };
    for p in paths.iter().filter(|p| p.as_os_str() != "-") {
        let shown = report::escape::text(&p.to_string_lossy()).into_owned();
        if p.is_file() {
            if crate::discover::classify(p).is_none() {
                eprintln!("linea: warning: {shown}: not a kind of file linea checks (see docs/files.md); skipped");
            }
        } else if p.is_dir() {
            if let Err(e) = std::fs::read_dir(p) {
                eprintln!("linea: warning: {shown}: cannot read directory: {e}");
            } else if !holds_one(&absolute(p)) {
                eprintln!("linea: warning: {shown}: no files linea checks in this directory");
            }
        }
    }
}

/// What `--diff-base` keeps.
pub mod diff {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// Lines added or changed since the base, by path relative to the repository root. A file
    /// the base does not have (added, or untracked) is changed as a whole (`None`).
    #[derive(Debug, Default)]
    pub struct Changes {
        pub root: PathBuf,
        pub files: BTreeMap<PathBuf, Option<BTreeSet<u32>>>,
    }

    impl Changes {
        /// Whether line `line` of `path` (relative to the repository root) changed.
        pub fn contains(&self, path: &Path, line: u32) -> bool {
            match self.files.get(path) {
                Some(None) => true,
                Some(Some(lines)) => lines.contains(&line),
                None => false,
            }
        }
    }

    fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(format!("git {}: {}", args.join(" "), err.trim()));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Undo git's C-style quoting of a path (`"a\tb"`, octal escapes for other bytes).
    pub fn unquote(s: &str) -> PathBuf {
        let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
            return PathBuf::from(s);
        };
        let mut bytes = Vec::new();
        let mut it = inner.bytes().peekable();
        while let Some(b) = it.next() {
            if b != b'\\' {
                bytes.push(b);
                continue;
            }
            match it.next() {
                Some(b'n') => bytes.push(b'\n'),
                Some(b't') => bytes.push(b'\t'),
                Some(b'r') => bytes.push(b'\r'),
                Some(b'a') => bytes.push(7),
                Some(b'b') => bytes.push(8),
                Some(b'f') => bytes.push(12),
                Some(b'v') => bytes.push(11),
                Some(d @ b'0'..=b'7') => {
                    let mut v = u32::from(d - b'0');
                    for _ in 0..2 {
                        if let Some(&n @ b'0'..=b'7') = it.peek() {
                            v = v * 8 + u32::from(n - b'0');
                            it.next();
                        }
                    }
                    bytes.push(v as u8);
                }
                Some(other) => bytes.push(other),
                None => bytes.push(b'\\'),
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            PathBuf::from(std::ffi::OsString::from_vec(bytes))
        }
        #[cfg(not(unix))]
        {
            PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
        }
    }

    /// Parse `git diff --unified=0` output: the new side's path and added lines of each hunk.
    pub fn parse(diff: &str, changes: &mut Changes) {
        let mut current: Option<PathBuf> = None;
        for line in diff.lines() {
            if let Some(rest) = line.strip_prefix("+++ ") {
                current = if rest == "/dev/null" {
                    None
                } else {
                    let p = unquote(rest);
                    let p = p.strip_prefix("b/").map(Path::to_path_buf).unwrap_or(p);
                    Some(p)
                };
                if let Some(p) = &current {
                    changes.files.entry(p.clone()).or_insert_with(|| Some(BTreeSet::new()));
                }
            } else if let (Some(rest), Some(p)) = (line.strip_prefix("@@ "), &current) {
                // `@@ -a,b +c,d @@`: lines c .. c+d-1 of the new side (d defaults to 1)
                let Some(new) = rest.split(' ').find_map(|w| w.strip_prefix('+')) else {
                    continue;
                };
                let (start, count) = match new.split_once(',') {
                    Some((s, c)) => (s.parse::<u32>().unwrap_or(0), c.parse::<u32>().unwrap_or(0)),
                    None => (new.parse::<u32>().unwrap_or(0), 1),
                };
                if let Some(Some(lines)) = changes.files.get_mut(p) {
                    lines.extend(start..start.saturating_add(count));
                }
            }
        }
    }

    /// The changes of the working tree since `base` (through their merge base, as a pull
    /// request shows them), renames followed, untracked files included.
    pub fn since(base: &str, dir: &Path) -> Result<Changes, String> {
        let root = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?.trim_end_matches('\n'));
        git(
            &root,
            &["rev-parse", "--verify", "--quiet", &format!("{base}^{{commit}}")],
        )
        .map_err(|_| format!("--diff-base: `{base}` names no commit in {}", root.display()))?;
        let merge_base = git(&root, &["merge-base", base, "HEAD"])
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| base.to_string());
        let out = git(
            &root,
            &[
                "-c",
                "core.quotePath=true",
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--unified=0",
                "--find-renames",
                "--diff-filter=ACMRT",
                &merge_base,
                "--",
            ],
        )?;
        let mut changes = Changes {
            root: root.clone(),
            files: BTreeMap::new(),
        };
        parse(&out, &mut changes);
        let untracked = git(&root, &["ls-files", "-z", "--others", "--exclude-standard"])?;
        for p in untracked.split('\0').filter(|p| !p.is_empty()) {
            changes.files.insert(PathBuf::from(p), None);
        }
        Ok(changes)
    }
}

/// `--diff-base`: keep only the findings on lines changed since `base`. Runs after the engine,
/// so project rules saw the whole repository; a finding's primary line decides.
pub fn filter_diff_base(base: &str, outcome: &mut Outcome) -> Result<usize, String> {
    let changes = diff::since(base, &outcome.project.root)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = std::fs::canonicalize(&changes.root).unwrap_or_else(|_| changes.root.clone());
    let before = outcome.diagnostics.len();
    let project = &outcome.project;
    // each file's path below the repository root, found once per file
    let mut relative: std::collections::HashMap<crate::source::FileId, Option<PathBuf>> = Default::default();
    outcome.diagnostics.retain(|d| {
        let Some(file) = project.file(d.file) else {
            return false;
        };
        let rel = relative.entry(d.file).or_insert_with(|| {
            let abs = cwd.join(&file.source.path);
            let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
            abs.strip_prefix(&root).ok().map(Path::to_path_buf)
        });
        rel.as_deref()
            .is_some_and(|rel| changes.contains(rel, file.source.position(d.span.start).line))
    });
    Ok(before - outcome.diagnostics.len())
}

/// Render and write every report of the run. Writing continues past a failed report so the
/// others are still there; the first failure makes the run exit 2.
pub fn emit(
    args: &CheckArgs,
    outcome: &Outcome,
    registry: &Registry,
    settings: &Settings,
    color: bool,
) -> Result<(), ExitStatus> {
    let options = report::Options {
        root: None,
        sarif_category: args.sarif_category.clone(),
        sarif_max_results: args.sarif_max_results,
    };
    let make = |color: bool| Report {
        outcome,
        registry,
        settings,
        show_suppressed: args.show_suppressed,
        color,
        options: options.clone(),
    };
    let mut failed = false;
    // reports are written as they are serialised, through a buffer: stdout's in the order of
    // the specs, after every file's (a file that cannot be created does not stop the others)
    let stdout = std::io::stdout();
    let mut out = Counted::new(std::io::BufWriter::with_capacity(1 << 16, stdout.lock()));
    let mut stdout_error = None;
    for spec in specs(args) {
        let on_stdout = spec.path.is_none();
        let r = make(on_stdout && color);
        let write = |w: &mut dyn Write| -> std::io::Result<()> {
            if on_stdout && args.statistics {
                let text = match spec.format {
                    Format::Json => report::statistics_json(&r),
                    _ => report::statistics_text(&r),
                };
                w.write_all(text.as_bytes())
            } else {
                report::write(spec.format, &r, w)
            }
        };
        let written = match &spec.path {
            None => {
                let before = out.count;
                if stdout_error.is_none() {
                    if let Err(e) = write(&mut out) {
                        stdout_error = Some(e);
                    }
                }
                out.count - before
            }
            Some(p) => {
                let result = std::fs::File::create(p).and_then(|f| {
                    let mut w = Counted::new(std::io::BufWriter::with_capacity(1 << 16, f));
                    write(&mut w)?;
                    w.flush()?;
                    Ok(w.count)
                });
                match result {
                    Ok(n) => n,
                    Err(e) => {
                        print_error(&format!("cannot write report {}: {e}", p.display()));
                        failed = true;
                        0
                    }
                }
            }
        };
        if spec.format == Format::Sarif {
            sarif_limits(written, &r, outcome, args.sarif_max_results);
        }
    }
    if let Some(e) = stdout_error.or_else(|| out.flush().err()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            print_error(&format!("cannot write report to stdout: {e}"));
            failed = true;
        }
    }
    if !outcome.project.files.iter().any(|f| f.reported) {
        eprintln!("linea: warning: no files were checked");
    }
    if failed {
        Err(ExitStatus::Error)
    } else {
        Ok(())
    }
}

/// A writer that counts the bytes written through it.
struct Counted<W: Write> {
    inner: W,
    count: usize,
}

impl<W: Write> Counted<W> {
    fn new(inner: W) -> Counted<W> {
        Counted { inner, count: 0 }
    }
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(b)?;
        self.count += n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Warn when a SARIF report (`written` bytes) is over what GitHub code scanning accepts in one
/// upload.
fn sarif_limits(written: usize, report: &Report<'_>, outcome: &Outcome, cap: Option<usize>) {
    let results = outcome.diagnostics.len().min(cap.unwrap_or(usize::MAX));
    if results > sarif::GITHUB_MAX_RESULTS {
        eprintln!(
            "linea: warning: the SARIF report has {results} results; GitHub code scanning keeps {} per run \
             (--sarif-max-results {} keeps the most severe)",
            sarif::GITHUB_MAX_RESULTS,
            sarif::GITHUB_MAX_RESULTS
        );
    }
    // compressing costs time: only a report over the limit uncompressed can be over it gzipped
    if written > sarif::GITHUB_MAX_GZIP_BYTES {
        let gz = gzip_len(|w| sarif::write(report, w));
        if gz > sarif::GITHUB_MAX_GZIP_BYTES {
            eprintln!(
                "linea: warning: the SARIF report is {} MB gzip-compressed; GitHub code scanning accepts 10 MB \
                 (lower --sarif-max-results)",
                gz / (1024 * 1024)
            );
        }
    }
}

/// The size of what `write` writes, gzip-compressed at the default level (for the SARIF report:
/// serialised again, into the compressor, only when it is over the limit uncompressed).
fn gzip_len(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> usize {
    struct Count(usize);
    impl Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut enc = flate2::write::GzEncoder::new(Count(0), flate2::Compression::default());
    if write(&mut enc).is_err() {
        return usize::MAX;
    }
    enc.finish().map(|c| c.0).unwrap_or(usize::MAX)
}

/// The exit status after `--exit-zero`: findings no longer fail the run; errors still do.
pub fn final_status(status: ExitStatus, exit_zero: bool) -> ExitStatus {
    match status {
        ExitStatus::Findings if exit_zero => ExitStatus::Success,
        s => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_output_specs() {
        let s: OutputSpec = "sarif:out/linea.sarif".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.format, s.path),
            (Format::Sarif, Some(PathBuf::from("out/linea.sarif")))
        );
        let s: OutputSpec = "GitHub".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.format, s.path), (Format::Github, None));
        assert!("xml:a".parse::<OutputSpec>().is_err());
        assert!("json:".parse::<OutputSpec>().is_err());
    }

    #[test]
    fn colour_follows_flags_then_environment() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert!(use_color(ColorChoice::Auto, true, env(&[])));
        assert!(!use_color(ColorChoice::Auto, false, env(&[])));
        assert!(!use_color(ColorChoice::Auto, true, env(&[("NO_COLOR", "1")])));
        assert!(use_color(ColorChoice::Auto, true, env(&[("NO_COLOR", "")])));
        assert!(use_color(ColorChoice::Auto, false, env(&[("FORCE_COLOR", "1")])));
        assert!(!use_color(ColorChoice::Auto, false, env(&[("FORCE_COLOR", "0")])));
        assert!(use_color(ColorChoice::Auto, false, env(&[("CLICOLOR_FORCE", "1")])));
        assert!(!use_color(
            ColorChoice::Auto,
            false,
            env(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")])
        ));
        assert!(use_color(ColorChoice::Always, false, env(&[("NO_COLOR", "1")])));
        assert!(!use_color(ColorChoice::Never, true, env(&[("FORCE_COLOR", "1")])));
    }

    #[test]
    fn parses_unified_zero_diffs() {
        let text = "diff --git a/Dockerfile b/docker/Dockerfile\n\
                    similarity index 90%\n\
                    rename from Dockerfile\n\
                    rename to docker/Dockerfile\n\
                    --- a/Dockerfile\n\
                    +++ b/docker/Dockerfile\n\
                    @@ -3 +3 @@ FROM x\n\
                    -USER a\n\
                    +USER root\n\
                    @@ -8,0 +9,2 @@\n\
                    +a\n\
                    +b\n\
                    @@ -20,3 +22,0 @@\n\
                    diff --git \"a/my\\tfile.tf\" \"b/my\\tfile.tf\"\n\
                    --- \"a/my\\tfile.tf\"\n\
                    +++ \"b/my\\tfile.tf\"\n\
                    @@ -1 +1 @@\n\
                    diff --git a/gone.tf b/gone.tf\n\
                    --- a/gone.tf\n\
                    +++ /dev/null\n\
                    @@ -1 +0,0 @@\n";
        let mut c = diff::Changes::default();
        diff::parse(text, &mut c);
        let d = Path::new("docker/Dockerfile");
        let lines: Vec<u32> = (1..25).filter(|&l| c.contains(d, l)).collect();
        assert_eq!(lines, vec![3, 9, 10]);
        assert!(c.contains(Path::new("my\tfile.tf"), 1));
        assert!(!c.contains(Path::new("Dockerfile"), 3));
        assert_eq!(diff::unquote("\"\\303\\251.tf\""), PathBuf::from("é.tf"));
    }

    #[test]
    fn gzip_length_is_smaller_for_repetitive_text() {
        let text = "{\"ruleId\": \"DF001\"}\n".repeat(10_000);
        let n = gzip_len(|w| w.write_all(text.as_bytes()));
        assert!(n > 0 && n < text.len() / 20, "{n}");
    }
}
