//! Pipelines across files: local Azure templates (`template:` in stages, jobs, steps and
//! `extends:`) and GitHub reusable workflows called by local path (`uses: ./.github/workflows/x.yml`)
//! are followed, so each pipeline's `expanded` jobs hold what actually runs. A template that
//! cannot be followed (a remote `file@repo`, a missing file) is recorded in `unresolved` and never
//! guessed at.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::lang::pipeline::{Job, Pipeline, Role, StepKind, System, Text, Unresolved, UnresolvedReason};
use crate::project::{Model, ParsedFile};

/// How deep templates may include templates.
const MAX_DEPTH: usize = 6;

/// A pipeline file's parsed stream and its pipeline view.
#[derive(Debug)]
pub struct PipelineFile {
    pub stream: crate::lang::yaml::Stream,
    pub pipeline: Pipeline,
}

/// Lexical normalisation (`a/./b/../c` → `a/c`); no file system access.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

struct Index<'a> {
    files: &'a [ParsedFile],
    by_path: HashMap<PathBuf, usize>,
}

impl<'a> Index<'a> {
    fn pipeline(&self, i: usize) -> Option<&'a Pipeline> {
        match &self.files.get(i)?.model {
            Model::Pipeline(p) => Some(&p.pipeline),
            _ => None,
        }
    }

    /// The file a reference in `from` names, if it is a scanned pipeline file.
    fn resolve(&self, from: usize, reference: &str, system: System) -> Option<usize> {
        let reference = reference.trim();
        if reference.contains('@') || reference.contains("${{") || reference.contains("$(") {
            return None;
        }
        let from_path = &self.files.get(from)?.source.path;
        let dir = from_path.parent().unwrap_or(Path::new(""));
        let mut candidates = Vec::new();
        match system {
            System::GithubActions => {
                // `./.github/workflows/x.yml` is relative to the repository root
                let rel = reference.trim_start_matches("./");
                let mut anc = Some(dir);
                while let Some(a) = anc {
                    candidates.push(a.join(rel));
                    anc = a.parent();
                }
            }
            System::AzurePipelines => {
                if let Some(abs) = reference.strip_prefix('/') {
                    let mut anc = Some(dir);
                    while let Some(a) = anc {
                        candidates.push(a.join(abs));
                        anc = a.parent();
                    }
                } else {
                    candidates.push(dir.join(reference));
                }
            }
        }
        candidates
            .iter()
            .find_map(|c| self.by_path.get(&normalize(c)).copied())
            .filter(|&i| i != from)
    }

    /// Why a reference that `resolve` did not find is not followed.
    fn unresolved(&self, reference: &Text, depth: usize) -> Unresolved {
        let t = &reference.text;
        let reason = if t.contains("${{") || t.contains("$(") {
            UnresolvedReason::Dynamic
        } else if t.contains('@') {
            UnresolvedReason::Remote
        } else if depth >= MAX_DEPTH {
            UnresolvedReason::TooDeep
        } else {
            UnresolvedReason::NotScanned
        };
        Unresolved {
            reference: reference.clone(),
            reason,
        }
    }

    /// The jobs of file `i` with its references followed.
    fn expand(
        &self,
        i: usize,
        depth: usize,
        unresolved: &mut Vec<(usize, Unresolved)>,
        templates: &mut Vec<usize>,
    ) -> Vec<Job> {
        let Some(p) = self.pipeline(i) else { return Vec::new() };
        if let Some(ext) = &p.extends {
            match self.resolve(i, &ext.text, p.system).filter(|_| depth < MAX_DEPTH) {
                Some(t) => {
                    templates.push(t);
                    return self.expand(t, depth + 1, unresolved, templates);
                }
                None => unresolved.push((i, self.unresolved(ext, depth))),
            }
        }
        let mut out = Vec::new();
        for job in &p.jobs {
            let mut job = job.clone();
            job.steps = self.expand_steps(i, &job, depth, unresolved, templates);
            let Some(call) = job.calls.clone() else {
                out.push(job);
                continue;
            };
            let local = p.system == System::AzurePipelines || call.text.starts_with("./");
            if !local {
                // a remote reusable workflow: nothing to follow, the job stays as written
                let reason = if call.text.contains("${{") {
                    UnresolvedReason::Dynamic
                } else {
                    UnresolvedReason::Remote
                };
                unresolved.push((
                    i,
                    Unresolved {
                        reference: call,
                        reason,
                    },
                ));
                out.push(job);
                continue;
            }
            let Some(t) = self.resolve(i, &call.text, p.system).filter(|_| depth < MAX_DEPTH) else {
                unresolved.push((i, self.unresolved(&call, depth)));
                out.push(job);
                continue;
            };
            templates.push(t);
            let called = self.expand(t, depth + 1, unresolved, templates);
            let called_ids: Vec<String> = called.iter().map(|c| c.id.text.clone()).collect();
            for mut c in called {
                if p.system == System::GithubActions {
                    // the called file's jobs count for the caller's job
                    c.id = Text::new(format!("{}/{}", job.id.text, c.id.text), c.id.span);
                    for n in &mut c.needs {
                        n.text = format!("{}/{}", job.id.text, n.text);
                    }
                    let mut needs = job.needs.clone();
                    needs.append(&mut c.needs);
                    c.needs = needs;
                } else {
                    // job ids of a template stay; callers' dependencies carry over
                    if c.needs.is_empty() {
                        c.needs = job.needs.clone();
                    }
                    if c.stage.is_none() {
                        c.stage = job.stage.clone();
                        c.stage_depends_on = job.stage_depends_on.clone();
                    }
                }
                let mut conds = job.conditions.clone();
                conds.append(&mut c.conditions);
                c.conditions = conds;
                if c.environment.is_none() {
                    c.environment = job.environment.clone();
                }
                out.push(c);
            }
            let _ = called_ids;
        }
        out
    }

    fn expand_steps(
        &self,
        i: usize,
        job: &Job,
        depth: usize,
        unresolved: &mut Vec<(usize, Unresolved)>,
        templates: &mut Vec<usize>,
    ) -> Vec<crate::lang::pipeline::Step> {
        let system = self.pipeline(i).map(|p| p.system).unwrap_or(System::AzurePipelines);
        let mut out = Vec::new();
        for step in &job.steps {
            let StepKind::Template(t) = &step.kind else {
                out.push(step.clone());
                continue;
            };
            match self.resolve(i, &t.text, system).filter(|_| depth < MAX_DEPTH) {
                Some(f) => {
                    templates.push(f);
                    for j in self.expand(f, depth + 1, unresolved, templates) {
                        out.extend(j.steps);
                    }
                }
                None => {
                    unresolved.push((i, self.unresolved(t, depth)));
                    out.push(step.clone());
                }
            }
        }
        out
    }
}

