//! XR002: a Dockerfile `COPY`/`ADD` source that is not in the build context.
//!
//! The build context is what the repository's pipelines pass to `docker build` (or
//! `docker/build-push-action`, the `Docker` task) for that Dockerfile, else the Dockerfile's
//! directory. Only sources whose names linea discovers (requirements files, `pyproject.toml`,
//! Python modules, manifests...) are checked: for other files absence from the scan proves
//! nothing.

use std::path::Path;

use crate::discover::{classify, FileKind};
use crate::project::Model;
use crate::project::Project;
use crate::rules::cross::{literal, shown_dir};
use crate::rules::{Label, ProjectContext, ProjectRule};
use crate::semantic::path::normalize;

pub struct CopySourceMissing;

impl ProjectRule for CopySourceMissing {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        let root = project.root.clone();
        for f in &project.files {
            let Model::Docker(d) = &f.model else { continue };
            let contexts = project.builds().contexts_of(&f.source.path);
            for i in &d.instructions {
                if !(i.is("COPY") || i.is("ADD")) || i.flag("from").is_some() || !i.heredocs.is_empty() {
                    continue;
                }
                let Some((_, sources)) = i.args.split_last() else {
                    continue;
                };
                for src in sources {
                    let Some(rel) = literal(&src.text) else { continue };
                    let name_kind = classify(Path::new(&rel));
                    if name_kind.is_none() || name_kind == Some(FileKind::Sensitive) || rel.ends_with('/') {
                        continue;
                    }
                    for (ctx, build) in &contexts {
                        if project.exists(&normalize(&ctx.join(&rel))) {
                            continue;
                        }
                        let shown = shown_dir(ctx, &root);
                        let message = format!("`{rel}` is not in the build context `{shown}`");
                        let d = cx.report_in(f.source.id, src.span, message);
                        if let Some(b) = build {
                            d.labels.push(Label {
                                file: b.file,
                                span: b.span,
                                message: "the image is built with this context".into(),
                            });
                        }
                    }
                }
            }
        }
    }
}
