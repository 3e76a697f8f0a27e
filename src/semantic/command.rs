//! Command lines: what a shell command (a Dockerfile `RUN`, a pipeline step's script, an
//! exec-form `RUN ["pip", "install", …]`) actually runs. One reader for every family:
//!
//! - wrappers are looked through: `sudo [-u X]`, `doas`, `env A=B`, `nice`, `ionice`, `nohup`,
//!   `exec`, `time`, `command`, `builtin`, `timeout 60`, `stdbuf`, `xargs`, `chronic`,
//!   `unbuffer`, `setsid`;
//! - runners too: `python -m pip`, `uv run pytest`, `poetry run`, `pipenv run`, `hatch run`,
//!   `pdm run`, `rye run`, `pipx run`, `npx`, `bunx`, `npm exec`;
//! - `bash -c '…'` / `sh -c '…'` scripts are parsed where they are written (by `lang::shell`),
//!   so the commands inside are commands of the script like any other, marked `nested`.
//!
//! Every word keeps its span in the file. Options of the deploy CLIs (which flags take a value,
//! their short names) are read by [`crate::semantic::cli`].

use crate::lang::shell::{Command, Word};
use crate::source::Span;

/// A value on a command line: an operand, or an option's value (`-out=tfplan` → `tfplan`,
/// `--namespace prod` → `prod`) with the span of the value where it can be told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Value<'a> {
    pub text: &'a str,
    pub span: Span,
    /// Contains an expansion (`$VAR`, `${{ … }}`, `$(…)`): not the runtime value.
    pub dynamic: bool,
}

impl<'a> Value<'a> {
    /// A whole word.
    pub fn word(w: &'a Word) -> Value<'a> {
        Value {
            text: &w.text,
            span: w.span,
            dynamic: w.dynamic || is_expression(&w.text),
        }
    }

    /// The part of `w` after byte `at` of its text (`--namespace=prod`, `-nprod`): its own
    /// span when the word is written as it reads (no quotes or escapes), else the word's.
    pub fn rest(w: &'a Word, at: usize) -> Value<'a> {
        let text = w.text.get(at..).unwrap_or("");
        let span = if w.span.len() == w.text.len() {
            Span::new(w.span.start + at, w.span.end)
        } else {
            w.span
        };
        Value {
            text,
            span,
            dynamic: w.dynamic || is_expression(text),
        }
    }

    /// A literal value: not dynamic and not empty.
    pub fn literal(self) -> Option<&'a str> {
        (!self.dynamic && !self.text.trim().is_empty()).then_some(self.text)
    }
}

/// Whether text holds a pipeline or shell expansion.
pub fn is_expression(text: &str) -> bool {
    text.contains("${{") || text.contains("$(") || text.contains("$[") || text.contains('$') || text.contains('`')
}

/// A wrapper or runner: a program that runs the command given in its arguments.
struct Wrapper {
    names: &'static [&'static str],
    /// Its options that take the next word as their value.
    value_options: &'static [&'static str],
    /// `NAME=value` words before the command are the command's environment (`env`).
    assignments: bool,
    /// Words before the command that are neither options nor the command (`timeout 60`).
    operands: usize,
    /// Words that must follow the program (and its options) for it to run a command:
    /// `python -m`, `uv run`, `npm exec`.
    verb: &'static [&'static str],
    /// Options with which it runs nothing (`command -v x` looks `x` up).
    inert: &'static [&'static str],
}

const fn wrapper(names: &'static [&'static str], value_options: &'static [&'static str]) -> Wrapper {
    Wrapper {
        names,
        value_options,
        assignments: false,
        operands: 0,
        verb: &[],
        inert: &[],
    }
}

