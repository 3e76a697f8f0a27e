//! CI004: `terraform apply` that does not apply a plan file saved by `terraform plan -out`.

use std::borrow::Cow;

use crate::project::pipeline::JobView;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::cli::{self, Invocation, Tool};
use crate::semantic::command::Read;
use crate::semantic::pipeline::command_lines;

pub struct ApplyWithoutPlan;

/// `terraform` or `tofu` (terragrunt generates its own plans).
fn terraform<'a>(inv: Option<Invocation<'a>>, program: &str) -> Option<Invocation<'a>> {
    inv.filter(|i| i.tool == Tool::Terraform && matches!(program, "terraform" | "tofu"))
}

impl FileRule for ApplyWithoutPlan {
    type Target = target::PipelineJob;

    fn check(&self, view: JobView<'_>, cx: &mut FileContext<'_>) {
        let job = view.job();
        // plan files saved in this job or in jobs it depends on (passed as artifacts)
        let mut saved: Vec<String> = Vec::new();
        for j in view.upstream().chain([job]) {
            for s in &j.steps {
                for c in command_lines(s) {
                    let Some(inv) = terraform(cli::read(&c), c.program()) else {
                        continue;
                    };
                    if inv.is(&["plan"]) {
                        saved.extend(inv.value("out").map(|v| v.text.to_string()));
                    }
                }
            }
        }
        let saved_name = |arg: &str| {
            let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
            saved
                .iter()
                .any(|s| base(s) == base(arg) || s.contains("$(") || s.contains("${"))
        };
        for s in &job.steps {
            for c in command_lines(s) {
                // a Terraform task is the one line the step does not write as a script
                let task = matches!(c, Cow::Owned(_)).then(|| s.tool().unwrap_or("terraform"));
                let Some(inv) = terraform(cli::read(&c), c.program()) else {
                    continue;
                };
                if !inv.is(&["apply"]) || inv.has("destroy") {
                    continue;
                }
                // the one operand of `apply` is the plan file
                let message = match inv.operands.first() {
                    None => match task {
                        Some(tool) => format!("`{tool}` apply without a saved plan file"),
                        None => "`terraform apply` without a saved plan file".to_string(),
                    },
                    Some(p) if saved_name(&p.text) => continue,
                    Some(p) => format!(
                        "plan file `{}` is not saved by an earlier `terraform plan -out`",
                        p.text
                    ),
                };
                cx.report_in(s.file, c.span, message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Settings};
    use crate::discover::FileKind;
    use crate::rules::engine::{self, SourceInput};
    use crate::rules::registry::Registry;

    fn messages(path: &str, kind: FileKind, text: &str) -> Vec<String> {
        let Ok(registry) = Registry::builtin() else {
            panic!("built-in rules load")
        };
        let config = Config {
            select: Some(vec!["CI004".into()]),
            ..Config::default()
        };
        let settings = Settings::from_config(config, None, ".".into()).unwrap_or_default();
        let input = SourceInput::Memory {
            path: path.into(),
            kind,
            text: text.to_string(),
        };
        let out = engine::run(&registry, &settings, vec![input]);
        out.diagnostics.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn a_var_value_is_not_the_plan_file() {
        let task = "jobs:\n  - job: infra\n    steps:\n      - task: TerraformTaskV4@4\n        inputs:\n          command: apply\n          commandOptions: '-var \"image_tag=$(Build.BuildId)\" -auto-approve'\n";
        assert_eq!(
            messages("azure-pipelines.yml", FileKind::AzurePipeline, task),
            ["`TerraformTaskV4` apply without a saved plan file"]
        );
        let script = "on: push\njobs:\n  infra:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform apply -var 'image_tag=abc' -var-file prod.tfvars\n      - run: terraform apply -var region=westeurope stale.tfplan\n";
        assert_eq!(
            messages(".github/workflows/infra.yml", FileKind::GithubWorkflow, script),
            [
                "`terraform apply` without a saved plan file",
                "plan file `stale.tfplan` is not saved by an earlier `terraform plan -out`"
            ]
        );
    }
}
