//! `linea check`

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use globset::{Glob, GlobSetBuilder};

use super::scope::Scope;
use super::{baseline, fix, print_error, CheckArgs, ExitStatus};
use crate::config::{self, Overrides};
use crate::discover::{self, Input};
use crate::rules::engine::{self, SourceInput};
use crate::rules::registry::Registry;

pub fn run(args: CheckArgs) -> ExitStatus {
    // the built-in rules are read while the repository is walked: neither waits for the other
    let builtin = std::thread::spawn(Registry::builtin);
    let mut paths = args.paths.clone();
    if paths.is_empty() {
        // `--stdin-filename` alone means stdin, as editors call it
        paths.push(PathBuf::from(if args.stdin_filename.is_some() { "-" } else { "." }));
    }
    let reads_stdin = paths.iter().any(|p| p.as_os_str() == "-");
    let disk: Vec<PathBuf> = paths.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
    for p in &disk {
        if !p.exists() {
            print_error(&format!("{}: no such file or directory", p.display()));
            return ExitStatus::Error;
        }
    }
    // the run reads the whole repository and reports on the paths asked about
    let scope = Scope::new(
        &disk,
        if reads_stdin {
            args.stdin_filename.as_deref()
        } else {
            None
        },
    );
    if let Err(e) = std::fs::read_dir(&scope.root) {
        print_error(&format!(
            "cannot read the repository root {}: {e}",
            scope.root.display()
        ));
        return ExitStatus::Error;
    }
    // the base config governs the root; nearer configs govern their directories
    let scan_root = disk
        .first()
        .cloned()
        .or_else(|| args.stdin_filename.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let base = match config::load(args.config.as_deref(), &scope.root) {
        Ok(s) => s,
        Err(e) => {
            crate::cli::config_error(&e);
            return ExitStatus::Error;
        }
    };

    let mut excludes = GlobSetBuilder::new();
    for g in &args.exclude {
        if let Err(over) = crate::budget::check_glob(g) {
            print_error(&format!("invalid --exclude glob: {over}"));
            return ExitStatus::Error;
        }
        match Glob::new(g) {
            Ok(glob) => {
                excludes.add(glob);
                if let Ok(any) = Glob::new(&format!("**/{g}")) {
                    excludes.add(any);
                }
            }
            Err(e) => {
                print_error(&format!("invalid --exclude glob `{g}`: {e}"));
                return ExitStatus::Error;
            }
        }
    }
    let excludes = excludes.build().unwrap_or_else(|_| globset::GlobSet::empty());
    let mut inputs: Vec<SourceInput> = scope.inputs(&base, &excludes, args.threads.unwrap_or(0));

    let overrides = Overrides {
        select: (!args.select.is_empty()).then(|| args.select.clone()),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(Into::into),
    };
    let disk_inputs: Vec<Input> = inputs
        .iter()
        .filter_map(|i| match i {
            SourceInput::Disk(d) | SourceInput::Context(d) => Some(d.clone()),
            SourceInput::Memory { .. } | SourceInput::Problem { .. } => None,
        })
        .collect();
    let configs = match scope.configs(args.config.as_deref(), &disk_inputs, &overrides) {
        Ok(c) => c,
        Err(e) => {
            crate::cli::config_error(&e);
            return ExitStatus::Error;
        }
    };
    // a nested config's own `exclude` applies below it
    if !configs.is_single() {
        inputs.retain(|i| match i {
            SourceInput::Disk(d) | SourceInput::Context(d) => !configs.for_path(&d.path).is_excluded(&d.path),
            SourceInput::Memory { .. } | SourceInput::Problem { .. } => true,
        });
    }

    let mut registry = match builtin.join() {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            print_error(&format!("built-in rules: {e}"));
            return ExitStatus::Error;
        }
        Err(_) => {
            print_error("built-in rules: reading them panicked");
            return ExitStatus::Error;
        }
    };
    // a config's rule directories are the repository's; `--rules` is the user's own
    let mut rule_dirs: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for s in configs.all() {
        let repository = config::repository_root(&s.root).unwrap_or_else(|| scope.root.clone());
        rule_dirs.extend(
            s.config
                .rules
                .iter()
                .map(|d| (s.root.join(d), Some(repository.clone()))),
        );
    }
    rule_dirs.extend(args.rule_dirs.iter().map(|d| (d.clone(), None)));
    rule_dirs.sort();
    rule_dirs.dedup_by(|a, b| a.0 == b.0);
    for (dir, within) in &rule_dirs {
        if let Err(e) = registry.load_dir_within(dir, within.as_deref()) {
            crate::cli::meta_error(&e);
            return ExitStatus::Error;
        }
    }
    for s in configs.all() {
        if let Err(e) = s.check_rule_names(&registry.iter().map(|r| &r.meta).collect::<Vec<_>>()) {
            crate::cli::config_error(&e);
            return ExitStatus::Error;
        }
    }
    for (flag, names) in [("--select", &args.select), ("--ignore", &args.ignore)] {
        if let Some(msg) = unknown_selector(&registry, names) {
            print_error(&format!("{msg} (in {flag})"));
            return ExitStatus::Error;
        }
    }
    let settings = configs.for_path(&scan_root).clone();

    if args.show_settings {
        let source = match &settings.path {
            Some(p) => p.display().to_string(),
            None => "none (defaults)".into(),
        };
        let mut shown = settings.config.clone();
        shown.fail_on = Some(settings.fail_on());
        shown.max_file_size = Some(config::ByteSize(settings.max_file_size()));
        let body = toml::to_string(&shown).unwrap_or_else(|e| format!("# cannot render: {e}\n"));
        let text = format!(
            "# config file: {source}\n# paths are relative to: {}\n\n{body}",
            settings.root.display()
        );
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return ExitStatus::Success;
    }

    if reads_stdin && args.fix {
        print_error("--fix rewrites files on disk and does not apply to stdin (`-`)");
        return ExitStatus::Error;
    }
    // `--fix` lints again after writing: the same inputs, read afresh from disk
    let fix_inputs = args.fix.then(|| inputs.clone());
    if reads_stdin {
        let Some(name) = args.stdin_filename.clone() else {
            print_error("reading stdin (`-`) needs --stdin-filename to know what kind of file it is");
            return ExitStatus::Error;
        };
        let Some(kind) = discover::classify(&name) else {
            print_error(&format!(
                "--stdin-filename `{}` is not a kind of file linea checks",
                name.display()
            ));
            return ExitStatus::Error;
        };
        // the other end may send without end: stop one byte past the budget
        let limit = &crate::budget::STDIN_BYTES;
        let input = match discover::read::read_stream(std::io::stdin().lock(), limit.value) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => SourceInput::Memory {
                    path: name.clone(),
                    kind,
                    text,
                },
                Err(e) => {
                    print_error(&format!(
                        "cannot read stdin: not valid UTF-8 (invalid byte at offset {})",
                        e.utf8_error().valid_up_to()
                    ));
                    return ExitStatus::Error;
                }
            },
            Err(discover::read::Refusal::TooLarge { .. }) => SourceInput::Problem {
                problem: discover::Problem::over_budget(
                    &name,
                    format!("standard input {}; not checked", limit_text(limit)),
                ),
                reported: true,
            },
            Err(e) => {
                print_error(&format!("cannot read stdin: {e}"));
                return ExitStatus::Error;
            }
        };
        // the buffer replaces the file on disk it stands for (an editor's unsaved version)
        let abs = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let stands_for = abs(&name);
        inputs.retain(|i| !matches!(i, SourceInput::Disk(d) | SourceInput::Context(d) if abs(&d.path) == stands_for));
        inputs.push(input);
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .stack_size(8 * 1024 * 1024)
        .build();
    let pool = match pool {
        Ok(pool) => pool,
        Err(e) => {
            print_error(&format!("cannot start worker threads: {e}"));
            return ExitStatus::Error;
        }
    };
    super::output::warn_unscanned(&paths, &inputs);
    let progress = super::output::Progress::start(inputs.len());
    let mut outcome = pool.install(|| engine::run_configs_keeping(&registry, &configs, inputs, engine::Models::LetGo));
    drop(progress);

    if let Some(path) = &args.write_baseline {
        if let Some(status) = internal_errors(&outcome) {
            return status;
        }
        return match baseline::write(path, &outcome, &settings) {
            Ok(n) => {
                eprintln!("linea: recorded {n} findings in {}", path.display());
                ExitStatus::Success
            }
            Err(e) => {
                print_error(&e);
                ExitStatus::Error
            }
        };
    }
    if let Some(path) = &args.baseline {
        if let Err(e) = baseline::apply(path, &mut outcome, &settings) {
            print_error(&e);
            return ExitStatus::Error;
        }
    }
    if let Some(base) = &args.diff_base {
        if let Err(e) = super::output::filter_diff_base(base, &mut outcome) {
            print_error(&e);
            return ExitStatus::Error;
        }
    }
    if fix_inputs.is_some() && !outcome.internal_errors.is_empty() {
        // findings may be missing where a rule crashed: report, do not rewrite anything
        eprintln!("linea: not fixing: a rule crashed (see below)");
    }
    if let Some(fix_inputs) = fix_inputs.filter(|_| outcome.internal_errors.is_empty()) {
        let relint = || {
            let mut o = pool.install(|| {
                engine::run_configs_keeping(&registry, &configs, fix_inputs.clone(), engine::Models::LetGo)
            });
            if let Some(path) = &args.baseline {
                baseline::apply(path, &mut o, &settings)?;
            }
            Ok::<_, String>(o)
        };
        let summary = match fix::fix_all(outcome, &settings, args.unsafe_fixes, relint) {
            Ok((o, s)) => {
                outcome = o;
                s
            }
            Err(e) => {
                print_error(&e);
                return ExitStatus::Error;
            }
        };
        for (path, why) in &summary.skipped {
            eprintln!("linea: {}: left unchanged: {why}", path.display());
        }
        // stderr: the report on stdout stays in its format
        eprintln!("linea: {}", summary.line());
    }

    let color = super::output::use_color(args.color, std::io::stdout().is_terminal(), |k| std::env::var(k).ok());
    if let Err(status) = super::output::emit(&args, &outcome, &registry, &settings, color) {
        return status;
    }
    for e in &outcome.internal_errors {
        print_error(&format!("internal error: {e}"));
    }
    let status = super::output::final_status(super::exit_status_per_file(&outcome), args.exit_zero);
    // the process ends next: freeing every parsed tree one by one would only delay the exit
    std::mem::forget(outcome);
    status
}

/// `exceeds the run budget of 256 MiB`.
fn limit_text(l: &crate::budget::Limit) -> String {
    format!("exceeds the {} budget of {}", l.per.as_str(), l.amount())
}

/// Report rules that panicked; they make the run exit 2.
fn internal_errors(outcome: &engine::Outcome) -> Option<ExitStatus> {
    for e in &outcome.internal_errors {
        print_error(&format!("internal error: {e}"));
    }
    (!outcome.internal_errors.is_empty()).then_some(ExitStatus::Error)
}

/// A message for the first selector that names no rule, with the nearest id, slug or family.
fn unknown_selector(registry: &Registry, names: &[String]) -> Option<String> {
    let name = names
        .iter()
        .find(|s| !registry.iter().any(|r| config::selector_matches(s, &r.meta)))?;
    let mut candidates: Vec<&str> = registry
        .iter()
        .flat_map(|r| [r.meta.id.as_str(), r.meta.slug.as_str(), r.meta.family.as_str()])
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let hint = config::nearest(name, &candidates)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Some(format!("`{name}` names no rule{hint}"))
}