const WRAPPERS: &[Wrapper] = &[
    wrapper(
        &["sudo"],
        &[
            "-u",
            "-g",
            "-C",
            "-D",
            "-h",
            "-p",
            "-r",
            "-t",
            "-U",
            "-T",
            "--user",
            "--group",
            "--chdir",
            "--host",
            "--prompt",
            "--role",
            "--type",
            "--other-user",
            "--close-from",
            "--command-timeout",
        ],
    ),
    wrapper(&["doas"], &["-u", "-C"]),
    Wrapper {
        assignments: true,
        ..wrapper(&["env"], &["-u", "-C", "-S", "--unset", "--chdir", "--split-string"])
    },
    wrapper(&["nice"], &["-n", "--adjustment"]),
    wrapper(&["ionice"], &["-c", "-n", "-p", "-P", "-u", "--class", "--classdata"]),
    wrapper(&["nohup", "chronic", "unbuffer", "setsid", "builtin"], &[]),
    wrapper(&["exec"], &["-a"]),
    wrapper(&["time"], &["-f", "-o", "--format", "--output"]),
    Wrapper {
        inert: &["-v", "-V"],
        ..wrapper(&["command"], &[])
    },
    Wrapper {
        operands: 1,
        ..wrapper(&["timeout"], &["-s", "-k", "--signal", "--kill-after"])
    },
    wrapper(&["stdbuf"], &["-i", "-o", "-e", "--input", "--output", "--error"]),
    wrapper(
        &["xargs"],
        &[
            "-I",
            "-L",
            "-n",
            "-P",
            "-d",
            "-E",
            "-s",
            "-a",
            "--max-args",
            "--max-procs",
            "--delimiter",
            "--arg-file",
            "--replace",
            "--max-lines",
            "--eof",
            "--max-chars",
            "--process-slot-var",
        ],
    ),
    // runners: the module or tool they run is the program
    Wrapper {
        verb: &["-m"],
        ..wrapper(
            &["python", "python3", "py", "python2"],
            &["-W", "-X", "-c", "--check-hash-based-pycs"],
        )
    },
    Wrapper {
        verb: &["run"],
        ..wrapper(
            &["uv", "poetry", "pipenv", "hatch", "pdm", "rye", "pipx"],
            &[
                "--with",
                "--project",
                "--directory",
                "--python",
                "-p",
                "--group",
                "--extra",
                "--package",
                "--env-file",
                "--spec",
                "--index",
                "--index-url",
            ],
        )
    },
    wrapper(&["npx", "bunx", "pnpx"], &["-p", "--package", "-c", "--call"]),
    Wrapper {
        verb: &["exec", "dlx"],
        ..wrapper(&["npm", "pnpm", "yarn"], &["-p", "--package", "-w", "--workspace"])
    },
];

/// Whether a word is an option (`-x`, `--long`, `--long=value`).
fn is_option(t: &str) -> bool {
    t.starts_with('-') && t.len() > 1
}

/// The program word and its arguments once one wrapper is set aside, `None` when `w` does not
/// run a command with these arguments.
fn unwrap_once<'a>(w: &Wrapper, args: &'a [Word]) -> Option<&'a [Word]> {
    let mut i = 0;
    let mut operands = w.operands;
    let mut verb_seen = w.verb.is_empty();
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if t == "--" && verb_seen {
            i += 1;
            break;
        }
        if !verb_seen {
            if w.verb.contains(&t) {
                verb_seen = true;
                i += 1;
                continue;
            }
            // `python app.py`, `uv pip install`: not a runner here
            if !is_option(t) {
                return None;
            }
        }
        if is_option(t) {
            if w.inert.contains(&t) {
                return None;
            }
            let takes = !t.contains('=') && w.value_options.contains(&t);
            i += if takes { 2 } else { 1 };
            continue;
        }
        if w.assignments && t.contains('=') && !t.starts_with('=') {
            i += 1;
            continue;
        }
        if operands > 0 {
            operands -= 1;
            i += 1;
            continue;
        }
        break;
    }
    if !verb_seen {
        return None;
    }
    args.get(i..).filter(|rest| !rest.is_empty())
}

