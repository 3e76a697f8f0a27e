//! Test code: files that only run under a test runner, where fixtures hold fake secrets,
//! local URLs and debug servers on purpose. Decided by path segments below the
//! configuration root, never by a substring (`svc/latest_api/main.py` is not test code):
//!
//! - a directory named like a test directory: `tests`, `test`, `testing`, `__tests__`,
//!   `fixtures`, `testdata`, or one of `[layout] test-dirs`;
//! - a test module: `test_*.py`, `*_test.py`, `tests.py` (Django's);
//! - pytest's support files: `conftest.py`.

use std::path::{Component, Path, PathBuf};

use crate::config::Settings;

/// Directory names that hold test code beside the configured `[layout] test-dirs`.
const TEST_DIRS: &[&str] = &["tests", "test", "testing", "__tests__", "fixtures", "testdata"];

/// Whether a directory name is a test directory.
pub fn is_test_dir(settings: &Settings, name: &str) -> bool {
    TEST_DIRS.contains(&name) || settings.config.layout.test_dirs.iter().any(|d| d == name)
}

/// Whether a file name is a test module the runner collects: `test_*.py`, `*_test.py`.
pub fn is_test_module_name(name: &str) -> bool {
    name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"))
}

/// Whether a file name is test code wherever it is: a test module, `tests.py`, `conftest.py`.
fn is_test_file_name(name: &str) -> bool {
    is_test_module_name(name) || name == "conftest.py" || name == "tests.py"
}

/// Whether the file at `path` is test code.
pub fn is_test_code(settings: &Settings, path: &Path) -> bool {
    let rel = settings.relative(path);
    let name = rel.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if is_test_file_name(&name) {
        return true;
    }
    rel.parent().is_some_and(|dir| {
        dir.components()
            .any(|c| matches!(c, Component::Normal(n) if is_test_dir(settings, &n.to_string_lossy())))
    })
}

/// The outermost test directory of a path relative to a project root (`tests` of
/// `tests/unit/test_api.py`), counting only the configured `[layout] test-dirs`: where a
/// project keeps its tests.
pub fn test_dir_of(settings: &Settings, rel: &Path) -> Option<PathBuf> {
    let mut acc = PathBuf::new();
    for c in rel.parent()?.components() {
        acc.push(c);
        if matches!(c, Component::Normal(n) if settings.config.layout.test_dirs.iter().any(|d| n == d.as_str())) {
            return Some(acc);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_segments_never_by_substring() {
        let s = Settings::default();
        let test = |p: &str| is_test_code(&s, Path::new(p));
        for yes in [
            "tests/test_api.py",
            "svc/tests/helpers.py",
            "app/test/factories.py",
            "src/shop/test_orders.py",
            "src/shop/orders_test.py",
            "conftest.py",
            "shop/tests.py",
            "tests/fixtures/secrets.py",
            "fixtures/data.py",
        ] {
            assert!(test(yes), "{yes}");
        }
        for no in [
            "svc/latest_api/main.py",
            "contest/app.py",
            "src/attestation/test.txt.py.bak",
            "app/testimonials.py",
            "protest/main.py",
            "app/test_utils_lib/x.txt",
        ] {
            assert!(!test(no), "{no}");
        }
    }

    #[test]
    fn configured_test_directories_count() {
        let mut config = crate::config::Config::default();
        config.layout.test_dirs = vec!["spec".into()];
        let s = Settings::from_config(config, None, ".".into()).expect("settings");
        assert!(is_test_code(&s, Path::new("app/spec/helpers.py")));
        assert_eq!(
            test_dir_of(&s, Path::new("app/spec/unit/test_x.py")),
            Some(PathBuf::from("app/spec"))
        );
        assert_eq!(test_dir_of(&s, Path::new("tests/test_x.py")), None);
    }

    #[test]
    fn paths_are_read_below_the_root() {
        let s =
            Settings::from_config(crate::config::Config::default(), None, "/work/tests/repo".into()).expect("settings");
        assert!(!is_test_code(&s, Path::new("/work/tests/repo/app/main.py")));
        assert!(is_test_code(&s, Path::new("/work/tests/repo/app/tests/main.py")));
    }
}
