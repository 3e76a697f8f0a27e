//! CI pipeline rules (GitHub Actions and Azure Pipelines).