/// What a command runs: the program word and its arguments past wrappers and runners.
/// `None` when the wrapper runs nothing (`env` alone, `sudo -i`, `command -v kubectl`).
pub fn effective(c: &Command) -> Option<(&Word, &[Word])> {
    let mut name = &c.name;
    let mut args: &[Word] = &c.args;
    // bounded: each step consumes at least the wrapper word
    for _ in 0..8 {
        let program = name.program();
        let Some(w) = WRAPPERS.iter().find(|w| w.names.contains(&program)) else {
            return Some((name, args));
        };
        match unwrap_once(w, args) {
            Some(rest) => {
                let (first, tail) = rest.split_first()?;
                name = first;
                args = tail;
            }
            // a runner word used otherwise (`python app.py`) is the program itself
            None if !w.verb.is_empty() => return Some((name, args)),
            None => return None,
        }
    }
    Some((name, args))
}

/// How rules read a shell command. Implemented for [`Command`]; every family calls these.
pub trait Read {
    /// The program that runs (basename), past wrappers and runners; `""` when none does.
    fn program(&self) -> &str;
    /// Its arguments (past wrappers and runners).
    fn effective_args(&self) -> &[Word];
    /// `NAME=value` the program runs with: leading assignments and `env NAME=value`.
    fn environment(&self) -> Vec<(&str, &Word)>;
    /// `terraform apply`, `kubectl rollout status`: the program and the leading words of its
    /// subcommand, read with the CLI's own option syntax for the deploy CLIs
    /// (`kubectl -n prod rollout status` is `kubectl rollout status`).
    fn is(&self, program: &str, path: &[&str]) -> bool;
    /// The first argument that is neither an option nor an option's value.
    fn subcommand(&self) -> Option<&Word>;
    /// An option given as `flag` or `flag=value` (`-auto-approve`, `--install`, `-out=plan`).
    fn flag(&self, flag: &str) -> Option<&Word>;
    /// The value of the first of `flags` that is given: `-out=tfplan`, `-out tfplan`,
    /// `--namespace prod`, `-n prod`.
    fn value(&self, flags: &[&str]) -> Option<Value<'_>>;
}

impl Read for Command {
    fn program(&self) -> &str {
        effective(self).map(|(n, _)| n.program()).unwrap_or("")
    }

    fn effective_args(&self) -> &[Word] {
        effective(self).map(|(_, a)| a).unwrap_or(&[])
    }

    fn environment(&self) -> Vec<(&str, &Word)> {
        let mut out: Vec<(&str, &Word)> = self
            .assignments
            .iter()
            .filter_map(|a| a.text.split_once('=').map(|(k, _)| (k, a)))
            .collect();
        // `env A=B cmd`, `sudo env A=B cmd`: the assignments between the wrappers
        let end = effective(self).map(|(n, _)| n.span.start).unwrap_or(self.span.end);
        for a in self.args.iter().take_while(|a| a.span.start < end) {
            if let Some((k, _)) = a.text.split_once('=') {
                if !k.is_empty() && !k.starts_with('-') && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.push((k, a));
                }
            }
        }
        out
    }

    fn is(&self, program: &str, path: &[&str]) -> bool {
        if self.program() != program {
            return false;
        }
        crate::semantic::cli::read(self).is_some_and(|inv| inv.is(path))
    }

    fn subcommand(&self) -> Option<&Word> {
        let inv = crate::semantic::cli::read(self)?;
        inv.path.first().or(inv.operands.first()).copied()
    }

    fn flag(&self, flag: &str) -> Option<&Word> {
        self.effective_args()
            .iter()
            .find(|a| a.text == flag || a.text.strip_prefix(flag).is_some_and(|rest| rest.starts_with('=')))
    }

    fn value(&self, flags: &[&str]) -> Option<Value<'_>> {
        let args = self.effective_args();
        for (i, a) in args.iter().enumerate() {
            for f in flags {
                if a.text == *f {
                    return args.get(i + 1).map(Value::word);
                }
                if a.text.strip_prefix(f).is_some_and(|r| r.starts_with('=')) {
                    return Some(Value::rest(a, f.len() + 1));
                }
            }
        }
        None
    }
}

