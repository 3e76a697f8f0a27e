//! Budgets: every limit linea puts on the work a scanned input can make it do, in one place.
//!
//! linea runs on pull requests from strangers, so a repository can be shaped to make a naive
//! linter hang or exhaust memory (alias bombs, doubling string templates, nested `$( )`, a FIFO
//! named `.gitignore`). Each [`Limit`] below names one such bound, its value and why it is
//! there; `docs/security.md` lists them all (a test keeps that page in step with [`ALL`]).
//!
//! Going over a budget is never a crash and never a silent skip: the construct that went over
//! becomes a PARSE004 (`budget-exceeded`) finding at its span, its value is treated as unknown
//! (so no value rule fires on it), the rest of the file is still reported on and the run goes on.
//!
//! # Using a budget (Helm template engine, Terraform evaluator, any expander)
//! ```
//! use linea::budget::{self, Meter};
//! use linea::lang::ParseError;
//! # let span = linea::source::Span::new(0, 4);
//! // a per-file (or per-evaluation) counter against a named limit
//! let mut meter = Meter::new(&budget::YAML_ALIAS_BYTES_PER_FILE);
//! match meter.charge(1_000) {
//!     Ok(()) => { /* expand */ }
//!     // a PARSE004 finding at the construct; make the value unknown and carry on
//!     Err(over) => { let _e = ParseError::budget(over.to_string(), span); }
//! }
//! // per-run limits are charged against the run the engine is executing, if any
//! let _ = budget::charge_run(&budget::YAML_ALIAS_BYTES_PER_RUN, 10);
//! ```
//! Add a new limit as a `pub const` here, list it in [`ALL`] (and in [`RUN_LIMITS`] when it
//! is per run), and document it in `docs/security.md` (the `budgets_are_documented` test
//! fails until you do).

use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What a limit's value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Nodes,
    Steps,
    Entries,
    Patterns,
    Levels,
    Findings,
    Pipes,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::Nodes => "nodes",
            Unit::Steps => "steps",
            Unit::Entries => "entries",
            Unit::Patterns => "patterns",
            Unit::Levels => "levels",
            Unit::Findings => "findings",
            Unit::Pipes => "pipes",
        }
    }
}

/// What a limit is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// One value (a word, a message, a glob).
    Value,
    /// One scanned file (or one editor document).
    File,
    /// One run of the engine (`linea check`, one lint of the language server).
    Run,
    /// One message of the language server protocol.
    Message,
    /// One Helm chart (its directory and subcharts).
    Chart,
    /// One Kustomize overlay built (its bases and components).
    Kustomization,
    /// One Terraform module instance evaluated (a root module, or a module call's instance).
    Module,
}

impl Per {
    pub fn as_str(self) -> &'static str {
        match self {
            Per::Value => "value",
            Per::File => "file",
            Per::Run => "run",
            Per::Message => "message",
            Per::Chart => "chart",
            Per::Kustomization => "kustomization",
            Per::Module => "module",
        }
    }
}

/// A named bound on work or memory.
#[derive(Debug, PartialEq, Eq)]
pub struct Limit {
    /// Stable kebab-case name, as documented (`yaml-alias-nodes-per-file`).
    pub name: &'static str,
    /// What is being bounded, as a message fragment (`YAML alias expansion`).
    pub what: &'static str,
    pub value: u64,
    pub unit: Unit,
    pub per: Per,
    /// Why the limit exists and why this value (one or two sentences, for the docs).
    pub why: &'static str,
}

impl Limit {
    /// The value as a `usize` (limits are far below `usize::MAX` on every platform linea runs on).
    pub const fn get(&self) -> usize {
        self.value as usize
    }

    /// The value with its unit, for messages and docs: `32 MiB`, `20,000 patterns`.
    pub fn amount(&self) -> String {
        if self.unit == Unit::Bytes {
            for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
                if self.value >= size && self.value.is_multiple_of(size) {
                    return format!("{} {unit}", self.value / size);
                }
            }
        }
        format!("{} {}", group(self.value), self.unit.as_str())
    }
}

// --- files ---------------------------------------------------------------------------------

