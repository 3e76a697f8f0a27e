//! linea: one fast linter for a whole service repository.
//!
//! The library behind the `linea` binary: discovery, parsing, rules, reports. The CLI, the
//! language server and the tests all use it.

pub mod budget;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
#[doc(hidden)]
pub mod fuzz;
pub mod lang;
pub mod memory;
pub mod panics;
pub mod project;
pub mod render;
pub mod report;
pub mod rules;
pub mod semantic;
pub mod server;
pub mod source;
