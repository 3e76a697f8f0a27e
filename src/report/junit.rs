//! JUnit XML, for CI test views (Azure Pipelines' `PublishTestResults@2` with
//! `testResultsFormat: JUnit`, GitLab, Jenkins).
//!
//! One `<testsuite>` per scanned file, suite and class named by its path: Azure DevOps shows a
//! result's container ("test file") from those, so the Tests tab groups findings under the file
//! they are in, which is where a reader goes to fix them. Grouping by rule would scatter one file's
//! problems across suites. Each finding at or above `fail-on` is a failed `<testcase>`; one below
//! it passes, with the finding in its `<system-out>` (it does not fail the build, so it is not
//! a failure in the build's tests either); suppressed ones, with `--show-suppressed`, are
//! skipped. A file without findings has one passing testcase, so the count of checked files is
//! visible in the run's totals. No timestamps or durations: the report is the same for the same
//! input.
//!
//! A test case is named by rule, slug and fingerprint (`DF001 image-tag-latest #9f3c…`), not by
//! line: test views track a test's history by name, and a finding whose line moved is the same
//! finding. The line and column are in the failure message. Text from the scanned files is
//! escaped ([`super::escape`]).

use std::collections::HashMap;

use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};

use super::{escape, fingerprint, Report};
use crate::rules::Diagnostic;
use crate::source::FileId;

pub fn render(report: &Report<'_>) -> String {
    let project = &report.outcome.project;
    let mut junit = JunitReport::new("linea");
    let mut by_file: HashMap<FileId, Vec<&Diagnostic>> = HashMap::new();
    for d in report.visible() {
        by_file.entry(d.file).or_default().push(d);
    }
    let fail_on = report.settings.fail_on();
    // files read only for the checks across files are not this run's tests
    for file in project.files.iter().filter(|f| f.reported) {
        let raw_path = file.source.display_path();
        let path = escape::path(&raw_path).into_owned();
        let mut suite = TestSuite::new(path.as_str());
        let findings = by_file.get(&file.source.id).map(Vec::as_slice).unwrap_or_default();
        // the Nth finding with the same fingerprint in a file gets ` (N)`, so names stay unique
        let mut seen: HashMap<u64, usize> = HashMap::new();
        for d in findings {
            let pos = file.source.position(d.span.start);
            let meta = report.registry.meta(&d.rule);
            let rule = escape::text(&d.rule);
            let slug = meta.map(|m| format!(" {}", escape::text(&m.slug))).unwrap_or_default();
            let message = escape::text(&d.message);
            let mut body = format!(
                "{path}:{}:{}: {rule} [{}] {message}\n",
                pos.line, pos.column, d.severity
            );
            if let Some(note) = &d.note {
                body.push_str(&format!("note: {}\n", escape::text(note)));
            }
            if let Some(help) = &d.help {
                body.push_str(&format!("help: {}\n", escape::text(help)));
            }
            for l in &d.labels {
                if let Some(f) = project.file(l.file) {
                    let p = f.source.position(l.span.start);
                    body.push_str(&format!(
                        "see {}:{}:{}: {}\n",
                        escape::text(&f.source.display_path()),
                        p.line,
                        p.column,
                        escape::text(&l.message)
                    ));
                }
            }
            if let Some(url) = meta.and_then(|m| m.doc_url()) {
                body.push_str(&format!("docs: {url}\n"));
            }
            let hash = fingerprint(&d.rule, &raw_path, &file.source, d.span.start);
            let n = seen.entry(hash).or_insert(0);
            *n += 1;
            let nth = if *n > 1 { format!(" ({n})") } else { String::new() };
            let name = format!("{rule}{slug} #{hash:016x}{nth}");
            let status = match &d.suppressed {
                Some(s) => {
                    let mut st = TestCaseStatus::skipped();
                    st.set_message(format!("suppressed: {}", escape::text(&s.justification)));
                    st.set_description(body.as_str());
                    st
                }
                None if d.severity >= fail_on => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    st.set_message(format!("{path}:{}:{}: {message}", pos.line, pos.column))
                        .set_type(format!("{rule} {}", d.severity));
                    st.set_description(body.as_str());
                    st
                }
                // below `fail-on`: it passes, and says what it found
                None => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(name, status);
            if d.suppressed.is_none() && d.severity < fail_on {
                case.set_system_out(body);
            }
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
            options: Default::default(),
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
