//! JUnit XML, for CI test views (Azure Pipelines' `PublishTestResults@2` with
//! `testResultsFormat: JUnit`, GitLab, Jenkins).
//!
//! One `<testsuite>` per scanned file, suite and class named by its path: Azure DevOps shows a
//! result's container ("test file") from those, so the Tests tab groups findings under the file
//! they are in, which is where a reader goes to fix them. Grouping by rule would scatter one file's
//! problems across suites. Each finding is a failed `<testcase>` (suppressed ones, with
//! `--show-suppressed`, are skipped); a file without findings has one passing testcase, so the
//! count of checked files is visible in the run's totals. No timestamps or durations: the
//! report is the same for the same input.

use std::collections::HashMap;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::rules::Diagnostic;
use crate::source::FileId;

pub fn render(report: &Report<'_>) -> String {
    let project = &report.outcome.project;
    let mut junit = JunitReport::new("linea");
    let mut by_file: HashMap<FileId, Vec<&Diagnostic>> = HashMap::new();
    for d in report.visible() {
        by_file.entry(d.file).or_default().push(d);
    }
    for file in &project.files {
        let path = file.source.display_path();
        let mut suite = TestSuite::new(path.as_str());
        let findings = by_file.get(&file.source.id).map(Vec::as_slice).unwrap_or_default();
        for d in findings {
            let pos = file.source.position(d.span.start);
            let meta = report.registry.meta(&d.rule);
            let slug = meta.map(|m| format!(" {}", m.slug)).unwrap_or_default();
            let mut body = format!(
                "{path}:{}:{}: {} [{}] {}\n",
                pos.line, pos.column, d.rule, d.severity, d.message
            );
            if let Some(note) = &d.note {
                body.push_str(&format!("note: {note}\n"));
            }
            if let Some(help) = &d.help {
                body.push_str(&format!("help: {help}\n"));
            }
            for l in &d.labels {
                if let Some(f) = project.file(l.file) {
                    let p = f.source.position(l.span.start);
                    body.push_str(&format!(
                        "see {}:{}:{}: {}\n",
                        f.source.display_path(),
                        p.line,
                        p.column,
                        l.message
                    ));
                }
            }
            if let Some(m) = meta.filter(|m| m.builtin) {
                body.push_str(&format!("docs: {}\n", m.help_uri()));
            }
            let message = format!("{}:{}:{}: {}", path, pos.line, pos.column, d.message);
            let mut status = match &d.suppressed {
                Some(s) => {
                    let mut st = TestCaseStatus::skipped();
                    st.set_message(format!("suppressed: {}", s.justification));
                    st
                }
                None => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    st.set_message(message).set_type(format!("{} {}", d.rule, d.severity));
                    st
                }
            };
            status.set_description(body);
            let mut case = TestCase::new(format!("{}{slug} at {}:{}", d.rule, pos.line, pos.column), status);
            case.set_classname(path.as_str());
            suite.add_test_case(case);
        }
        if findings.is_empty() {
            let mut case = TestCase::new("no findings", TestCaseStatus::success());
            case.set_classname(path.as_str());
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if !report.outcome.internal_errors.is_empty() {
        let mut suite = TestSuite::new("linea internal errors");
        for (i, e) in report.outcome.internal_errors.iter().enumerate() {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
            st.set_message(e.as_str());
            suite.add_test_case(TestCase::new(format!("internal error {}", i + 1), st));
        }
        junit.add_test_suite(suite);
    }
    match junit.to_string() {
        Ok(mut s) => {
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s
        }
        Err(e) => format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- linea: cannot write JUnit: {e} -->\n<testsuites name=\"linea\"/>\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Settings};
    use crate::discover::FileKind;
    use crate::rules::engine::{self, SourceInput};
    use crate::rules::registry::Registry;
    use crate::rules::{Diagnostic, Severity};
    use crate::source::Span;

    #[test]
    fn escapes_markup_and_round_trips() {
        let registry = Registry::builtin().unwrap_or_default();
        let settings = Settings::from_config(Config::default(), None, ".".into()).unwrap_or_else(|e| panic!("{e}"));
        let text = "a: \"<b> & 'c' ]]>\"\n".to_string();
        let mut outcome = engine::run(
            &registry,
            &settings,
            vec![SourceInput::Memory {
                path: "dir/<odd> & \"name\".yaml".into(),
                kind: FileKind::Yaml,
                text,
            }],
        );
        let id = outcome.project.files[0].source.id;
        outcome.diagnostics.push(
            Diagnostic::new(
                "PARSE001",
                Severity::Error,
                id,
                Span::new(3, 20),
                "value `<b> & ]]>` \u{7}bell",
            )
            .with_help("write \"it\" <properly>"),
        );
        let report = Report {
            outcome: &outcome,
            registry: &registry,
            settings: &settings,
            show_suppressed: false,
            color: false,
        };
        let xml = render(&report);
        assert!(xml.contains("&lt;b&gt; &amp; ]]&gt;"), "{xml}");
        assert!(!xml.contains('\u{7}'), "control characters are not XML");
        let back = JunitReport::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert_eq!(back.test_suites.len(), 1);
        assert_eq!(back.test_suites[0].name.as_str(), "dir/<odd> & \"name\".yaml");
        assert_eq!(back.failures, 1);
    }
}
