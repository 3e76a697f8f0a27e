//! XR003: the port the app listens on (a server flag in `CMD`/`ENTRYPOINT`, or a literal
//! `port=` of `uvicorn.run`/`app.run`/`web.run_app`/`serve` in the context's Python code when
//! the image runs `python`) is not among the ports the image's final stage `EXPOSE`s.
//!
//! Silent when either side is unknown: no `EXPOSE` in the final stage, ports from variables, or
//! several different literal ports in the code.

use std::collections::BTreeSet;

use crate::discover::FileKind;
use crate::lang::docker::{Dockerfile, Form, Instruction};
use crate::lang::python::Value;
use crate::project::{Model, Project};
use crate::rules::cross::{abs, builds, contexts_of};
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::source::{FileId, Span};

pub struct AppPortNotExposed;

const SERVERS: &[&str] = &[
    "uvicorn",
    "gunicorn",
    "hypercorn",
    "daphne",
    "flask",
    "streamlit",
    "granian",
];

/// Words of a CMD/ENTRYPOINT with their spans in the file.
fn words(i: &Instruction, source: &str) -> Vec<(String, Span)> {
    match i.form {
        Some(Form::Exec) => i.args.iter().map(|w| (w.text.clone(), w.span)).collect(),
        _ => {
            let Some(w) = i.args.first() else { return Vec::new() };
            // shell form: split the command, keeping offsets when the text is the file's
            let aligned = w.span.slice(source) == w.text;
            let mut out = Vec::new();
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
            out
        }
    }
}

fn parse_port(s: &str) -> Option<u32> {
    let p = s.rsplit(':').next().unwrap_or(s);
    p.parse::<u32>().ok().filter(|p| *p > 0 && *p < 65_536)
}

/// The port a server command line names explicitly.
fn cmd_port(words: &[(String, Span)]) -> Option<(u32, Span, String)> {
    let server = words.iter().find_map(|(w, _)| {
        let b = w.rsplit('/').next().unwrap_or(w);
        SERVERS
            .contains(&b)
            .then(|| b.to_string())
            .or_else(|| (w == "http.server").then(|| "http.server".into()))
    })?;
    for (k, (w, span)) in words.iter().enumerate() {
        let next = words.get(k + 1);
        let value = match w.as_str() {
            "--port" | "--bind" | "-b" | "--server.port" => next.map(|(v, s)| (v.clone(), *s)),
            "-p" if matches!(server.as_str(), "flask" | "daphne") => next.map(|(v, s)| (v.clone(), *s)),
            _ => ["--port=", "--bind=", "--server.port="]
                .iter()
                .find_map(|f| w.strip_prefix(f))
                .map(|v| (v.to_string(), *span)),
        };
        if let Some((v, s)) = value {
            if v.contains('$') {
                return None;
            }
            return parse_port(&v).map(|p| (p, s, server));
        }
        if server == "http.server" && w == "http.server" {
            if let Some((v, s)) = next.filter(|(v, _)| !v.starts_with('-')) {
                return parse_port(v).map(|p| (p, *s, server));
            }
        }
    }
    None
}

/// The ports the final stage exposes, and the EXPOSE instruction (for the label).
fn exposed(d: &Dockerfile) -> Option<(BTreeSet<u32>, Span)> {
    let stage = d.final_stage()?;
    let mut ports = BTreeSet::new();
    let mut at = None;
    for i in d.stage_instructions(stage).iter().filter(|i| i.is("EXPOSE")) {
        at.get_or_insert(i.span);
        for a in &i.args {
            let spec = d.resolve(&a.text, i.index)?;
            let spec = spec.split('/').next().unwrap_or(&spec);
            let (lo, hi) = match spec.split_once('-') {
                Some((l, h)) => (l.parse::<u32>().ok()?, h.parse::<u32>().ok()?),
                None => (spec.parse::<u32>().ok()?, spec.parse::<u32>().ok()?),
            };
            if hi < lo || hi - lo > 1000 {
                return None;
            }
            ports.extend(lo..=hi);
        }
    }
    at.map(|s| (ports, s))
}

/// A single literal port the Python code of the context passes to a server call.
fn code_port(project: &Project, ctx: &std::path::Path) -> Option<(u32, FileId, Span)> {
    let mut found: Vec<(u32, FileId, Span)> = Vec::new();
    for f in &project.files {
        if f.kind != FileKind::Python || !abs(&f.source.path).starts_with(ctx) {
            continue;
        }
        let p = f.source.display_path();
        if p.contains("/tests/") || p.contains("test_") || p.starts_with("tests/") {
            continue;
        }
        let Model::Python(m) = &f.model else { continue };
        for c in &m.calls {
            let last = c.callee.rsplit('.').next().unwrap_or(&c.callee);
            if !matches!(last, "run" | "run_app" | "serve" | "run_simple") {
                continue;
            }
            for a in &c.args {
                if a.keyword.as_ref().is_some_and(|(k, _)| k == "port") {
                    if let Value::Int(n) = a.value.value {
                        if let Ok(p) = u32::try_from(n) {
                            found.push((p, f.source.id, a.value.span));
                        }
                    }
                }
            }
        }
    }
    let first = found.first()?;
    found.iter().all(|x| x.0 == first.0).then_some(*first)
}

impl ProjectRule for AppPortNotExposed {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        let builds = builds(project, &project.root);
        for f in &project.files {
            let Model::Docker(d) = &f.model else { continue };
            let Some((ports, expose_span)) = exposed(d) else {
                continue;
            };
            let Some(stage) = d.final_stage() else { continue };
            let run = d
                .stage_instructions(stage)
                .iter()
                .rev()
                .find(|i| i.is("CMD") || i.is("ENTRYPOINT"));
            let Some(run) = run else { continue };
            let w = words(run, &f.source.text);
            let list = ports.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
            if let Some((port, span, server)) = cmd_port(&w) {
                if !ports.contains(&port) {
                    let message = format!("`{server}` listens on port `{port}`, but the image exposes {list}");
                    let d = cx.report_in(f.source.id, span, message);
                    d.labels.push(Label {
                        file: f.source.id,
                        span: expose_span,
                        message: "the exposed ports".into(),
                    });
                }
                continue;
            }
            let runs_python = w.first().is_some_and(|(p, _)| {
                let b = p.rsplit('/').next().unwrap_or(p);
                b == "python" || b.starts_with("python3")
            });
            if !runs_python {
                continue;
            }
            for (ctx, _) in contexts_of(&builds, &f.source.path) {
                let Some((port, file, span)) = code_port(project, &ctx) else {
                    continue;
                };
                if !ports.contains(&port) {
                    let message = format!("port `{port}` is not exposed by the image; it exposes {list}");
                    let d = cx.report_in(f.source.id, expose_span, message);
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