/// Ignore files (`.gitignore`, `.ignore`, `.git/info/exclude`) larger than this are not applied.
pub const IGNORE_FILE_BYTES: Limit = Limit {
    name: "ignore-file-bytes",
    what: "ignore file",
    value: 1 << 20,
    unit: Unit::Bytes,
    per: Per::File,
    why: "an ignore file is read whole before the walk goes on; real ones are a few KiB, and a \
          link to `/dev/zero` must not be read until memory runs out",
};

/// Patterns of one ignore file beyond this are not applied (the file is reported).
pub const IGNORE_PATTERNS: Limit = Limit {
    name: "ignore-patterns-per-file",
    what: "ignore patterns",
    value: 20_000,
    unit: Unit::Patterns,
    per: Per::File,
    why: "every walked path is matched against every pattern of the ignore files above it; \
          monorepos stay in the hundreds",
};

/// A custom rule file larger than this is refused.
pub const RULE_FILE_BYTES: Limit = Limit {
    name: "rule-file-bytes",
    what: "rule file",
    value: 1 << 20,
    unit: Unit::Bytes,
    per: Per::File,
    why: "rule files are configuration, a few KiB each; a repository's `linea.toml` can name the \
          rules directory, so its files are as untrusted as the rest",
};

/// At most this many files are loaded from custom rule directories in one run.
pub const RULE_FILES: Limit = Limit {
    name: "rule-files-per-run",
    what: "custom rule files",
    value: 10_000,
    unit: Unit::Entries,
    per: Per::Run,
    why: "bounds the rule directory walk even when links inside it are cyclic",
};

/// Rule directories nest at most this deep.
pub const RULE_DIR_DEPTH: Limit = Limit {
    name: "rule-dir-depth",
    what: "rule directory nesting",
    value: 16,
    unit: Unit::Levels,
    per: Per::Run,
    why: "bounds the rule directory walk; policy repositories nest two or three levels",
};

/// Standard input is read up to `max-file-size`; this caps `max-file-size` itself for stdin.
pub const STDIN_BYTES: Limit = Limit {
    name: "stdin-bytes",
    what: "standard input",
    value: 256 << 20,
    unit: Unit::Bytes,
    per: Per::Run,
    why: "stdin is read before its size is known: the read stops one byte past the limit \
          instead of buffering whatever the other end sends",
};

/// A glob longer than this is not compiled: in a config (`exclude`, per-path ignores,
/// environments) or `--exclude` it is an error, in an ignore file it is reported and skipped.
pub const GLOB_BYTES: Limit = Limit {
    name: "glob-bytes",
    what: "glob",
    value: 4096,
    unit: Unit::Bytes,
    per: Per::Value,
    why: "every walked path is matched against every exclude and ignore glob, and a glob's \
          matcher grows with its length (a 100 KB pattern took over a minute); real globs are \
          under a hundred bytes",
};

// --- parsing and expansion ------------------------------------------------------------------

/// Memory that YAML anchors and aliases may copy in one file.
pub const YAML_ALIAS_BYTES_PER_FILE: Limit = Limit {
    name: "yaml-alias-bytes-per-file",
    what: "YAML alias expansion",
    value: 32 << 20,
    unit: Unit::Bytes,
    per: Per::File,
    why: "each alias is expanded into a copy of its anchor, so nine aliases of nine aliases \
          make a billion nodes from a few hundred bytes (billion laughs); counted over the whole \
          file (a stream of documents each under a per-document bound is the same bomb), as \
          64 bytes per copied node plus its text",
};

/// Memory that YAML anchors and aliases may copy in one run, all files together.
pub const YAML_ALIAS_BYTES_PER_RUN: Limit = Limit {
    name: "yaml-alias-bytes-per-run",
    what: "YAML alias expansion",
    value: 256 << 20,
    unit: Unit::Bytes,
    per: Per::Run,
    why: "a repository of many files each just under the per-file bound would still take \
          gigabytes; real anchors (compose `x-` blocks, shared CI steps) copy kilobytes",
};

