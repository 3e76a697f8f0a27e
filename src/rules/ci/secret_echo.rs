//! CI012: a step prints a secret to the log.

use std::sync::LazyLock;

use regex::Regex;

use crate::lang::pipeline::Job;
use crate::lang::pipeline::Pipeline;
use crate::lang::pipeline::Step;
use crate::lang::pipeline::System;
use crate::lang::shell::Word;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::Read;
use crate::semantic::secret::is_secret_name;

pub struct SecretEcho;

static SHELL_VAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("valid regex"));

const PRINTERS: &[&str] = &["echo", "printf", "write-host", "write-output", "print"];

impl FileRule for SecretEcho {
    type Target = target::PipelineStep;

    fn check(&self, (pipeline, job, step): (&Pipeline, &Job, &Step), cx: &mut FileContext<'_>) {
        // environment variables that carry a secret
        let secret_env: Vec<&str> = step
            .env
            .iter()
            .chain(&job.variables)
            .chain(&pipeline.variables)
            .filter(|(_, v)| v.text.contains("secrets."))
            .map(|(k, _)| k.text.as_str())
            .collect();
        for c in step.commands() {
            if !PRINTERS.contains(&c.program().to_ascii_lowercase().as_str())
                || c.piped_to
                || c.redirected
                || c.in_substitution
            {
                continue;
            }
            for a in c.effective_args() {
                if a.text.contains("::add-mask::") || a.text.contains("##vso[") {
                    break;
                }
                if let Some(name) = secret_in(a, pipeline.system, &secret_env) {
                    let message = format!("step prints secret `{name}` to the log");
                    cx.report_in(step.file, a.span, message);
                    break;
                }
            }
        }
    }
}

fn secret_in(a: &Word, system: System, secret_env: &[&str]) -> Option<String> {
    if let Some(i) = a.text.find("secrets.") {
        let name: String = a.text[i..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        return Some(name);
    }
    for cap in SHELL_VAR.captures_iter(&a.text) {
        let Some(v) = cap.get(1) else { continue };
        if secret_env.contains(&v.as_str()) {
            return Some(v.as_str().to_string());
        }
    }
    if system == System::AzurePipelines {
        let mut rest = a.text.as_str();
        while let Some(i) = rest.find("$(") {
            let after = &rest[i + 2..];
            let name = after.split(')').next().unwrap_or("");
            if !name.contains(' ') && is_secret_name(name) {
                return Some(name.to_string());
            }
            rest = after;
        }
    }
    None
}
