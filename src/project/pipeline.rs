//! The pipeline index, built once: local Azure templates (`template:` in stages, jobs, steps
//! and `extends:`) and GitHub reusable workflows called by local path
//! (`uses: ./.github/workflows/x.yml`) are followed, so each pipeline's jobs are what actually
//! runs, and every job is read once (its deploys, the environment they change, the jobs before
//! it). A template that cannot be followed (a remote `file@repo`, a missing file) is recorded in
//! `unresolved` and never guessed at. Parsed files are not changed.

use crate::semantic::path::normalize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Settings;
use crate::lang::pipeline::{Job, Pipeline, Role, StepKind, System, Text, Unresolved, UnresolvedReason};
use crate::project::{absolute, Model, ParsedFile, Project};
use crate::semantic::deploy;
use crate::source::FileId;

/// How deep templates may include templates.
const MAX_DEPTH: usize = 6;

/// A pipeline file's parsed stream and its pipeline view.
#[derive(Debug)]
pub struct PipelineFile {
    pub stream: crate::lang::yaml::Stream,
    pub pipeline: Pipeline,
}

struct Expander<'a> {
    files: &'a [ParsedFile],
    by_path: HashMap<PathBuf, usize>,
}

impl<'a> Expander<'a> {
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

/// A GitHub `uses: ./path` reusable workflow that is not among the scanned files and does not
/// exist either, as written; `None` when it exists or when where it points is not certain.
/// The path is relative to the repository root, which is known only for a workflow in
/// `<root>/.github/workflows/` of the project's own root: a monorepo's nested `.github`, or a
/// partial copy scanned from above, tells nothing.
pub fn missing_reference(project: &Project, p: &Pipeline, u: &Unresolved) -> Option<String> {
    if p.system != System::GithubActions || u.reason != UnresolvedReason::NotScanned {
        return None;
    }
    let reference = u.reference.text.trim();
    let rel = reference.strip_prefix("./")?;
    let from = absolute(&project.file(p.file)?.source.path);
    let workflows = from.parent()?;
    let root = workflows
        .parent()
        .filter(|_| workflows.ends_with(".github/workflows"))?
        .parent()?;
    if root != project.root || project.exists(&normalize(&root.join(rel))) {
        return None;
    }
    Some(reference.to_string())
}

/// One pipeline file as the project sees it: what it is (a template when another pipeline
/// includes it), its jobs with local templates and reusable workflows followed, what linea
/// reads about each job, and the references it could not follow.
#[derive(Debug)]
pub struct Entry {
    pub file: FileId,
    pub role: Role,
    /// The jobs that run, templates and local reusable workflows followed.
    pub jobs: Vec<Job>,
    /// What linea reads about each of `jobs` (same order).
    pub facts: Vec<JobFacts>,
    /// References written in this file that cannot be followed.
    pub unresolved: Vec<Unresolved>,
    /// Workflows whose completion starts this one (`on: workflow_run` naming their `name:`).
    pub triggered_by: Vec<FileId>,
}

/// What linea reads about one job, once.
#[derive(Debug)]
pub struct JobFacts {
    /// Its deploys and the environment they change.
    pub reading: deploy::Reading,
    /// Indexes (in the entry's jobs) of the jobs that finish before it starts.
    pub upstream: Vec<usize>,
}

/// Every pipeline file of the project, by file id.
#[derive(Debug, Default)]
pub struct Index {
    entries: Vec<Option<Entry>>,
}

/// One job of a pipeline with everything the project knows about it: the view pipeline-job
/// rules receive.
#[derive(Debug, Clone, Copy)]
pub struct JobView<'a> {
    pub pipeline: &'a Pipeline,
    pub entry: &'a Entry,
    pub index: &'a Index,
    /// Position of the job in the entry's jobs.
    pub at: usize,
}

impl<'a> JobView<'a> {
    pub fn job(&self) -> &'a Job {
        &self.entry.jobs[self.at]
    }
    pub fn facts(&self) -> &'a JobFacts {
        &self.entry.facts[self.at]
    }
    /// Its deploys and the environment they change.
    pub fn reading(&self) -> &'a deploy::Reading {
        &self.facts().reading
    }
    /// The production deploy of the job (see `docs/pipelines.md`), if it has one.
    pub fn prod_deploy(&self) -> Option<&'a deploy::Action> {
        self.reading().prod_deploy()
    }
    /// The jobs that finish before this one starts.
    pub fn upstream(&self) -> impl Iterator<Item = &'a Job> + 'a {
        let entry = self.entry;
        self.facts().upstream.iter().filter_map(move |&i| entry.jobs.get(i))
    }
    /// The jobs that start after this one finished (they depend on it).
    pub fn downstream(&self) -> impl Iterator<Item = &'a Job> + 'a {
        let (entry, at) = (self.entry, self.at);
        entry
            .jobs
            .iter()
            .zip(&entry.facts)
            .filter(move |(_, f)| f.upstream.contains(&at))
            .map(|(j, _)| j)
    }
    /// The jobs of the workflows whose completion starts this pipeline.
    pub fn triggering_jobs(&self) -> impl Iterator<Item = &'a Job> + 'a {
        let index = self.index;
        self.entry
            .triggered_by
            .iter()
            .filter_map(move |f| index.get(*f))
            .flat_map(|e| e.jobs.iter())
    }
}

