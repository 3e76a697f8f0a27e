//! XR003: the port the app listens on (a server flag in `CMD`/`ENTRYPOINT`, or a literal port
//! of a server call in the context's Python code when the image runs `python`) is not among
//! the ports the final image `EXPOSE`s.
//!
//! Both sides come from [`crate::semantic::port`]; the Dockerfiles and their build contexts
//! from the project's build index. Silent when either side is unknown: no `EXPOSE` in the
//! final image, ports from variables, a server on its default port, or several different
//! literal ports in the code.

use crate::discover::FileKind;
use crate::lang::docker::{Dockerfile, Form, Instruction};
use crate::project::{Model, Project};
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::semantic::port::{command_listeners, CommandPort, ImagePorts, Protocol, Serves};
use crate::semantic::test_code::is_test_code;
use crate::source::{FileId, Span};

pub struct AppPortNotExposed;

/// Words of a CMD/ENTRYPOINT with their spans in the file. A shell-form command (or an exec
/// word holding one, `["sh", "-c", "gunicorn …"]`) is split at blanks, keeping offsets when the
/// text is the file's.
fn words(i: &Instruction, source: &str) -> Vec<(String, Span)> {
    let whole: Vec<&crate::lang::docker::Word> = match i.form {
        Some(Form::Exec) => i.args.iter().collect(),
        _ => i.args.first().into_iter().collect(),
    };
    let mut out = Vec::new();
    for w in whole {
        let aligned = w.span.slice(source) == w.text;
        let mut start = None;
        for (k, ch) in w.text.char_indices().chain(std::iter::once((w.text.len(), ' '))) {
            match (ch.is_whitespace(), start) {
                (false, None) => start = Some(k),
                (true, Some(s)) => {
                    let t = w.text.get(s..k).unwrap_or("").trim_matches(['"', '\'']).to_string();
                    let span = if aligned {
                        Span::new(w.span.start + s, w.span.start + k)
                    } else {
                        w.span
                    };
                    out.push((t, span));
                    start = None;
                }
                _ => {}
            }
        }
    }
    out
}

/// The command the final image runs: its `ENTRYPOINT` (exec form) followed by its `CMD`, each
/// the last one of the final stage or, when it has none, of the stages it is built `FROM`.
fn run_words(d: &Dockerfile, source: &str) -> Vec<(String, Span)> {
    let last = |keyword: &str| {
        d.final_chain
            .iter()
            .filter_map(|&s| d.stages.get(s))
            .find_map(|s| d.stage_instructions(s).iter().rev().find(|i| i.is(keyword)))
    };
    let (entrypoint, cmd) = (last("ENTRYPOINT"), last("CMD"));
    let mut out = entrypoint.map(|e| words(e, source)).unwrap_or_default();
    // a shell-form ENTRYPOINT ignores CMD
    if entrypoint.is_none_or(|e| e.form == Some(Form::Exec)) {
        out.extend(cmd.map(|c| words(c, source)).unwrap_or_default());
    }
    out
}

/// A single literal port the app's Python code in the context passes to a server call (test
/// code and metrics endpoints aside).
fn code_port(project: &Project, ctx: &std::path::Path) -> Option<(u32, FileId, Span)> {
    let mut found: Vec<(u32, FileId, Span)> = Vec::new();
    for f in project.files_under(ctx) {
        if f.kind != FileKind::Python || is_test_code(project.settings_of(f.source.id), &f.source.path) {
            continue;
        }
        for l in project
            .python_listeners(f)
            .into_iter()
            .filter(|l| l.serves == Serves::App)
        {
            found.push((l.port, f.source.id, l.span));
        }
    }
    let first = found.first()?;
    found.iter().all(|x| x.0 == first.0).then_some(*first)
}

impl ProjectRule for AppPortNotExposed {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for image in project.builds().dockerfiles() {
            let Some(ports) = &image.ports else { continue };
            let Some(f) = project.file(image.file) else { continue };
            let Model::Docker(d) = &f.model else { continue };
            let w = run_words(d, &f.source.text);
            match command_listeners(&w) {
                CommandPort::Ports(listeners) => {
                    for l in listeners {
                        if unexposed(ports, l.port) {
                            let message = format!(
                                "{} listens on port `{}`, but the image exposes {}",
                                l.server,
                                l.port,
                                ports.render()
                            );
                            let d = cx.report_in(f.source.id, l.span, message);
                            d.labels.push(Label {
                                file: f.source.id,
                                span: ports.at,
                                message: "the exposed ports".into(),
                            });
                        }
                    }
                    continue;
                }
                // the server's command line decides the port, not the code's `__main__`
                CommandPort::Unknown => continue,
                CommandPort::NoServer => {}
            }
            let runs_python = w.first().is_some_and(|(p, _)| {
                let b = p.rsplit('/').next().unwrap_or(p);
                b == "python" || b.starts_with("python3")
            });
            if !runs_python {
                continue;
            }
            for (ctx, _) in project.builds().contexts_of(&f.source.path) {
                let Some((port, file, span)) = code_port(project, &ctx) else {
                    continue;
                };
                if unexposed(ports, port) {
                    let message = format!(
                        "port `{port}` is not exposed by the image; it exposes {}",
                        ports.render()
                    );
                    let d = cx.report_in(f.source.id, ports.at, message);
                    d.labels.push(Label {
                        file,
                        span,
                        message: format!("the app listens on port {port}"),
                    });
                }
            }
        }
    }
}

/// A TCP port the image certainly does not expose (all its `EXPOSE`s are known).
fn unexposed(ports: &ImagePorts, port: u32) -> bool {
    ports.complete && !ports.exposes(port, Protocol::Tcp)
}
