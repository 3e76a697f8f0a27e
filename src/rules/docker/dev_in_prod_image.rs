//! DF018: a production image installs dev/test dependencies or runs with reload/debug flags.

use crate::diagnostic::shown;
use crate::lang::docker::Dockerfile;
use crate::lang::shell::Command;
use crate::rules::docker::{image_chain, pip_install, pip_options, pip_packages, requirement_name};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::effective;
use crate::source::Span;

pub struct DevInProdImage;

/// Test and development tools that have no place in a runtime image.
const DEV_PACKAGES: &[&str] = &[
    "pytest",
    "pytest-cov",
    "pytest-asyncio",
    "pytest-mock",
    "coverage",
    "tox",
    "nox",
    "flake8",
    "black",
    "isort",
    "mypy",
    "pylint",
    "ruff",
    "ipython",
    "ipdb",
    "pdbpp",
    "debugpy",
    "pre-commit",
    "bandit",
    "hypothesis",
    "faker",
    "factory-boy",
    "responses",
    "freezegun",
];

fn is_dev_word(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| matches!(w, "dev" | "develop" | "development" | "test" | "tests" | "testing"))
}

/// What in one command installs dev dependencies: (span, description).
fn dev_install(cmd: &Command) -> Option<(Span, String)> {
    if let Some((_, args)) = pip_install(cmd) {
        for (opt, value) in pip_options(args) {
            let file = match (opt.text.as_str(), value) {
                ("-r" | "--requirement", Some(v)) => Some(v),
                _ => None,
            };
            if let Some(f) = file.filter(|f| is_dev_word(f.text.rsplit('/').next().unwrap_or(&f.text))) {
                return Some((f.span, format!("`{}` is installed", shown(&f.text))));
            }
        }
        for pkg in pip_packages(args) {
            let name = requirement_name(&pkg.text).to_ascii_lowercase();
            let extras = pkg.text.split_once('[').map(|(_, e)| e).unwrap_or("");
            if DEV_PACKAGES.contains(&name.as_str()) || name.starts_with("pytest-") {
                return Some((pkg.span, format!("test tool `{name}` is installed")));
            }
            if extras.split([',', ']']).any(is_dev_word) {
                return Some((pkg.span, format!("dev extras `{}` are installed", shown(&pkg.text))));
            }
        }
        return None;
    }
    let (name, args) = effective(cmd)?;
    let verb = args.iter().find(|a| !a.text.starts_with('-'))?;
    let has = |f: &str| args.iter().any(|a| a.text == f || a.text.starts_with(&format!("{f}=")));
    let opt_value = |f: &str| {
        args.windows(2)
            .find(|w| w[0].text == f)
            .map(|w| w[1].text.clone())
            .or_else(|| {
                args.iter()
                    .find_map(|a| a.text.strip_prefix(&format!("{f}=")).map(str::to_string))
            })
    };
    match (name.program(), verb.text.as_str()) {
        ("poetry", "install") => {
            let only_main = opt_value("--only").is_some_and(|v| v.split(',').all(|g| g.trim() == "main"));
            let without_dev = opt_value("--without").is_some_and(|v| v.split(',').any(is_dev_word));
            let with_dev = opt_value("--with").is_some_and(|v| v.split(',').any(is_dev_word));
            if with_dev || !(only_main || without_dev || has("--no-dev") || has("--only-root")) {
                return Some((verb.span, "`poetry install` installs the dev group".into()));
            }
        }
        ("pipenv", "install" | "sync") if has("--dev") => {
            return Some((verb.span, format!("`pipenv {} --dev` installs dev packages", verb.text)));
        }
        ("uv", "sync") if !(has("--no-dev") || has("--only-group") || has("--no-default-groups")) => {
            return Some((verb.span, "`uv sync` installs the dev group".into()));
        }
        _ => {}
    }
    None
}

/// `--reload`, `--debug` on the command that starts the service.
fn debug_flag(d: &Dockerfile, cx: &mut FileContext<'_>) {
    for stage in image_chain(d) {
        for i in d.stage_instructions(stage) {
            if i.is("CMD") || i.is("ENTRYPOINT") {
                for a in &i.args {
                    let hit = a.text.split_whitespace().find(|w| {
                        matches!(*w, "--reload" | "--debug") || w.starts_with("--reload=") || w.starts_with("--debug=")
                    });
                    if let Some(flag) = hit {
                        cx.report(a.span, format!("the service starts with `{flag}`"));
                    }
                }
            }
            if i.is("ENV") {
                for p in &i.pairs {
                    let v = p
                        .value
                        .as_ref()
                        .map(|v| v.text.to_ascii_lowercase())
                        .unwrap_or_default();
                    let debug = match p.key.text.as_str() {
                        "FLASK_DEBUG" | "DJANGO_DEBUG" => matches!(v.as_str(), "1" | "true" | "yes" | "on"),
                        "FLASK_ENV" => v == "development",
                        _ => false,
                    };
                    if debug {
                        cx.report(
                            p.key.span.cover(p.value.as_ref().map(|v| v.span).unwrap_or(p.key.span)),
                            format!("`{}={v}` in the production image", p.key.text),
                        );
                    }
                }
            }
        }
    }
}

impl FileRule for DevInProdImage {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        // build and test stages may install anything: only what ships is checked
        let mut chain = image_chain(d);
        chain.reverse();
        for stage in chain {
            for i in d.stage_instructions(stage) {
                for cmd in i.commands() {
                    if let Some((span, what)) = dev_install(cmd) {
                        cx.report(span, what);
                    }
                }
            }
        }
        debug_flag(d, cx);
    }
}