/// `|` operators in one piece of shell text (a `RUN`, a CI step's script), counted before it
/// is parsed: a longer script is not parsed.
pub const SHELL_PIPES: Limit = Limit {
    name: "shell-pipes",
    what: "shell script",
    value: 1000,
    unit: Unit::Pipes,
    per: Per::Value,
    why: "the shell grammar keeps a pipeline's stages open until it ends, and the parser's error \
          recovery walks all of them: a 100 KB `a | a | … | a -f | b` took 20 s and 5 GB. Every \
          `|` of the text counts (quoted ones too), so no quoting can hide a pipeline; real \
          scripts have tens",
};

// --- Terraform evaluation -------------------------------------------------------------------

/// Nesting of expressions, of locals referring to locals, and of blocks that are evaluated.
pub const TERRAFORM_DEPTH: Limit = Limit {
    name: "terraform-depth",
    what: "Terraform nesting",
    value: 64,
    unit: Unit::Levels,
    per: Per::Value,
    why: "the evaluator recurses per level, and a local can refer to a local that refers back; \
          real modules nest a handful",
};

/// Bytes of one string a template or function builds.
pub const TERRAFORM_STRING_BYTES: Limit = Limit {
    name: "terraform-string-bytes",
    what: "Terraform string",
    value: 1 << 20,
    unit: Unit::Bytes,
    per: Per::Value,
    why: "`\"${local.a}${local.a}\"` doubles a string at each of forty locals; `strrev`, `format` \
          and `join` build strings from their input",
};

/// Elements of one list or map.
pub const TERRAFORM_ELEMENTS: Limit = Limit {
    name: "terraform-elements",
    what: "Terraform collection",
    value: 65_536,
    unit: Unit::Entries,
    per: Per::Value,
    why: "`range`, `setproduct` and `for` expressions multiply collections",
};

/// Evaluation steps of one module instance.
pub const TERRAFORM_STEPS_PER_MODULE: Limit = Limit {
    name: "terraform-steps-per-module",
    what: "Terraform evaluation",
    value: 4_000_000,
    unit: Unit::Steps,
    per: Per::Module,
    why: "one step per expression node plus each function call's work in proportion to its \
          input; the largest public modules take tens of thousands",
};

/// Bytes one module instance builds: strings created and values copied by substitution.
pub const TERRAFORM_BYTES_PER_MODULE: Limit = Limit {
    name: "terraform-bytes-per-module",
    what: "Terraform values",
    value: 64 << 20,
    unit: Unit::Bytes,
    per: Per::Module,
    why: "a reference copies its value, so locals referring to large locals (or `merge` folded \
          over a map) grow quadratically",
};

/// Bytes all module instances of a run build together.
pub const TERRAFORM_BYTES_PER_RUN: Limit = Limit {
    name: "terraform-bytes-per-run",
    what: "Terraform values",
    value: 512 << 20,
    unit: Unit::Bytes,
    per: Per::Run,
    why: "many modules each just under the per-module bound would still take gigabytes",
};

/// Evaluation steps of all module instances of a run.
pub const TERRAFORM_STEPS_PER_RUN: Limit = Limit {
    name: "terraform-steps-per-run",
    what: "Terraform evaluation",
    value: 200_000_000,
    unit: Unit::Steps,
    per: Per::Run,
    why: "bounds the whole run's evaluation time the way the per-module bound does a module's",
};

/// Instances one `for_each` resource or `dynamic` block is expanded into.
pub const TERRAFORM_EXPANSION: Limit = Limit {
    name: "terraform-expansion",
    what: "Terraform expansion",
    value: 64,
    unit: Unit::Entries,
    per: Per::Value,
    why: "each instance is a copy of the block checked on its own; more add no finding a \
          reader could act on",
};

/// Instances one module is evaluated in (its callers times their instances).
pub const TERRAFORM_MODULE_INSTANCES: Limit = Limit {
    name: "terraform-module-instances",
    what: "Terraform module instances",
    value: 32,
    unit: Unit::Entries,
    per: Per::Module,
    why: "a module called from many places, each with `for_each`, is evaluated once per instance",
};

/// Module calls followed in a chain.
pub const TERRAFORM_MODULE_DEPTH: Limit = Limit {
    name: "terraform-module-depth",
    what: "Terraform module calls",
    value: 8,
    unit: Unit::Levels,
    per: Per::Run,
    why: "each level evaluates the module it calls; real stacks nest two or three",
};

