//! The environments a chart is rendered for: from `[helm]` in the configuration when it names
//! values files, else from values files named for an environment next to the chart
//! (`values-prod.yaml`, `values.production.yaml`, `prod/values.yaml`, `values/prod.yaml`...).
//! Each environment renders with `values.yaml`, then its files. A chart with no environment
//! renders once, with its defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Fs;
use crate::config::Settings;
use crate::semantic::environment;
use crate::source::Environment;

/// One rendering of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvSpec {
    /// `default`, or the environment's name as written (`prod`, `staging`).
    pub name: String,
    pub environment: Environment,
    /// Values files applied over `values.yaml`, in order.
    pub files: Vec<PathBuf>,
}

/// The name of the environment a values file is named for, if its name has one of the
/// shapes `values-X`, `values.X`, `values_X`, `X-values`, `X.values`, `X_values`.
fn env_in_name(file: &str) -> Option<&str> {
    let stem = file.strip_suffix(".yaml").or_else(|| file.strip_suffix(".yml"))?;
    for sep in ['-', '.', '_'] {
        if let Some(x) = stem.strip_prefix("values").and_then(|r| r.strip_prefix(sep)) {
            return Some(x).filter(|x| !x.is_empty());
        }
        if let Some(x) = stem.strip_suffix("values").and_then(|r| r.strip_suffix(sep)) {
            return Some(x).filter(|x| !x.is_empty());
        }
    }
    None
}

/// Directories whose `X.yaml` files are values for environment `X`.
const VALUES_DIRS: &[&str] = &["values", "env", "envs", "environments", "helm-values"];

/// Values files found by name in `dir`: (environment name, path).
fn found_in(fs: &dyn Fs, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    for (name, is_dir) in fs.list(dir) {
        let path = dir.join(&name);
        if !is_dir {
            if let Some(env) = env_in_name(&name) {
                out.push((env.to_string(), path));
            }
            continue;
        }
        if VALUES_DIRS.contains(&name.as_str()) {
            for (f, sub_dir) in fs.list(&path) {
                let stem = f.strip_suffix(".yaml").or_else(|| f.strip_suffix(".yml"));
                if let (false, Some(stem)) = (sub_dir, stem) {
                    out.push((stem.to_string(), path.join(&f)));
                }
            }
        } else {
            // `prod/values.yaml`
            for file in ["values.yaml", "values.yml"] {
                let p = path.join(file);
                if fs.is_file(&p) {
                    out.push((name.clone(), p));
                }
            }
        }
    }
}

/// How many charts (directories with a `Chart.yaml`) `dir` holds directly.
fn charts_in(fs: &dyn Fs, dir: &Path) -> usize {
    fs.list(dir)
        .into_iter()
        .filter(|(n, is_dir)| *is_dir && fs.is_file(&dir.join(n).join("Chart.yaml")))
        .count()
}

/// The renderings of the chart in `dir`: configured values files (`files_by_env`, paths
/// already resolved) when there are any, else the environments found by name.
pub fn environments(
    fs: &dyn Fs,
    dir: &Path,
    settings: &Settings,
    files_by_env: &BTreeMap<String, Vec<PathBuf>>,
) -> Vec<EnvSpec> {
    let common: Vec<PathBuf> = files_by_env.get("default").cloned().unwrap_or_default();
    let mut by_env: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let configured = files_by_env.keys().any(|k| k != "default");
    if configured {
        for (env, files) in files_by_env.iter().filter(|(k, _)| *k != "default") {
            by_env.entry(env.clone()).or_default().extend(files.iter().cloned());
        }
    } else {
        let mut found = Vec::new();
        found_in(fs, dir, &mut found);
        // values next to the chart, when the chart is alone in its directory
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            if charts_in(fs, parent) == 1 {
                let mut beside = Vec::new();
                found_in(fs, parent, &mut beside);
                found.extend(beside.into_iter().filter(|(_, p)| !p.starts_with(dir)));
            }
        }
        for (env, path) in found {
            if environment::of_name(settings, &env).is_some() {
                by_env.entry(env).or_default().push(path);
            }
        }
    }
    if by_env.is_empty() {
        return vec![EnvSpec {
            name: "default".into(),
            environment: environment::of_path(settings, &dir.join("Chart.yaml")),
            files: common,
        }];
    }
    by_env
        .into_iter()
        .map(|(name, files)| EnvSpec {
            environment: environment::of_name(settings, &name).unwrap_or(Environment::Unknown),
            name,
            files: common.iter().cloned().chain(files).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_carry_an_environment() {
        assert_eq!(env_in_name("values-prod.yaml"), Some("prod"));
        assert_eq!(env_in_name("values.production.yml"), Some("production"));
        assert_eq!(env_in_name("staging-values.yaml"), Some("staging"));
        assert_eq!(env_in_name("values_dev.yaml"), Some("dev"));
        assert_eq!(env_in_name("values.yaml"), None);
        assert_eq!(env_in_name("Chart.yaml"), None);
    }
}
