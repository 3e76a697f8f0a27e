//! The semantic layer: one definition of each idea that rules of several families share,
//! between the parsers (`lang`) and the rules. A rule that needs to know what an image
//! reference is, which environment a job deploys to, or what a command line runs calls these;
//! it never re-derives them.
//!
//! | concept | module |
//! |---|---|
//! | environment of a file, object, job or module | [`environment`] |
//!
//! Concepts depend on `lang` models and `config` settings only; `project` indexes and `rules`
//! depend on them.

pub mod environment;
