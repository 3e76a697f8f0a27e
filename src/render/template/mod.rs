//! A Go `text/template` interpreter with Helm's semantics, written for linea because rendering
//! must keep the origin of every byte: existing engines (gtmpl) return plain strings, lack
//! `break`/`continue`, `else with` and Helm's missing-key behaviour, and report errors without
//! spans.
//!
//! - [`lex`] and [`parse`]: Go's template grammar into a tree with byte spans.
//! - [`exec`]: evaluation (variables, pipelines, control structures, `define`/`template`/
//!   `block`, `include`, `tpl`) with the template limits of [`crate::budget`].
//! - [`value`]: Go's dynamic values; strings carry origin segments.
//! - [`funcs`]: Go's built-ins, Helm's functions and Sprig's.
//! - [`format`], [`yaml`], [`json`]: Go's `fmt`, Helm's `toYaml`/values reading, encoding/json.

pub mod exec;
pub mod format;
pub mod funcs;
pub mod json;
pub mod lex;
pub mod parse;
pub mod value;
pub mod yaml;

pub use exec::{ErrorKind, Exec, ExecError, Host, NoFiles, Set};
pub use value::{Loc, Map, Obj, Origin, Seg, Str, StrBuf, Val, V};

#[cfg(test)]
mod tests;
