//! Cross-artifact rules: the repository as one system (pipelines, Dockerfiles, manifests,
//! Terraform and Python source checked against each other).

pub mod pipeline_path_missing;
