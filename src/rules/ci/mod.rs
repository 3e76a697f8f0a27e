//! CI pipeline rules (GitHub Actions and Azure Pipelines). What they share — what a job
//! deploys and to which environment, whether it tests, lints and is gated, which jobs run
//! before it, whether its conditions restrict it to main — is read once, in the semantic layer
//! (`semantic::deploy`, `semantic::pipeline`, `semantic::condition`, `semantic::command`) and
//! the project's pipeline index (`project::pipeline`); the rules call them. The heuristics are
//! written down for users in `docs/pipelines.md`.

pub mod action_not_pinned;
pub mod apply_without_plan;
pub mod auto_approve_ungated;
pub mod broad_permissions;
pub mod condition_always_true;
pub mod container_not_pinned;
pub mod deploy_no_verify;
pub mod infra_no_validate;
pub mod no_lint_step;
pub mod no_pr_validation;
pub mod pr_target_checkout;
pub mod prod_deploy_any_branch;
pub mod prod_deploy_ungated;
pub mod prod_deploy_untested;
pub mod script_injection;
pub mod secret_echo;
pub mod step_pipe_to_shell;
pub mod template_missing;
pub mod template_not_followed;
