use crate::discover::FileKind;
use crate::project::Project;
use crate::project::{Model, ParsedFile};
use crate::rules::layout::{config_files, report_missing_in_repository};
use crate::rules::{ProjectContext, ProjectRule};
use crate::source::node::{Node, NodeValue};

pub struct MissingCiTests;

/// Whether `text` contains `word` delimited by non-word characters.
fn has_word(text: &str, word: &str) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !is_word(before) && !is_word(after)
    })
}

/// A step that runs a test script (`bash scripts/tests-start.sh`, `./run_tests.sh`).
fn test_script(s: &str) -> bool {
    s.split_whitespace().any(|w| {
        let name = w.rsplit('/').next().unwrap_or(w);
        name.ends_with(".sh") && name.contains("test")
    })
}

/// Whether any string of the YAML tree runs one of `commands` (iterative walk).
fn runs_tests(root: &Node, commands: &[String]) -> bool {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.value {
            NodeValue::String(s) if commands.iter().any(|c| has_word(s, c)) || test_script(s) => return true,
            NodeValue::Seq(items) => stack.extend(items.iter()),
            NodeValue::Map(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            _ => {}
        }
    }
    false
}

fn is_ci(f: &ParsedFile) -> bool {
    matches!(f.kind, FileKind::GithubWorkflow | FileKind::AzurePipeline)
}

impl ProjectRule for MissingCiTests {
    fn check(&self, p: &Project, cx: &mut ProjectContext<'_>) {
        let commands = cx.settings.config.layout.test_commands.clone();
        let missing: Vec<_> = p
            .python
            .roots
            .iter()
            .filter(|root| {
                !config_files(p, root).filter(|f| is_ci(f)).any(|f| match &f.model {
                    Model::Yaml(stream) => stream.documents.iter().any(|d| runs_tests(&d.root, &commands)),
                    Model::Pipeline(pf) => pf.stream.documents.iter().any(|d| runs_tests(&d.root, &commands)),
                    _ => false,
                })
            })
            .collect();
        let list = commands
            .iter()
            .take(3)
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        report_missing_in_repository(
            cx,
            p,
            &missing,
            &format!("no GitHub Actions or Azure Pipelines job runs the tests ({list})"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::has_word;

    #[test]
    fn words() {
        assert!(has_word("python -m pytest -q", "pytest"));
        assert!(has_word("make test", "make test"));
        assert!(!has_word("make tests-docker", "make test"));
        assert!(has_word("tox -e py312", "tox"));
        assert!(!has_word("detox", "tox"));
    }
}