impl Index {
    /// Follow every pipeline's local references, mark included files as templates, and read
    /// every job once.
    /// `settings` gives the settings governing a file.
    pub fn build<'s>(files: &[ParsedFile], settings: impl Fn(&Path) -> &'s Arc<Settings>) -> Index {
        let by_path: HashMap<PathBuf, usize> = files
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.model, Model::Pipeline(_)))
            .map(|(i, f)| (normalize(&f.source.path), i))
            .collect();
        let mut entries: Vec<Option<Entry>> = (0..files.len()).map(|_| None).collect();
        if by_path.is_empty() {
            return Index { entries };
        }
        let index = Expander { files, by_path };
        let mut template_files = Vec::new();
        let mut unresolved = Vec::new();
        for (i, f) in files.iter().enumerate() {
            let Some(p) = index.pipeline(i) else { continue };
            let mut templates = Vec::new();
            let jobs = index.expand(i, 0, &mut unresolved, &mut templates);
            template_files.extend(templates);
            let mut readings: Vec<deploy::Reading> = jobs
                .iter()
                .map(|j| deploy::read_job(settings(&f.source.path), &f.source.path, p, j))
                .collect();
            let upstream: Vec<Vec<usize>> = (0..jobs.len())
                .map(|at| crate::semantic::pipeline::upstream(&jobs, at))
                .collect();
            deploy::mark_throwaway(settings(&f.source.path), &jobs, &mut readings, &upstream);
            let facts = readings
                .into_iter()
                .zip(upstream)
                .map(|(reading, upstream)| JobFacts { reading, upstream })
                .collect();
            entries[i] = Some(Entry {
                file: f.source.id,
                role: p.role,
                jobs,
                facts,
                unresolved: Vec::new(),
                triggered_by: Vec::new(),
            });
        }
        // each reference is recorded once, in the file that writes it, however many pipelines
        // include that file
        unresolved.sort_by_key(|(i, u)| (*i, u.reference.span.start));
        unresolved.dedup_by(|a, b| a.0 == b.0 && a.1.reference.span == b.1.reference.span);
        for (i, u) in unresolved {
            if let Some(Some(e)) = entries.get_mut(i) {
                e.unresolved.push(u);
            }
        }
        for t in template_files {
            let Some(p) = index.pipeline(t) else { continue };
            // a reusable workflow that only runs when called is visited through its callers;
            // one with triggers of its own also runs standalone
            let call_only = p.triggers.iter().all(|t| t.event == "workflow_call");
            if let Some(Some(e)) = entries.get_mut(t) {
                if p.system == System::AzurePipelines || call_only {
                    e.role = Role::Template;
                }
            }
        }
        // `on: workflow_run: workflows: [CI]` names other workflows by their `name:`
        for i in 0..files.len() {
            let Some(t) = index.pipeline(i).and_then(|p| p.triggered_by("workflow_run")) else {
                continue;
            };
            let sources: Vec<FileId> = files
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .filter_map(|(j, f)| {
                    let other = index.pipeline(j)?;
                    let named = other.system == System::GithubActions
                        && other
                            .name
                            .as_ref()
                            .is_some_and(|n| t.workflows.iter().any(|w| w.text == n.text));
                    named.then_some(f.source.id)
                })
                .collect();
            if let Some(Some(e)) = entries.get_mut(i) {
                e.triggered_by = sources;
            }
        }
        Index { entries }
    }

    pub fn get(&self, file: FileId) -> Option<&Entry> {
        self.entries.get(file.0 as usize)?.as_ref()
    }

    /// The pipeline files that run on their own (not templates, not composite actions).
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().flatten()
    }

    /// What the file is: a pipeline, an action, or a template other pipelines include.
    pub fn role(&self, file: FileId) -> Option<Role> {
        self.get(file).map(|e| e.role)
    }

    /// The jobs of one pipeline file (templates followed).
    pub fn jobs(&self, file: FileId) -> &[Job] {
        self.get(file).map(|e| e.jobs.as_slice()).unwrap_or(&[])
    }

    /// The job views of one pipeline file, for rules.
    pub fn views<'a>(&'a self, pipeline: &'a Pipeline) -> impl Iterator<Item = JobView<'a>> + 'a {
        self.get(pipeline.file).into_iter().flat_map(move |entry| {
            (0..entry.jobs.len()).map(move |at| JobView {
                pipeline,
                entry,
                index: self,
                at,
            })
        })
    }
}
