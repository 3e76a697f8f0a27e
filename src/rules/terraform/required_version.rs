use super::{is_root, module_anchor};
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};

/// TF006: a root module without `terraform { required_version }`.
pub struct RequiredVersion;

impl ProjectRule for RequiredVersion {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for m in project.terraform.iter().filter(|m| !m.broken && is_root(m)) {
            let has = m
                .blocks()
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
