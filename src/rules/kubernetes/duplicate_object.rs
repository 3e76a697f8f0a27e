use std::collections::HashMap;

use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct DuplicateObject;

impl Rule for DuplicateObject {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Project]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Project(project) = subject else { return };
        // objects applied together live in one directory; the same name in sibling overlays or
        // example folders is a variant, not a duplicate
        let mut seen = HashMap::new();
        for (f, o) in project.k8s_objects() {
            let Some(name) = &o.name else { continue };
            let dir = f.source.path.parent().map(|p| p.to_path_buf()).unwrap_or_default();
            let ns = o.effective_namespace.clone().unwrap_or_default();
            let key = (dir, o.group().to_string(), o.kind.clone(), ns, name.clone());
            match seen.get(&key) {
                None => {
                    seen.insert(key, (f.source.id, o.header, f.source.display_path()));
                }
                Some((first_file, first_span, first_path)) => {
                    let at = o.root.at("metadata.name").map(|n| n.span).unwrap_or(o.header);
                    let first_line = project
                        .file(*first_file)
                        .map(|ff| ff.source.position(first_span.start).line)
                        .unwrap_or(1);
                    cx.report_in(
                        f.source.id,
                        at,
                        format!(
                            "{} is already defined at {first_path}:{first_line}",
                            super::object_name(o)
                        ),
                    )
                    .labels
                    .push(crate::rules::Label {
                        file: *first_file,
                        span: *first_span,
                        message: "first defined here".into(),
                    });
                }
            }
        }
    }
}
