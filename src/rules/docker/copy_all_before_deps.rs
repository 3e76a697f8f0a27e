//! DF017: `COPY . .` before the dependency install of the same stage.

use crate::diagnostic::shown;
use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::lang::shell::Command;
use crate::rules::docker::{pip_install, pip_options};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::effective;

pub struct CopyAllBeforeDeps;

/// A command that installs dependencies from manifests (what a cached layer should hold):
/// returns how it is written, for the message.
pub(crate) fn dependency_install(cmd: &Command) -> Option<String> {
    let (name, args) = effective(cmd)?;
    let verb = args.iter().find(|a| !a.text.starts_with('-')).map(|a| a.text.as_str());
    let prog = name.program();
    if pip_install(cmd).is_some() {
        let (_, rest) = pip_install(cmd)?;
        let from_file = pip_options(rest)
            .iter()
            .any(|(o, _)| matches!(o.text.as_str(), "-r" | "--requirement") || o.text.starts_with("--requirement="));
        return from_file.then(|| "pip install -r".to_string());
    }
    let hit = matches!(
        (prog, verb),
        ("poetry", Some("install"))
            | ("pipenv", Some("install" | "sync"))
            | ("uv", Some("sync"))
            | ("npm", Some("ci" | "install"))
            | ("yarn", Some("install") | None)
            | ("pnpm", Some("install"))
            | ("go", Some("mod"))
            | ("bundle", Some("install"))
            | ("composer", Some("install"))
    );
    // `npm install express` adds a package; only a bare install reads the manifest
    if prog == "npm" && verb == Some("install") && args.iter().filter(|a| !a.text.starts_with('-')).count() > 1 {
        return None;
    }
    hit.then(|| match verb {
        Some(v) => format!("{prog} {v}"),
        None => prog.to_string(),
    })
}

fn copies_everything(i: &Instruction) -> bool {
    if !(i.is("COPY") || i.is("ADD")) || i.flag("from").is_some() {
        return false;
    }
    let Some((_, sources)) = i.args.split_last() else {
        return false;
    };
    sources.iter().any(|s| matches!(s.text.as_str(), "." | "./"))
}

/// `COPY --chown=app . .` as written (flags and words, no continuation lines).
fn written(i: &Instruction) -> String {
    let mut parts = vec![i.keyword.clone()];
    parts.extend(i.args.iter().map(|a| a.text.clone()));
    parts.join(" ")
}

impl FileRule for CopyAllBeforeDeps {
    type Target = target::Dockerfile;

    fn check(&self, d: &Dockerfile, cx: &mut FileContext<'_>) {
        for stage in &d.stages {
            let mut installed_before = false;
            let mut copy_all: Option<&Instruction> = None;
            for i in d.stage_instructions(stage) {
                if copy_all.is_none() && copies_everything(i) {
                    if installed_before {
                        break;
                    }
                    copy_all = Some(i);
                    continue;
                }
                let Some(install) = i.commands().find_map(dependency_install) else {
                    continue;
                };
                match copy_all {
                    None => installed_before = true,
                    Some(c) => {
                        cx.report(
                            c.span,
                            format!("`{}` copies the whole context before `{install}`", shown(&written(c))),
                        );
                        break;
                    }
                }
            }
        }
    }
}