// --- Helm templates -------------------------------------------------------------------------

/// `include`/`template`/`tpl` calls nest at most this deep in one template's render.
pub const TEMPLATE_CALL_DEPTH: Limit = Limit {
    name: "template-call-depth",
    what: "template calls",
    value: 100,
    unit: Unit::Levels,
    per: Per::File,
    why: "a helper that includes itself recurses until the stack runs out (Helm stops at 1000); \
          real charts nest fewer than 20, and each level costs native stack",
};

/// Control structures and parentheses nest at most this deep in one template.
pub const TEMPLATE_NESTING: Limit = Limit {
    name: "template-nesting",
    what: "template nesting",
    value: 200,
    unit: Unit::Levels,
    per: Per::File,
    why: "the template parser recurses per level; real templates nest a dozen levels",
};

/// Evaluation steps (nodes, commands, loop iterations) of one template's render.
pub const TEMPLATE_STEPS: Limit = Limit {
    name: "template-steps-per-file",
    what: "template evaluation",
    value: 5_000_000,
    unit: Unit::Steps,
    per: Per::File,
    why: "`range` over `until` and recursive helpers make work unbounded by the template's size; \
          the largest public charts render a template in under 100,000 steps",
};

/// Bytes one template may render to, its includes' output counted.
pub const TEMPLATE_OUTPUT_BYTES: Limit = Limit {
    name: "template-output-bytes-per-file",
    what: "template output",
    value: 16 << 20,
    unit: Unit::Bytes,
    per: Per::File,
    why: "nested `range` loops multiply output; rendered manifests are kilobytes, install bundles \
          a few megabytes",
};

/// Entries a list-making template function (`until`, `splitList`, `concat`...) may return.
pub const TEMPLATE_LIST_ENTRIES: Limit = Limit {
    name: "template-list-entries",
    what: "template list",
    value: 1_000_000,
    unit: Unit::Entries,
    per: Per::Value,
    why: "`until 1000000000` would allocate gigabytes in one call",
};

/// Bytes a string-making template function (`repeat`, `indent`, `join`...) may return.
pub const TEMPLATE_STRING_BYTES: Limit = Limit {
    name: "template-string-bytes",
    what: "template string",
    value: 16 << 20,
    unit: Unit::Bytes,
    per: Per::Value,
    why: "`repeat` and `indent` multiply their input; doubling a string in a loop reaches memory \
          exhaustion in a few dozen steps",
};

/// Depth of a value tree that template functions walk (`toYaml`, `toJson`, `deepCopy`, `merge`).
pub const TEMPLATE_VALUE_DEPTH: Limit = Limit {
    name: "template-value-depth",
    what: "template value nesting",
    value: 200,
    unit: Unit::Levels,
    per: Per::Value,
    why: "`set $d \"self\" $d` makes a map that contains itself; values files nest a few levels",
};

/// Size of one compiled regular expression of a template (`regexMatch`...).
pub const TEMPLATE_REGEX_BYTES: Limit = Limit {
    name: "template-regex-bytes",
    what: "regular expression",
    value: 1 << 20,
    unit: Unit::Bytes,
    per: Per::Value,
    why: "a counted repetition such as `a{1000}{1000}` compiles to a huge program; chart regexes \
          are short",
};

/// Files of one chart directory that `.Files` and the template loader see.
pub const CHART_FILES: Limit = Limit {
    name: "chart-files",
    what: "chart files",
    value: 10_000,
    unit: Unit::Entries,
    per: Per::Chart,
    why: "a chart directory is walked whole for `.Files`; real charts hold tens to hundreds of files",
};

/// Subcharts nest at most this deep (`charts/a/charts/b/...`).
pub const SUBCHART_DEPTH: Limit = Limit {
    name: "subchart-depth",
    what: "subchart nesting",
    value: 8,
    unit: Unit::Levels,
    per: Per::Chart,
    why: "each level is loaded and rendered; umbrella charts nest two or three levels",
};

