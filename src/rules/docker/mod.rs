//! Dockerfile rules (DF): one native rule per file, reasoning on `lang::docker` and
//! `lang::shell`. The shared questions of the family (which stages end up in the image, which
//! words of `apt-get install` / `pip install` are packages) live here.

pub mod add_instead_of_copy;
pub mod apk_no_cache;
pub mod apt_no_install_recommends;
pub mod cd_instead_of_workdir;
pub mod copy_all_before_deps;
pub mod dev_in_prod_image;
pub mod exposed_port_not_allowed;
pub mod healthcheck_missing;
pub mod image_not_digest_pinned;
pub mod image_tag_latest;
pub mod language_package_unpinned;
pub mod maintainer_deprecated;
pub mod multiple_cmd;
pub mod os_package_cache;
pub mod os_package_unpinned;
pub mod pip_cache;
pub mod pipe_to_shell;
pub mod pipefail;
pub mod relative_workdir;
pub mod runs_as_root;
pub mod secret_in_env;
pub mod secret_in_run;
pub mod shell_form_cmd;
pub mod sudo;
pub mod unknown_stage;

use crate::lang::docker::{Dockerfile, Instruction, Stage};
use crate::lang::shell::{Command, Word};
use crate::rules::{Applicability, Edit, FileContext, Fix};
pub use crate::semantic::package::{
    apt_install, apt_packages, is_local_or_url, pip_install, pip_options, pip_packages, requirement_name,
};

/// A fix inserting ` option` right after `word` of `cmd`, when the word is written in the file
/// exactly as it reads: not inside an `sh -c` string, not quoted or escaped (its span would
/// not be where the shell sees it).
pub fn insert_option_after(
    cx: &FileContext<'_>,
    cmd: &Command,
    word: &Word,
    option: &str,
    applicability: Applicability,
) -> Option<Fix> {
    let written = cx.source().slice(word.span);
    if cmd.nested || word.dynamic || written != word.text {
        return None;
    }
    Some(Fix {
        edits: vec![Edit::insert(word.span.end, format!(" {option}"))],
        applicability,
    })
}

/// The stage a FROM builds on, when its image names an earlier stage.
pub fn base_stage<'a>(d: &'a Dockerfile, stage: &Stage) -> Option<&'a Stage> {
    stage.base.and_then(|b| d.stages.get(b))
}

/// The stages whose instructions end up in the final image: the last stage and the stages it
/// is built `FROM`, nearest first.
pub fn image_chain(d: &Dockerfile) -> Vec<&Stage> {
    d.final_chain.iter().filter_map(|&i| d.stages.get(i)).collect()
}

/// Whether instruction `i` is in a stage of the final image.
pub fn in_final_image(d: &Dockerfile, i: &Instruction) -> bool {
    i.stage.and_then(|s| d.stages.get(s)).is_some_and(|s| s.in_final_image)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::{Config, Settings};
    use crate::source::Environment;

    /// Each DF rule's `## Example` triggers it and its `## Use instead` does not.
    #[test]
    fn doc_examples_behave() {
        use crate::discover::FileKind;
        use crate::rules::engine::{self, SourceInput};
        use crate::rules::registry::Registry;
        let Ok(registry) = Registry::builtin() else {
            panic!("built-in rules load")
        };
        for rule in registry.iter().filter(|r| r.meta.family == "docker") {
            let id = rule.meta.id.clone();
            for (heading, want) in [("Example", true), ("Use instead", false)] {
                let blocks = rule.meta.doc_examples(heading);
                assert_eq!(blocks.len(), 1, "{id}: one block under `## {heading}`");
                for (lang, code) in blocks {
                    assert_eq!(lang, "dockerfile", "{id}: {heading} block language");
                    let config = Config {
                        select: Some(vec![id.clone()]),
                        ..Config::default()
                    };
                    let settings = Settings::from_config(config, None, ".".into()).unwrap_or_default();
                    let input = SourceInput::Memory {
                        path: "svc/Dockerfile".into(),
                        kind: FileKind::Dockerfile,
                        text: code.clone(),
                    };
                    let out = engine::run(&registry, &settings, vec![input]);
                    let hit = out.diagnostics.iter().any(|d| d.rule == id);
                    assert_eq!(hit, want, "{id}: `## {heading}` block:\n{code}");
                }
            }
        }
    }

    #[test]
    fn dockerfile_environments() {
        let s = Settings::default();
        let env = |p: &str| crate::semantic::environment::of_path(&s, Path::new(p));
        assert_eq!(env("svc/prod.Dockerfile"), Environment::Prod);
        assert_eq!(env("svc/Dockerfile.dev"), Environment::Nonprod);
        assert_eq!(env("svc/dev.Dockerfile"), Environment::Nonprod);
        assert_eq!(env("svc/api.dev.Dockerfile"), Environment::Nonprod);
        assert_eq!(env("docker/staging/Dockerfile"), Environment::Nonprod);
        assert_eq!(env("docker/test/Dockerfile"), Environment::Nonprod);
        assert_eq!(env("deploy/production/Dockerfile"), Environment::Prod);
        assert_eq!(env("svc/Dockerfile"), Environment::Unknown);
        let mut config = Config::default();
        config.environments.prod = vec!["images/**".into()];
        let s = Settings::from_config(config, None, ".".into()).unwrap_or_default();
        assert_eq!(
            crate::semantic::environment::of_path(&s, Path::new("images/dev/Dockerfile")),
            Environment::Prod
        );
    }
}
