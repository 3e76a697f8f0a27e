use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::lang::k8s::Object;
use crate::project::{Model, ParsedFile, Project};
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::semantic::path::normalize;
use crate::source::FileId;

pub struct DuplicateObject;

type Key = (String, String, String, String);

fn key(o: &Object) -> Option<Key> {
    let name = o.name.clone()?;
    let ns = o.effective_namespace.clone().unwrap_or_default();
    Some((o.group().to_string(), o.kind.clone(), ns, name))
}

/// Report every object whose key was already seen among `objects` (in order).
fn report_duplicates<'a>(
    cx: &mut ProjectContext<'_>,
    project: &Project,
    objects: impl Iterator<Item = (&'a ParsedFile, &'a Object)>,
) {
    let mut seen: HashMap<Key, (FileId, crate::source::Span)> = HashMap::new();
    for (f, o) in objects {
        let Some(k) = key(o) else { continue };
        match seen.get(&k) {
            None => {
                seen.insert(k, (f.source.id, o.header));
            }
            Some(&(first_file, first_span)) => {
                let at = o.root.at("metadata.name").map(|n| n.span).unwrap_or(o.header);
                let (path, line) = project.location(first_file, first_span);
                cx.report_in(
                    f.source.id,
                    at,
                    format!("{} is already defined at {path}:{line}", super::object_name(o)),
                )
                .labels
                .push(Label {
                    file: first_file,
                    span: first_span,
                    message: "first defined here".into(),
                });
            }
        }
    }
}

impl ProjectRule for DuplicateObject {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        // what is applied together: one file, or the files one kustomization lists; sibling
        // files (install.yaml next to namespace-install.yaml) are alternatives, not one set
        for f in &project.files {
            if let Model::Kubernetes(m) = &f.model {
                if !m.patch {
                    report_duplicates(cx, project, m.objects.iter().map(|o| (f, o)));
                }
            }
        }
        for f in &project.files {
            let Model::Kubernetes(m) = &f.model else { continue };
            let Some(k) = &m.kustomization else { continue };
            let dir = f.source.path.parent().unwrap_or(Path::new(""));
            let listed: HashSet<PathBuf> = k.resources.iter().map(|r| normalize(&dir.join(r))).collect();
            let mut ids: Vec<FileId> = listed.iter().flat_map(|p| project.files_at(p)).copied().collect();
            ids.sort_unstable_by_key(|id| id.0);
            ids.dedup();
            let members: Vec<&ParsedFile> = ids.into_iter().filter_map(|id| project.file(id)).collect();
            if members.len() < 2 {
                continue;
            }
            // duplicates inside one member file were reported above
            let mut first_in: HashMap<Key, FileId> = HashMap::new();
            let mut cross = Vec::new();
            for g in &members {
                let Model::Kubernetes(gm) = &g.model else { continue };
                for o in &gm.objects {
                    let Some(key) = key(o) else { continue };
                    match first_in.get(&key) {
                        Some(id) if *id != g.source.id => cross.push((*g, o)),
                        Some(_) => {}
                        None => {
                            first_in.insert(key, g.source.id);
                        }
                    }
                }
            }
            if cross.is_empty() {
                continue;
            }
            let wanted: HashSet<Key> = cross.iter().filter_map(|(_, o)| key(o)).collect();
            let ordered = members.iter().flat_map(|g| match &g.model {
                Model::Kubernetes(gm) => gm.objects.iter().map(|o| (*g, o)).collect::<Vec<_>>(),
                _ => Vec::new(),
            });
            // once per key and file pair: the first occurrence in each file
            let mut firsts: HashSet<(Key, FileId)> = HashSet::new();
            let filtered =
                ordered.filter(|(g, o)| key(o).is_some_and(|k| wanted.contains(&k) && firsts.insert((k, g.source.id))));
            report_duplicates(cx, project, filtered.collect::<Vec<_>>().into_iter());
        }
    }
}
