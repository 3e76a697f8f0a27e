//! Dockerfile rules (DF): one native rule per file, reasoning on `lang::docker` and `lang::shell`.
