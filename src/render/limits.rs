//! The bounds every renderer enforces, so a hostile or runaway chart costs a bounded amount of
//! time and memory. A template that hits one does not render and is reported (PARSE003) with
//! the limit it hit.

/// Nesting of `include`/`template`/`tpl` calls (Helm allows 1000 nested includes; real charts
/// nest fewer than 20, and each level costs native stack).
pub const MAX_CALL_DEPTH: usize = 100;

/// Nesting of control structures and parentheses in one template (parser recursion).
pub const MAX_PARSE_DEPTH: usize = 200;

/// Evaluation steps (nodes, commands, loop iterations) for one template file, including what
/// it includes.
pub const MAX_STEPS: u64 = 5_000_000;

/// Bytes one template file may render to (its includes' output counted as produced).
pub const MAX_OUTPUT: usize = 16 * 1024 * 1024;

/// Elements a list-producing function (`until`, `seq`, `splitList`...) may make, and bytes a
/// string function (`repeat`, `indent`...) may return.
pub const MAX_LIST: usize = 1_000_000;
pub const MAX_STRING: usize = 16 * 1024 * 1024;

/// Depth of a value tree that recursive functions (`toYaml`, `toJson`, `deepCopy`, `merge`)
/// walk: deeper trees (or cycles made with `set`) are an error.
pub const MAX_VALUE_DEPTH: usize = 200;

/// Distinct regular expressions compiled per render, and the size of one compiled program.
pub const MAX_REGEX_SIZE: usize = 1 << 20;
