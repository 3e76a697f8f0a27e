//! Command line: argument definitions, subcommands and exit codes.

mod baseline;
mod check;
pub mod fix;
mod init;
pub mod output;
mod rules_cmd;
mod scope;
mod test_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::report::Format;
use crate::rules::Severity;

/// Exit codes, as documented in README.md and `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above `fail-on`.
    Success = 0,
    /// Findings at or above `fail-on` (or failed rule tests).
    Findings = 1,
    /// Usage, configuration or internal error.
    Error = 2,
}

const AFTER_HELP: &str = "Exit codes:\n  0  no finding at or above `fail-on` (default: warning)\n  1  findings at or above `fail-on`\n  2  usage, configuration or internal error";

const SERVER_AFTER_HELP: &str = "The editor starts it; every change re-lints the workspace (open buffers in place of\ntheir files) and findings are shown for open files.\n\nExit codes:\n  0  the client sent `shutdown`, then `exit`\n  1  `exit` without `shutdown`, or the client went away\n  2  the server could not start";

#[derive(Debug, Parser)]
#[command(name = "linea", version, about = "Lint a whole service repository: Python, Dockerfiles, Terraform, Kubernetes/Istio, API definitions and CI pipelines.", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// parsed once per process: the size of the `check` arguments does not matter
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (default: the current directory).
    #[command(after_help = AFTER_HELP)]
    Check(CheckArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Show a rule's documentation.
    Explain {
        /// Rule id (`DF001`) or slug (`image-tag-latest`).
        rule: String,
        /// Use this config file (for its custom rules) instead of discovering linea.toml /
        /// pyproject.toml.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run the fixtures of your own rules (`DIR/<ID>.yaml`, fixtures in `DIR/fixtures/<ID>/`).
    Test(TestArgs),
    /// Write a commented `linea.toml` with every key and its default.
    Init(InitArgs),
    /// Print the JSON Schema of `linea.toml`, for editor completion.
    Schema,
    /// Run the language server (LSP over stdin/stdout) for editors; see docs/editors.md.
    #[command(after_help = SERVER_AFTER_HELP)]
    Server,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write (default: `linea.toml` in the current directory).
    #[arg(value_name = "FILE", default_value = "linea.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
    /// Print the file instead of writing it.
    #[arg(long, conflicts_with = "force")]
    pub stdout: bool,
}

#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Rule directories to test (default: the `rules` directories of the configuration).
    pub dirs: Vec<PathBuf>,
    /// Use this config file instead of discovering linea.toml / pyproject.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads stdin (with --stdin-filename).
    pub paths: Vec<PathBuf>,
    /// Output format (default: human).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A report in FORMAT, written to FILE or (without `:FILE`) stdout; repeatable:
    /// `--output-format sarif:linea.sarif --output-format github`. The human report stays on
    /// stdout unless a report without FILE replaces it.
    #[arg(long, value_name = "FORMAT[:FILE]")]
    pub output_format: Vec<output::OutputSpec>,
    /// Print the number of findings of each rule instead of the findings (reports written to
    /// files are unchanged).
    #[arg(long)]
    pub statistics: bool,
    /// Exit 0 even when there are findings (usage and internal errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Report only findings on lines changed since REF (`git diff` against the merge base of REF
    /// and HEAD, renames followed, uncommitted and untracked files included); rules still see
    /// the whole repository.
    #[arg(long, value_name = "REF")]
    pub diff_base: Option<String>,
    /// Colour the human report: `auto` (on a terminal; `NO_COLOR`, `FORCE_COLOR` and
    /// `CLICOLOR_FORCE` are honoured), `always` or `never`.
    #[arg(long, value_enum, default_value_t = output::ColorChoice::Auto, value_name = "WHEN")]
    pub color: output::ColorChoice,
    /// SARIF `automationDetails.id` (`CATEGORY/`): code scanning keeps one analysis per category.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,
    /// Keep at most N SARIF results, the most severe first (GitHub code scanning keeps 25,000
    /// per run).
    #[arg(long, value_name = "N")]
    pub sarif_max_results: Option<usize>,
    /// Use this config file instead of discovering linea.toml / pyproject.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only run these rules (ids, slugs, families, prefixes); repeatable, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules; repeatable, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Skip paths matching this glob; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Name (and so kind, environment and config) of the text read from stdin; with no PATHS,
    /// stdin is read.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Also show findings silenced by `linea: ignore` comments.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Threads for walking, parsing and checking (default: one per core); `1` makes the run
    /// single-threaded.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Extra directory of custom rules; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    pub rule_dirs: Vec<PathBuf>,
    /// Hide the findings recorded in this baseline file (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE, print no report and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Print which config file is used and the settings in effect, then exit.
    #[arg(long)]
    pub show_settings: bool,
    /// Apply the safe fixes of the findings shown, rewrite the files, and report what remains
    /// (not with stdin).
    #[arg(long, conflicts_with = "write_baseline")]
    pub fix: bool,
    /// With --fix, also apply fixes that may change behaviour (review the diff).
    #[arg(long, requires = "fix")]
    pub unsafe_fixes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// `table` (default) or `json`.
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Use this config file (for its custom rules) instead of discovering linea.toml /
    /// pyproject.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

/// Entry point used by `main`: parse arguments, run, return the exit code.
pub fn main() -> i32 {
    crate::panics::install_hook();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { ExitStatus::Error as i32 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let status = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Rules(args) => rules_cmd::list(args),
        Command::Explain { rule, config } => rules_cmd::explain(&rule, config.as_deref()),
        Command::Test(args) => test_cmd::run(args),
        Command::Init(args) => init::init(args),
        Command::Schema => init::schema(),
        Command::Server => return crate::server::run(),
    };
    status as i32
}

/// The exit status of a check run: 2 when a rule panicked, 1 when an unsuppressed finding is at
/// or above `fail_on`, else 0.
pub fn exit_status(outcome: &crate::rules::engine::Outcome, fail_on: Severity) -> ExitStatus {
    if !outcome.internal_errors.is_empty() {
        ExitStatus::Error
    } else if outcome
        .diagnostics
        .iter()
        .any(|d| d.suppressed.is_none() && d.severity >= fail_on)
    {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    }
}

/// The exit status when each finding is judged by the `fail-on` of its own file's config.
pub fn exit_status_per_file(outcome: &crate::rules::engine::Outcome) -> ExitStatus {
    if !outcome.internal_errors.is_empty() {
        ExitStatus::Error
    } else if outcome
        .diagnostics
        .iter()
        .any(|d| d.suppressed.is_none() && d.severity >= outcome.project.settings_of(d.file).fail_on())
    {
        ExitStatus::Findings
    } else {
        ExitStatus::Success
    }
}

/// Print an error the way every subcommand does.
pub(crate) fn print_error(message: &str) {
    eprintln!("linea: error: {message}");
}

/// Print a configuration error pointing at its line, with the offending line underlined.
pub(crate) fn config_error(e: &crate::config::ConfigError) {
    use std::io::IsTerminal;
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    eprint!("{}", e.render(color));
}

/// Print a rule-file error pointing into the rule file.
pub(crate) fn meta_error(e: &crate::rules::meta::MetaError) {
    let pos = crate::source::LineIndex::new(&e.text).position(&e.text, e.span.start);
    eprintln!(
        "linea: error: {}:{}:{}: {}",
        e.path.display(),
        pos.line,
        pos.column,
        e.message
    );
}
