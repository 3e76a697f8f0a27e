//! Paths as rules compare them: one lexical normaliser, and one reader for the paths that
//! pipelines, compose files and Dockerfiles write, including the variables CI systems use for
//! the checkout root (`$(Build.SourcesDirectory)`, `${{ github.workspace }}`, …).
//!
//! Nothing here touches the file system: existence is the project's question
//! ([`crate::project::Project::exists`]).

use std::path::{Component, Path, PathBuf};

/// `a/./b/../c` → `a/c`. A `..` that climbs above the start is kept (`../x` stays `../x`), so a
/// path outside the repository never matches one inside it.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped = matches!(out.components().next_back(), Some(Component::Normal(_))) && out.pop();
                if !popped {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How CI systems and shells name the root of the checked-out repository. Azure Pipelines checks
/// a single repository out into `$(Pipeline.Workspace)/s`, which is also `$(Agent.BuildDirectory)/s`.
const CHECKOUT_ROOTS: &[&str] = &[
    "$(System.DefaultWorkingDirectory)",
    "$(Build.SourcesDirectory)",
    "$(Build.Repository.LocalPath)",
    "$(Pipeline.Workspace)/s",
    "$(Agent.BuildDirectory)/s",
    "$GITHUB_WORKSPACE",
    "${GITHUB_WORKSPACE}",
    "${{github.workspace}}",
    "${{env.GITHUB_WORKSPACE}}",
];

/// The rest of `raw` after a leading checkout-root variable (`""` when `raw` is the root
/// itself), or `None` when it does not start with one. `${{ github.workspace }}` is matched
/// with any spacing inside the braces.
pub fn strip_checkout_root(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    for root in CHECKOUT_ROOTS {
        if let Some(rest) = strip_root(raw, root) {
            if rest.is_empty() || rest.starts_with('/') {
                return Some(rest.trim_start_matches('/'));
            }
        }
    }
    None
}

/// `raw` without the prefix `root`, where the spaces of a `${{ … }}` expression are optional.
fn strip_root<'a>(raw: &'a str, root: &str) -> Option<&'a str> {
    if !root.starts_with("${{") {
        return raw.strip_prefix(root);
    }
    let inner = root.trim_start_matches("${{").trim_end_matches("}}");
    let rest = raw.strip_prefix("${{")?.trim_start();
    let rest = rest.strip_prefix(inner)?.trim_start();
    rest.strip_prefix("}}")
}

/// A literal repository-relative path as written in a pipeline, compose file or Dockerfile, or
/// `None` when it is dynamic (variables, globs, command substitution), remote, absolute or names
/// the current directory. A leading checkout-root variable is the repository root.
pub fn literal(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let p = strip_checkout_root(raw).unwrap_or(raw);
    let dynamic = ['$', '*', '?', '{', '~', '[', '`'].iter().any(|c| p.contains(*c));
    if p.is_empty() || p == "-" || p == "." || dynamic || p.contains("://") || p.starts_with('/') || p.contains('@') {
        return None;
    }
    let p = p.trim_start_matches("./").trim_end_matches('/');
    (!p.is_empty() && p != ".").then(|| p.to_string())
}

/// A literal directory (a build context, a working directory): like [`literal`], but the
/// current directory and the checkout root are the empty path instead of `None`.
pub fn literal_dir(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let p = strip_checkout_root(raw).unwrap_or(raw);
    if matches!(p.trim_end_matches('/'), "" | ".") {
        return Some(String::new());
    }
    literal(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../x/../y")), PathBuf::from("../y"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(normalize(Path::new("/r/a/../b")), PathBuf::from("/r/b"));
        assert_eq!(normalize(Path::new("./")), PathBuf::new());
    }

    #[test]
    fn checkout_roots_of_every_spelling() {
        for (raw, rest) in [
            ("$(Build.SourcesDirectory)", ""),
            ("$(Build.SourcesDirectory)/", ""),
            ("$(System.DefaultWorkingDirectory)/src/api", "src/api"),
            ("$(Pipeline.Workspace)/s/app", "app"),
            ("${{ github.workspace }}/svc", "svc"),
            ("${{github.workspace}}", ""),
            ("$GITHUB_WORKSPACE/docker", "docker"),
            ("${GITHUB_WORKSPACE}", ""),
        ] {
            assert_eq!(strip_checkout_root(raw), Some(rest), "{raw}");
        }
        assert_eq!(strip_checkout_root("$(Pipeline.Workspace)/drop"), None);
        assert_eq!(strip_checkout_root("$GITHUB_WORKSPACEX/a"), None);
        assert_eq!(strip_checkout_root("src"), None);
    }

    #[test]
    fn literals_and_directories() {
        assert_eq!(literal("./src/app/"), Some("src/app".into()));
        assert_eq!(
            literal("$(Build.SourcesDirectory)/requirements.txt"),
            Some("requirements.txt".into())
        );
        assert_eq!(literal("$(Build.SourcesDirectory)"), None);
        assert_eq!(literal("$(tag)/x"), None);
        assert_eq!(literal("/abs"), None);
        assert_eq!(literal("https://x/y"), None);
        assert_eq!(literal_dir("$(Build.SourcesDirectory)"), Some(String::new()));
        assert_eq!(literal_dir("${{ github.workspace }}/"), Some(String::new()));
        assert_eq!(literal_dir("."), Some(String::new()));
        assert_eq!(literal_dir("./api"), Some("api".into()));
        assert_eq!(literal_dir("$(ctx)"), None);
    }
}