/// Kustomizations include bases and components at most this deep.
pub const KUSTOMIZE_DEPTH: Limit = Limit {
    name: "kustomize-depth",
    what: "kustomization nesting",
    value: 16,
    unit: Unit::Levels,
    per: Per::Kustomization,
    why: "each base is built before the overlay that includes it; real overlays nest two to four \
          levels (overlay, base, components)",
};

/// Bytes of resource files one build loads, counted each time a file is included.
pub const KUSTOMIZE_RESOURCE_BYTES: Limit = Limit {
    name: "kustomize-resource-bytes",
    what: "kustomization resources",
    value: 64 << 20,
    unit: Unit::Bytes,
    per: Per::Kustomization,
    why: "a base included twice by each of sixteen levels of bases is built 65,536 times; real \
          overlays load a few hundred KiB",
};

// --- rule output ----------------------------------------------------------------------------

/// Bytes of one placeholder's value in a rendered message (`{value}`, `{path}`).
pub const MESSAGE_VALUE_BYTES: Limit = Limit {
    name: "message-value-bytes",
    what: "message placeholder",
    value: 200,
    unit: Unit::Bytes,
    per: Per::Value,
    why: "a custom rule's message can repeat `{value}`, and the value can be a 10 MB scalar; \
          longer values are cut at a character boundary and end with `…`",
};

/// Bytes of one rendered message.
pub const MESSAGE_BYTES: Limit = Limit {
    name: "message-bytes",
    what: "rendered message",
    value: 1024,
    unit: Unit::Bytes,
    per: Per::Value,
    why: "messages are one line of at most 80 characters by the style guide; 1 KiB leaves room \
          for long names and bounds a template of many placeholders",
};

// --- language server ------------------------------------------------------------------------

/// `Content-Length` of one language server message.
pub const LSP_MESSAGE_BYTES: Limit = Limit {
    name: "lsp-message-bytes",
    what: "language server message",
    value: 64 << 20,
    unit: Unit::Bytes,
    per: Per::Message,
    why: "the header is read before the body: a larger `Content-Length` is refused (the body is \
          skipped as it arrives) instead of allocated; an open document's text is bounded by \
          `max-file-size` anyway",
};

/// Diagnostics published for one document.
pub const LSP_DIAGNOSTICS_PER_DOCUMENT: Limit = Limit {
    name: "lsp-diagnostics-per-document",
    what: "diagnostics",
    value: 1000,
    unit: Unit::Findings,
    per: Per::File,
    why: "an editor cannot show more usefully, and a generated file can yield hundreds of \
          thousands; the rest are summarised in one notice",
};

/// Quick fixes kept for one document.
pub const LSP_CODE_ACTIONS_PER_DOCUMENT: Limit = Limit {
    name: "lsp-code-actions-per-document",
    what: "quick fixes",
    value: 1000,
    unit: Unit::Findings,
    per: Per::File,
    why: "quick fixes are kept between lints with their edits; bounded like the diagnostics",
};

/// Every limit, for the docs and `docs/security.md`'s test.
pub const ALL: &[&Limit] = &[
    &IGNORE_FILE_BYTES,
    &IGNORE_PATTERNS,
    &RULE_FILE_BYTES,
    &RULE_FILES,
    &RULE_DIR_DEPTH,
    &STDIN_BYTES,
    &GLOB_BYTES,
    &YAML_ALIAS_BYTES_PER_FILE,
    &YAML_ALIAS_BYTES_PER_RUN,
    &SHELL_PIPES,
    &TERRAFORM_DEPTH,
    &TERRAFORM_STRING_BYTES,
    &TERRAFORM_ELEMENTS,
    &TERRAFORM_STEPS_PER_MODULE,
    &TERRAFORM_BYTES_PER_MODULE,
    &TERRAFORM_BYTES_PER_RUN,
    &TERRAFORM_STEPS_PER_RUN,
    &TERRAFORM_EXPANSION,
    &TERRAFORM_MODULE_INSTANCES,
    &TERRAFORM_MODULE_DEPTH,
    &TEMPLATE_CALL_DEPTH,
    &TEMPLATE_NESTING,
    &TEMPLATE_STEPS,
    &TEMPLATE_OUTPUT_BYTES,
    &TEMPLATE_LIST_ENTRIES,
    &TEMPLATE_STRING_BYTES,
    &TEMPLATE_VALUE_DEPTH,
    &TEMPLATE_REGEX_BYTES,
    &CHART_FILES,
    &SUBCHART_DEPTH,
    &KUSTOMIZE_DEPTH,
    &KUSTOMIZE_RESOURCE_BYTES,
    &MESSAGE_VALUE_BYTES,
    &MESSAGE_BYTES,
    &LSP_MESSAGE_BYTES,
    &LSP_DIAGNOSTICS_PER_DOCUMENT,
    &LSP_CODE_ACTIONS_PER_DOCUMENT,
];

