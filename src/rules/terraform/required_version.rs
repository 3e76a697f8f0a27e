use super::{is_root, module_anchor};
use crate::rules::{Context, NodeKind, Rule, Subject};

/// TF006: a root module without `terraform { required_version }`.
pub struct RequiredVersion;

impl Rule for RequiredVersion {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::Project]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::Project(project) = subject else { return };
        for m in project
            .terraform
            .iter()
            .filter(|m| !m.broken && is_root(m, &project.files))
        {
            let has = m
                .blocks(&project.files)
                .any(|b| b.kind == "terraform" && b.body.get("required_version").is_some());
            if has {
                continue;
            }
            if let Some(anchor) = module_anchor(m, &project.files) {
                cx.report_in(
                    anchor.file,
                    anchor.header,
                    "root module has no `terraform { required_version }`",
                );
            }
        }
    }
}