/// Follow every pipeline's local references and mark included files as templates.
pub fn expand(files: &mut [ParsedFile]) {
    let mut results = Vec::new();
    let mut template_files = Vec::new();
    let mut unresolved = Vec::new();
    {
        let by_path: HashMap<PathBuf, usize> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.model, Model::Pipeline(_)))
            .map(|(i, f)| (normalize(&f.source.path), i))
            .collect();
        if by_path.is_empty() {
            return;
        }
        let index = Index { files, by_path };
        for i in 0..files.len() {
            if index.pipeline(i).is_none() {
                continue;
            }
            let mut templates = Vec::new();
            let jobs = index.expand(i, 0, &mut unresolved, &mut templates);
            template_files.extend(templates);
            results.push((i, jobs));
        }
    }
    for (i, jobs) in results {
        if let Some(ParsedFile {
            model: Model::Pipeline(p),
            ..
        }) = files.get_mut(i)
        {
            p.pipeline.expanded = jobs;
        }
    }
    // each reference is recorded once, in the file that writes it, however many pipelines
    // include that file
    unresolved.sort_by_key(|(i, u)| (*i, u.reference.span.start));
    unresolved.dedup_by(|a, b| a.0 == b.0 && a.1.reference.span == b.1.reference.span);
    for (i, u) in unresolved {
        if let Some(ParsedFile {
            model: Model::Pipeline(p),
            ..
        }) = files.get_mut(i)
        {
            p.pipeline.unresolved.push(u);
        }
    }
    for t in template_files {
        if let Some(ParsedFile {
            model: Model::Pipeline(p),
            ..
        }) = files.get_mut(t)
        {
            // a reusable workflow that only runs when called is visited through its callers;
            // one with triggers of its own also runs standalone
            let call_only = p.pipeline.triggers.iter().all(|t| t.event == "workflow_call");
            if p.pipeline.system == System::AzurePipelines || call_only {
                p.pipeline.role = Role::Template;
            }
        }
    }
}