/// The limits counted over a whole run (shared by every file's parse on every thread).
pub const RUN_LIMITS: &[&Limit] = &[&YAML_ALIAS_BYTES_PER_RUN];

/// A budget went over its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: &'static Limit,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = self.limit;
        write!(f, "{} exceeds the {} budget of {}", l.what, l.per.as_str(), l.amount())
    }
}

impl std::error::Error for Exceeded {}

/// `250000` → `250,000`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A counter against one limit, owned by whoever does the work (a file's parse, one
/// evaluation). Once over, it stays over.
#[derive(Debug, Clone)]
pub struct Meter {
    limit: &'static Limit,
    used: u64,
}

impl Meter {
    pub fn new(limit: &'static Limit) -> Self {
        Meter { limit, used: 0 }
    }

    /// Count `n` more units; `Err` when that goes over the limit (nothing is counted then).
    pub fn charge(&mut self, n: u64) -> Result<(), Exceeded> {
        match self.used.checked_add(n) {
            Some(total) if total <= self.limit.value => {
                self.used = total;
                Ok(())
            }
            _ => {
                self.used = self.limit.value.saturating_add(1);
                Err(Exceeded { limit: self.limit })
            }
        }
    }

    pub fn used(&self) -> u64 {
        self.used
    }

    pub fn exceeded(&self) -> bool {
        self.used > self.limit.value
    }
}

/// A counter against one limit shared by several threads (the parts of a file parsed in
/// parallel, every file of a run).
#[derive(Debug)]
pub struct SharedMeter {
    limit: &'static Limit,
    used: AtomicU64,
}

impl SharedMeter {
    pub fn new(limit: &'static Limit) -> Self {
        SharedMeter {
            limit,
            used: AtomicU64::new(0),
        }
    }

    /// Count `n` more units; `Err` when the total goes over the limit.
    pub fn charge(&self, n: u64) -> Result<(), Exceeded> {
        let before = self.used.fetch_add(n, Ordering::Relaxed);
        if before.saturating_add(n) > self.limit.value {
            // stay over for every later caller, without ever wrapping
            self.used.store(self.limit.value.saturating_add(1), Ordering::Relaxed);
            return Err(Exceeded { limit: self.limit });
        }
        Ok(())
    }

    /// Give back `n` units counted for work that was thrown away.
    pub fn refund(&self, n: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| Some(u.saturating_sub(n)));
    }

    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    pub fn exceeded(&self) -> bool {
        self.used() > self.limit.value
    }
}

/// The counters of one engine run, shared by all its threads.
#[derive(Debug)]
pub struct Run {
    meters: Vec<SharedMeter>,
}

impl Default for Run {
    fn default() -> Self {
        Run {
            meters: RUN_LIMITS.iter().map(|l| SharedMeter::new(l)).collect(),
        }
    }
}

impl Run {
    pub fn new() -> Arc<Run> {
        Arc::new(Run::default())
    }

    fn meter(&self, limit: &'static Limit) -> Option<&SharedMeter> {
        self.meters
            .iter()
            .find(|m| std::ptr::eq(m.limit, limit) || m.limit.name == limit.name)
    }

    /// Count `n` units against a per-run limit. A limit not in [`RUN_LIMITS`] is not counted.
    pub fn charge(&self, limit: &'static Limit, n: u64) -> Result<(), Exceeded> {
        self.meter(limit).map_or(Ok(()), |m| m.charge(n))
    }

