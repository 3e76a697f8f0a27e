//! The semantic layer: one definition of each idea that rules of several families share,
//! between the parsers (`lang`) and the rules. A rule that needs to know what an image
//! reference is, which environment a job deploys to, or what a command line runs calls these;
//! it never re-derives them.
//!
//! | concept | module |
//! |---|---|
//! | environment of a file, object, job or module | [`environment`] |
//! | what a shell command runs (wrappers, runners, `sh -c`), tests and lint commands | [`command`] |
//! | `if:` / `condition:` as boolean expressions: restricted to main, PR-only, always true | [`condition`] |
//! | the deploy CLIs' arguments (kubectl, helm, terraform, az, azd, docker, kustomize) | [`cli`] |
//! | what a command, task or action deploys, its targets, the environment a job changes | [`deploy`] |
//! | what a job tests and lints, gates, the jobs before it, triggers from other branches | [`pipeline`] |
//! | image reference: registry, repository, tag, digest; a Dockerfile stage's base | [`image`] |
//! | network source: internet-wide prefixes, CIDR blocks and firewall ranges | [`network`] |
//! | port: number or range, protocol, where it is declared; the port a Python service listens on | [`port`] |
//! | test code: the files that only run under a test runner | [`test_code`] |
//! | a name that holds a secret (`DB_PASSWORD`, `storageAccountKey`), in every family | [`secret`] |
//! | package installs: manager, package words, versions, cache cleanup | [`package`] |
//! | paths: lexical normalisation, literal paths, the checkout root as CI systems name it | [`path`] |
//!
//! Names in Python code are resolved in the Python model itself ([`crate::lang::python`]:
//! `Call::qualified`, `Module::qualify`), once per module.
//!
//! Concepts depend on `lang` models and `config` settings only; `project` indexes and `rules`
//! depend on them.

pub mod cli;
pub mod command;
pub mod condition;
pub mod deploy;
pub mod environment;
pub mod image;
pub mod network;
pub mod package;
pub mod path;
pub mod pipeline;
pub mod port;
pub mod secret;
pub mod test_code;