/// The first command of the pipeline stage before `c` (`curl` for `curl … | sh`), among the
/// commands of the script `c` belongs to.
pub fn piped_from<'a>(commands: &'a [Command], c: &Command) -> Option<&'a Command> {
    commands.get(c.piped_from?)
}

/// The words a command runs, program first, past wrappers and runners.
fn words(c: &Command) -> Vec<&str> {
    match effective(c) {
        Some((name, args)) => std::iter::once(name.program())
            .chain(args.iter().map(|a| a.text.as_str()))
            .collect(),
        None => Vec::new(),
    }
}

fn is_check_flag(w: &[&str]) -> bool {
    w.iter().any(|a| {
        matches!(
            *a,
            "--check" | "-check" | "-check=true" | "--diff" | "--verify-no-changes"
        )
    })
}

/// Which tests a command runs: a language's test runner, or a task runner's target that could
/// run any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tests {
    /// `pytest`, `tox`, `nox`, `python -m unittest`.
    Python,
    /// `go test`, `cargo test`, `dotnet test`, `npm test`, `mvn test`, `terraform test`...
    OtherLanguage,
    /// `make test`, `make check`: whatever the project's target runs.
    Target,
}

/// Which tests a command runs, if any: `pytest`, `tox`, `go test`, `npm test`, `make test`...
pub fn test_runner(c: &Command) -> Option<Tests> {
    let w = words(c);
    let p = w.first().copied().unwrap_or("");
    let sub = w.get(1).copied().unwrap_or("");
    let other = |b: bool| b.then_some(Tests::OtherLanguage);
    match p {
        "pytest" | "py.test" | "tox" | "nox" | "unittest" => Some(Tests::Python),
        "jest" | "mocha" | "vitest" | "bats" => Some(Tests::OtherLanguage),
        "go" | "cargo" | "dotnet" | "terraform" | "tofu" | "yarn" | "pnpm" | "bun" => other(sub == "test"),
        "npm" => other(sub == "test" || (sub == "run" && w.get(2).is_some_and(|s| s.starts_with("test")))),
        "make" => w
            .iter()
            .skip(1)
            .any(|t| t.starts_with("test") || *t == "check")
            .then_some(Tests::Target),
        "mvn" | "mvnw" => other(w.iter().any(|t| matches!(*t, "test" | "verify"))),
        "gradle" | "gradlew" => other(w.iter().any(|t| matches!(*t, "test" | "check" | "build"))),
        _ => None,
    }
}

/// Whether a command runs tests of any kind.
pub fn runs_tests(c: &Command) -> bool {
    test_runner(c).is_some()
}