    /// Give back units counted for work that was thrown away.
    pub fn refund(&self, limit: &'static Limit, n: u64) {
        if let Some(m) = self.meter(limit) {
            m.refund(n);
        }
    }

    pub fn used(&self, limit: &'static Limit) -> u64 {
        self.meter(limit).map_or(0, SharedMeter::used)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Run>>> = const { RefCell::new(None) };
}

/// Run `f` on this thread as part of `run`: per-run limits charged inside `f` count against it.
/// Work that `f` hands to other threads (rayon) must enter the run again there: capture
/// [`current`] first and call `within` inside each task.
pub fn within<T>(run: Option<&Arc<Run>>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Arc<Run>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let prev = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), run.cloned()));
    let _restore = Restore(prev);
    f()
}

/// The run this thread is working for, if any.
pub fn current() -> Option<Arc<Run>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Count `n` units against a per-run limit of the current run; always `Ok` outside a run
/// (a rule file being loaded, a unit test).
pub fn charge_run(limit: &'static Limit, n: u64) -> Result<(), Exceeded> {
    CURRENT.with(|c| match &*c.borrow() {
        Some(run) => run.charge(limit, n),
        None => Ok(()),
    })
}

/// `Err` for a glob longer than [`GLOB_BYTES`] (an exclude, a per-path ignore, an ignore-file
/// pattern, a template's `.Files.Glob`): check before compiling it.
pub fn check_glob(glob: &str) -> Result<(), Exceeded> {
    if glob.len() as u64 > GLOB_BYTES.value {
        return Err(Exceeded { limit: &GLOB_BYTES });
    }
    Ok(())
}

/// `s` cut to at most `max` bytes at a character boundary, with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}…", &s[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_stays_over_once_over() {
        let mut m = Meter::new(&YAML_ALIAS_BYTES_PER_FILE);
        assert!(m.charge(YAML_ALIAS_BYTES_PER_FILE.value).is_ok());
        let e = m.charge(1).unwrap_err();
        assert_eq!(e.to_string(), "YAML alias expansion exceeds the file budget of 32 MiB");
        assert_eq!(IGNORE_PATTERNS.amount(), "20,000 patterns");
        assert!(m.charge(0).is_err());
        assert!(m.exceeded());
        assert!(Meter::new(&GLOB_BYTES).charge(u64::MAX).is_err());
    }

    #[test]
    fn run_budgets_are_shared_across_threads_and_scoped() {
        let run = Run::new();
        let limit = &YAML_ALIAS_BYTES_PER_RUN;
        let per_thread = limit.value / 4;
        std::thread::scope(|s| {
            for _ in 0..4 {
                let run = run.clone();
                s.spawn(move || within(Some(&run), || charge_run(limit, per_thread).unwrap()));
            }
        });
        assert_eq!(run.used(limit), per_thread * 4);
        within(Some(&run), || {
            assert!(charge_run(limit, limit.value).is_err());
            assert!(current().is_some());
        });
        // outside a run nothing is counted and nothing fails
        assert!(current().is_none());
        assert!(charge_run(limit, u64::MAX).is_ok());
    }

    #[test]
    fn limits_have_unique_names_and_run_limits_are_listed() {
        let mut names = std::collections::BTreeSet::new();
        for l in ALL {
            assert!(names.insert(l.name), "duplicate limit name {}", l.name);
            assert!(l.value > 0 && !l.why.is_empty());
        }
        for l in RUN_LIMITS {
            assert_eq!(l.per, Per::Run);
            assert!(ALL.contains(l));
        }
    }

    #[test]
    fn budgets_are_documented() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/security.md");
        let doc = std::fs::read_to_string(path).unwrap();
        for l in ALL {
            let row = format!("| `{}` | {} | {} |", l.name, l.amount(), l.per.as_str());
            assert!(doc.contains(&row), "docs/security.md lacks the row `{row} ... |`");
        }
        let rows = doc.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(
            rows,
            ALL.len(),
            "docs/security.md lists a budget that src/budget.rs does not have"
        );
    }

    #[test]
    fn truncation_keeps_characters_whole() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "abc…");
        assert_eq!(truncate("aé", 2), "a…");
    }
}
