use super::{is_root, module_anchor};
use crate::project::Project;
use crate::rules::{ProjectContext, ProjectRule};

/// TF010: a production root module that keeps its state locally (no `backend`/`cloud` block).
/// A project rule, so the production scope is applied here, from the module's environment.
pub struct LocalBackend;

impl ProjectRule for LocalBackend {
    fn check(&self, project: &Project, cx: &mut ProjectContext<'_>) {
        for m in project.terraform.iter().filter(|m| !m.broken && is_root(m)) {
            if !cx.settings.is_prod(m.env) {
                continue;
            }
            if m.facts.remote_backend {
                continue;
            }
            if let Some(anchor) = module_anchor(m, &project.files) {
                cx.report_in(
                    anchor.file,
                    anchor.header,
                    "production root module keeps its state locally (no remote `backend`)",
                )
                .in_env(m.env);
            }
        }
    }
}