/// Whether a command lints or runs static analysis: `ruff`, `mypy`, `terraform validate`,
/// `helm lint`, `pre-commit run`, `make lint`...
pub fn runs_lint(c: &Command) -> bool {
    let w = words(c);
    let p = w.first().copied().unwrap_or("");
    let sub = w.get(1).copied().unwrap_or("");
    match p {
        "ruff" | "flake8" | "pylint" | "mypy" | "pyright" | "bandit" | "eslint" | "golangci-lint" | "staticcheck"
        | "hadolint" | "shellcheck" | "yamllint" | "tflint" | "tfsec" | "checkov" | "kube-linter" | "kubeconform"
        | "kubeval" | "actionlint" | "zizmor" | "linea" | "semgrep" | "codeql" | "markdownlint" | "stylelint"
        | "rubocop" | "ktlint" | "detekt" | "pyflakes" | "pycodestyle" | "pydocstyle" | "vulture" | "hlint" => true,
        "black" | "isort" | "prettier" | "gofmt" => is_check_flag(&w) || w.contains(&"-l"),
        "terraform" | "tofu" => sub == "validate" || (sub == "fmt" && is_check_flag(&w)),
        "helm" => sub == "lint",
        "go" => sub == "vet",
        "cargo" => sub == "clippy" || (sub == "fmt" && is_check_flag(&w)),
        "pre-commit" | "prek" => sub == "run",
        // task runners: a session or target named for linting
        "nox" | "tox" | "just" | "task" | "hatch" | "invoke" => w.iter().skip(1).any(|t| t.contains("lint")),
        "trivy" => sub == "config",
        "make" => w.iter().skip(1).any(|t| {
            matches!(
                *t,
                "lint" | "check" | "vet" | "fmt-check" | "format-check" | "static" | "typecheck"
            )
        }),
        "npm" | "yarn" | "pnpm" => w.iter().skip(1).any(|t| t.starts_with("lint")),
        "dotnet" => sub == "format" && is_check_flag(&w),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::shell;

    fn first(text: &str) -> Command {
        shell::parse(text, 0).commands.swap_remove(0)
    }

    #[test]
    fn wrappers_are_looked_through() {
        for (text, program, arg) in [
            ("sudo -u app env PATH=/x DEBUG=1 pip install flask", "pip", "flask"),
            (
                "timeout 600 terraform apply -auto-approve",
                "terraform",
                "-auto-approve",
            ),
            ("timeout -s KILL 10m sudo terraform apply", "terraform", "apply"),
            (
                "nice -n 10 nohup exec time command kubectl apply -f k8s/",
                "kubectl",
                "k8s/",
            ),
            ("xargs -n1 -I{} helm upgrade {} ./chart", "helm", "./chart"),
            ("python3 -m pip install --no-cache-dir flask", "pip", "flask"),
            ("uv run --frozen pytest -q", "pytest", "-q"),
            ("poetry run ruff check .", "ruff", "."),
            ("npx --yes eslint .", "eslint", "."),
        ] {
            let c = first(text);
            assert_eq!(c.program(), program, "{text}");
            assert!(c.effective_args().iter().any(|a| a.text == arg), "{text}");
        }
        assert_eq!(first("python app.py").program(), "python");
        assert_eq!(first("uv pip install flask").program(), "uv");
        assert_eq!(first("command -v kubectl").program(), "");
        assert_eq!(first("env").program(), "");
        assert_eq!(first("sudo -i").program(), "");
    }

    #[test]
    fn environment_of_a_command() {
        let c = first("TF_WORKSPACE=prod sudo env ARM_USE_OIDC=true terraform apply");
        let env: Vec<&str> = c.environment().iter().map(|(k, _)| *k).collect();
        assert_eq!(env, ["TF_WORKSPACE", "ARM_USE_OIDC"]);
    }

    #[test]
    fn values_and_their_spans() {
        let text = "terraform plan -out=tfplan -var-file prod.tfvars";
        let c = first(text);
        let out = c.value(&["-out"]).map(|v| (v.text, v.span.slice(text)));
        assert_eq!(out, Some(("tfplan", "tfplan")));
        let vf = c.value(&["-var-file"]).map(|v| v.text);
        assert_eq!(vf, Some("prod.tfvars"));
        assert!(c.flag("-out").is_some());
        assert!(c.value(&["-target"]).is_none());
    }

    #[test]
    fn tests_and_lints() {
        assert!(runs_tests(&first("python -m pytest -q")));
        assert!(runs_tests(&first("sudo -E make test-unit")));
        assert!(!runs_tests(&first("pytest-watch --help")));
        assert!(runs_lint(&first("uv run ruff check .")));
        assert!(runs_lint(&first("terraform fmt -check -recursive")));
        assert!(!runs_lint(&first("terraform fmt")));
    }
}
