//! Dockerfiles into a span-carrying model: instructions with their keyword, flags and
//! arguments, stages, ARG/ENV/LABEL pairs, heredocs, and every RUN body parsed as shell
//! (with offsets into the file). Built on `parse-dockerfile`, whose first error becomes a
//! [`ParseError`].
//!
//! Declarative checks see each instruction (target `dockerfile.instruction`, `type:` the
//! upper-case keyword) as a map: `keyword`; `arguments` (list of strings: exec-form elements,
//! a shell-form command as one string, COPY/ADD sources then destination, FROM image then
//! alias); `flags` (`{from: build, chown: "app:app", link: true}`, without the `--`); `form`
//! (`exec`/`shell`, for RUN/CMD/ENTRYPOINT/HEALTHCHECK/SHELL); `values` (ARG/ENV/LABEL
//! `{NAME: value}`, `null` for `ARG NAME`); `heredocs` (list of bodies).

use crate::lang::shell::{self, Script};
use crate::lang::ParseError;
use crate::source::node::{Entry, Node, NodeValue};
use crate::source::Span;

/// Variable lookups allowed for one [`Dockerfile::resolve`].
const LOOKUP_BUDGET: usize = 256;

/// A word of a Dockerfile instruction: its unescaped value and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

/// `--from=build`, `--chown=app:app`, `--mount=type=cache,target=/root/.cache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Without the leading `--`.
    pub name: Word,
    pub value: Option<Word>,
    pub span: Span,
}

/// `KEY=value` of ARG, ENV and LABEL (`value` is `None` for `ARG NAME`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub key: Word,
    pub value: Option<Word>,
}

/// Exec form (`["python", "app.py"]`) or shell form (`python app.py`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Exec,
    Shell,
}

/// A here-document body (`RUN <<EOF ... EOF`, `COPY <<EOF /etc/x ... EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub span: Span,
    pub body: String,
    /// `false` when the delimiter is quoted (no expansion).
    pub expand: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// Position in [`Dockerfile::instructions`].
    pub index: usize,
    /// Upper-case keyword: `RUN`, `COPY`...
    pub keyword: String,
    pub keyword_span: Span,
    /// From the keyword to the end of the last argument (heredoc bodies included).
    pub span: Span,
    /// Stage the instruction belongs to; `None` for ARGs before the first FROM.
    pub stage: Option<usize>,
    pub flags: Vec<Flag>,
    /// Exec-form elements; a shell-form command as one word; COPY/ADD sources then
    /// destination; FROM: the image; otherwise the instruction's words.
    pub args: Vec<Word>,
    /// For RUN, CMD, ENTRYPOINT, HEALTHCHECK CMD.
    pub form: Option<Form>,
    /// ARG, ENV and LABEL pairs.
    pub pairs: Vec<Pair>,
    pub heredocs: Vec<Heredoc>,
    /// RUN (shell form) and its shell heredoc bodies, parsed as shell; an exec-form RUN as one
    /// command of its elements.
    pub scripts: Vec<Script>,
    /// The instruction as a spanned tree for declarative checks.
    pub node: Node,
    /// Index of the SHELL instruction in effect (of this stage, or inherited from the stage it
    /// is built FROM); `None` for the default `/bin/sh -c`.
    pub shell: Option<usize>,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name.text.eq_ignore_ascii_case(name))
    }

    /// Every shell command of the instruction (all scripts).
    pub fn commands(&self) -> impl Iterator<Item = &shell::Command> {
        self.scripts.iter().flat_map(|s| s.commands.iter())
    }

    pub fn is(&self, keyword: &str) -> bool {
        self.keyword == keyword
    }
}

/// `FROM image [AS name]` and the instructions up to the next FROM.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub index: usize,
    /// Index of the FROM instruction.
    pub from: usize,
    pub image: Word,
    pub name: Option<Word>,
    /// One past the stage's last instruction.
    pub end: usize,
    /// The earlier stage this one is built FROM, when its image names one.
    pub base: Option<usize>,
    /// Whether the stage's layers end up in the final image (see [`Dockerfile::final_chain`]).
    pub in_final_image: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dockerfile {
    /// The escape character (`\` unless the `escape` directive says otherwise).
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// Indexes of the stages whose layers make up the final image: the last stage, then the
    /// stage it is built `FROM`, and so on.
    pub final_chain: Vec<usize>,
    /// ARG/ENV definitions by name, in document order (for [`Dockerfile::variable`]).
    definitions: std::collections::HashMap<String, Vec<Definition>>,
    /// Stage index by lower-case name.
    stage_names: std::collections::HashMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq)]
struct Definition {
    instruction: usize,
    value: Option<String>,
    /// ARG (true) or ENV.
    arg: bool,
}

impl Dockerfile {
    /// A PARSE004 error for each shell script that went over a budget and was not parsed.
    pub fn budget_errors(&self) -> impl Iterator<Item = ParseError> + '_ {
        self.instructions
            .iter()
            .flat_map(|i| &i.scripts)
            .filter_map(|s| Some(ParseError::budget(s.over_budget.as_ref()?.to_string(), s.span)))
    }

    /// The instructions of a stage, FROM excluded.
    pub fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        self.instructions.get(stage.from + 1..stage.end).unwrap_or(&[])
    }

    /// The global ARGs (before the first FROM).
    pub fn global_args(&self) -> impl Iterator<Item = &Pair> {
        self.instructions
            .iter()
            .take_while(|i| i.stage.is_none())
            .flat_map(|i| i.pairs.iter())
    }

    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The value of `name` as seen by instruction `at`: an ARG/ENV default of its stage, or a
    /// global ARG default (in FROM, or redeclared in the stage).
    pub fn variable(&self, name: &str, at: usize) -> Option<String> {
        self.variable_at_depth(name, at, 0, &std::cell::Cell::new(LOOKUP_BUDGET))
    }

    /// `ENV PORT=${PORT}` after `ARG PORT=8080`: a value that refers to other variables is
    /// resolved where it is defined, a few levels deep.
    fn variable_at_depth(
        &self,
        name: &str,
        at: usize,
        depth: usize,
        budget: &std::cell::Cell<usize>,
    ) -> Option<String> {
        // `ENV A=$B$B$B...` chains must not multiply: a bounded number of lookups per resolve
        budget.set(budget.get().checked_sub(1)?);
        let (value, defined_at) = self.definition(name, at)?;
        if !value.contains('$') {
            return Some(value);
        }
        if depth >= 4 {
            return None;
        }
        self.resolve_at_depth(&value, defined_at, depth + 1, budget)
    }

    /// The raw value of `name` as seen by instruction `at`, and the instruction defining it.
    fn definition(&self, name: &str, at: usize) -> Option<(String, usize)> {
        let defs = self.definitions.get(name).map(Vec::as_slice).unwrap_or(&[]);
        let global = || {
            defs.iter()
                .take_while(|d| self.instructions.get(d.instruction).is_some_and(|i| i.stage.is_none()))
                .last()
                .and_then(|d| d.value.clone().map(|v| (v, d.instruction)))
        };
        let stage = self.instructions.get(at).and_then(|i| i.stage);
        let Some(stage) = stage.and_then(|s| self.stages.get(s)) else {
            return global();
        };
        // a FROM sees the global ARGs only
        if at == stage.from {
            return global();
        }
        // the last definition before `at`, if it is inside the stage
        let before = defs.partition_point(|d| d.instruction < at);
        let last = defs[..before].last().filter(|d| d.instruction > stage.from)?;
        match &last.value {
            Some(v) => Some((v.clone(), last.instruction)),
            // `ARG NAME` in a stage makes the global default visible
            None if last.arg => global(),
            None => None,
        }
    }

    /// Expand `$VAR`, `${VAR}`, `${VAR:-default}` with known values; `None` when any
    /// variable is unknown.
    pub fn resolve(&self, text: &str, at: usize) -> Option<String> {
        self.resolve_at_depth(text, at, 0, &std::cell::Cell::new(LOOKUP_BUDGET))
    }

    fn resolve_at_depth(&self, text: &str, at: usize, depth: usize, budget: &std::cell::Cell<usize>) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            let (name, default, consumed) = if let Some(inner) = after.strip_prefix('{') {
                let close = inner.find('}')?;
                let body = &inner[..close];
                let (n, d) = match body.find(":-").or_else(|| body.find('-')) {
                    Some(i) => {
                        let skip = if body[i..].starts_with(":-") { 2 } else { 1 };
                        (&body[..i], Some(&body[i + skip..]))
                    }
                    None => (body, None),
                };
                (n, d, close + 2)
            } else {
                let len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                if len == 0 {
                    out.push('$');
                    rest = after;
                    continue;
                }
                (&after[..len], None, len)
            };
            match self
                .variable_at_depth(name, at, depth, budget)
                .filter(|v| !v.is_empty())
            {
                Some(v) => out.push_str(&v),
                None => out.push_str(default?),
            }
            rest = &after[consumed..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// Index of the stage named `name` (case-insensitive, as BuildKit compares them).
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stage_names
            .get(&name.to_ascii_lowercase())
            .and_then(|&i| self.stages.get(i))
    }
}

/// Parse a Dockerfile. On a syntax error the model is `None` and the error carries the
/// parser's line.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    // the parser is third-party: a bug in it must cost this file, not the run
    let parsed = crate::panics::catch(|| parse_dockerfile::parse(text).map(|p| build(text, &p)));
    let Ok(first) = parsed else {
        return Err(ParseError::new(
            "the Dockerfile parser failed on this file",
            Span::empty(0),
        ));
    };
    match first {
        Ok(d) => Ok(d),
        Err(e) => {
            // parse-dockerfile only knows heredocs that open a RUN (`RUN <<EOF`); BuildKit
            // also accepts `RUN cat <<EOF > /etc/app.conf`. Retry with those bodies blanked
            // (same offsets) and attach them afterwards.
            let (blanked, bodies, markers) = blank_heredocs(text);
            if bodies.is_empty() {
                return Err(error_at(text, &e));
            }
            let reparse = |t: &str| crate::panics::catch(|| parse_dockerfile::parse(t).ok().map(|p| build(t, &p)));
            // a RUN that opens with one heredoc and names another (`RUN <<A cat > a && <<B cat
            // > b`) still looks for its first body: blank the `<<A` markers too, the bodies are
            // attached from the original text either way
            let reparsed = reparse(&blanked).ok().flatten().or_else(|| {
                let mut bytes = blanked.clone().into_bytes();
                for m in &markers {
                    for b in bytes.iter_mut().take(m.end).skip(m.start) {
                        *b = b' ';
                    }
                }
                let unmarked = String::from_utf8(bytes).ok()?;
                reparse(&unmarked).ok().flatten()
            });
            match reparsed {
                Some(mut d) => {
                    attach_heredocs(text, &mut d, &bodies);
                    Ok(d)
                }
                None => Err(error_at(text, &e)),
            }
        }
    }
}

/// Record on each instruction which SHELL is in effect: SHELL is image configuration, so a
/// stage built FROM an earlier stage starts with that stage's last SHELL.
fn assign_shells(d: &mut Dockerfile) {
    let mut last_shell: Vec<Option<usize>> = Vec::with_capacity(d.stages.len());
    for si in 0..d.stages.len() {
        let (from, end, base) = match d.stages.get(si) {
            Some(s) => (s.from, s.end, s.base),
            None => break,
        };
        let mut current = base.and_then(|b| last_shell.get(b).copied().flatten());
        for i in d.instructions.get_mut(from..end).unwrap_or(&mut []) {
            i.shell = current;
            if i.is("SHELL") {
                current = Some(i.index);
            }
        }
        last_shell.push(current);
    }
}

/// Stage names, each stage's base stage, and the chain of stages in the final image.
fn link_stages(d: &mut Dockerfile) {
    for s in &d.stages {
        if let Some(n) = &s.name {
            d.stage_names.entry(n.text.to_ascii_lowercase()).or_insert(s.index);
        }
    }
    for s in &mut d.stages {
        s.base = d
            .stage_names
            .get(&s.image.text.to_ascii_lowercase())
            .copied()
            .filter(|&b| b < s.index);
    }
    let mut cur = d.stages.len().checked_sub(1);
    while let Some(i) = cur {
        d.final_chain.push(i);
        cur = match d.stages.get_mut(i) {
            Some(s) => {
                s.in_final_image = true;
                s.base
            }
            None => None,
        };
    }
}

/// A heredoc found by [`blank_heredocs`]: the line its RUN starts on and its body.
struct FoundHeredoc {
    run_start: usize,
    body: Span,
    quoted: bool,
    /// The command word the body is fed to (`sh`, `cat`, `python3`), empty for `RUN <<EOF`.
    runner: String,
}

/// Blank the heredoc bodies (and their delimiter lines) of RUN instructions, keeping every
/// byte offset: each body character except line breaks becomes a space.
/// Also returns the spans of the `<<DELIM` markers.
fn blank_heredocs(text: &str) -> (String, Vec<FoundHeredoc>, Vec<Span>) {
    let mut out: Vec<u8> = text.as_bytes().to_vec();
    let mut found = Vec::new();
    let mut markers = Vec::new();
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0usize, |pos, l| {
            let start = *pos;
            *pos += l.len();
            Some((start, l))
        })
        .collect();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        let is_run = line
            .trim_start()
            .get(..4)
            .is_some_and(|w| w.eq_ignore_ascii_case("RUN "));
        if !is_run {
            i += 1;
            continue;
        }
        // the instruction's lines: continuation lines end with `\`
        let mut delims: Vec<(String, bool, bool, String)> = Vec::new();
        loop {
            let (ls, l) = lines[i];
            let mut at = Vec::new();
            collect_delimiters(l, &mut delims, &mut at);
            markers.extend(at.into_iter().map(|m| m.offset(ls)));
            i += 1;
            if !l.trim_end().ends_with('\\') || i >= lines.len() {
                break;
            }
        }
        for (delim, strip, quoted, runner) in delims {
            let body_start = lines.get(i).map(|l| l.0).unwrap_or(text.len());
            let mut closed = false;
            while i < lines.len() {
                let (ls, l) = lines[i];
                let content = l.trim_end_matches(['\n', '\r']);
                let content = if strip {
                    content.trim_start_matches('\t')
                } else {
                    content
                };
                i += 1;
                for b in out.iter_mut().skip(ls).take(l.len()) {
                    if *b != b'\n' && *b != b'\r' {
                        *b = b' ';
                    }
                }
                if content == delim {
                    found.push(FoundHeredoc {
                        run_start: start,
                        body: Span::new(body_start, ls),
                        quoted,
                        runner: runner.clone(),
                    });
                    closed = true;
                    break;
                }
            }
            if !closed {
                return (text.to_string(), Vec::new(), Vec::new());
            }
        }
    }
    (
        String::from_utf8(out).unwrap_or_else(|_| text.to_string()),
        found,
        markers,
    )
}

/// `<<EOF`, `<<-EOF`, `<<'EOF'`, `<<"EOF"` in one line (here-strings `<<<` excluded), and
/// where each marker is in the line.
fn collect_delimiters(line: &str, out: &mut Vec<(String, bool, bool, String)>, markers: &mut Vec<Span>) {
    let mut rest = line;
    while let Some(p) = rest.find("<<") {
        let marker_start = line.len() - rest.len() + p;
        // the command word of the simple command the heredoc belongs to
        let before = &rest[..p];
        let segment = before.rsplit(['&', ';', '|', '(']).next().unwrap_or(before);
        let segment = segment.trim_start();
        let segment = match segment.get(..4) {
            Some(w) if w.eq_ignore_ascii_case("RUN ") => &segment[4..],
            _ => segment,
        };
        let mut runner = segment.split_whitespace().next().unwrap_or("").to_string();
        let after = &rest[p + 2..];
        if after.starts_with('<') {
            rest = after.trim_start_matches('<');
            continue;
        }
        let (strip, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let (quote, after) = match after.chars().next() {
            Some(q @ ('\'' | '"')) => (Some(q), &after[1..]),
            _ => (None, after),
        };
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
            .unwrap_or(after.len());
        if len > 0 {
            let mut tail = &after[len..];
            if let Some(q) = quote {
                tail = tail.strip_prefix(q).unwrap_or(tail);
            }
            // `<<EOF cat > f`: the command comes after the marker
            if runner.is_empty() {
                runner = tail
                    .split(['&', ';', '|', ')'])
                    .next()
                    .and_then(|c| c.split_whitespace().find(|w| !w.starts_with("<<")))
                    .unwrap_or("")
                    .to_string();
            }
            markers.push(Span::new(marker_start, line.len() - tail.len()));
            out.push((after[..len].to_string(), strip, quote.is_some(), runner));
            rest = tail;
        } else {
            rest = after;
        }
    }
}

fn attach_heredocs(text: &str, d: &mut Dockerfile, bodies: &[FoundHeredoc]) {
    for h in bodies {
        let Some(i) = d
            .instructions
            .iter_mut()
            .find(|i| i.is("RUN") && i.keyword_span.start >= h.run_start && i.keyword_span.start < h.body.start)
        else {
            continue;
        };
        let body = h.body.slice(text);
        let first = h.runner.as_str();
        if (first.is_empty() || is_shell_word(first)) && heredoc_is_shell(first, body) {
            i.scripts.push(shell::parse(&body.replace('\t', " "), h.body.start));
        }
        i.heredocs.push(Heredoc {
            span: h.body,
            body: body.to_string(),
            expand: !h.quoted,
        });
        i.span = i.span.cover(h.body);
        i.node = node_of(i);
    }
}

fn is_shell_word(w: &str) -> bool {
    matches!(w.rsplit('/').next(), Some("sh" | "bash" | "dash" | "ash"))
}

fn build(text: &str, parsed: &parse_dockerfile::Dockerfile<'_>) -> Dockerfile {
    let escape = parsed
        .parser_directives
        .escape
        .as_ref()
        .map(|d| d.value.value)
        .unwrap_or('\\');
    let mut out = Dockerfile {
        escape,
        instructions: Vec::with_capacity(parsed.instructions.len()),
        stages: Vec::new(),
        final_chain: Vec::new(),
        definitions: std::collections::HashMap::new(),
        stage_names: std::collections::HashMap::new(),
    };
    for inst in &parsed.instructions {
        let index = out.instructions.len();
        if let parse_dockerfile::Instruction::From(from) = inst {
            let stage = out.stages.len();
            if let Some(prev) = out.stages.last_mut() {
                prev.end = index;
            }
            out.stages.push(Stage {
                index: stage,
                from: index,
                image: word(text, &from.image),
                name: from.as_.as_ref().map(|(_, n)| word(text, n)),
                end: parsed.instructions.len(),
                base: None,
                in_final_image: false,
            });
        }
        let stage = out.stages.len().checked_sub(1);
        out.instructions.push(instruction(text, inst, index, stage, escape));
    }
    link_stages(&mut out);
    assign_shells(&mut out);
    for i in out.instructions.iter().filter(|i| i.is("ARG") || i.is("ENV")) {
        for p in &i.pairs {
            out.definitions.entry(p.key.text.clone()).or_default().push(Definition {
                instruction: i.index,
                value: p.value.as_ref().map(|v| v.text.clone()),
                arg: i.is("ARG"),
            });
        }
    }
    out
}

fn error_at(text: &str, e: &parse_dockerfile::Error) -> ParseError {
    let message = format!("{e:#}");
    // the crate reports a 1-based line; point at that line's text
    let line = e.line().max(1);
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(p) => start += p + 1,
            None => break,
        }
    }
    let end = text[start..].find('\n').map(|p| start + p).unwrap_or(text.len());
    let line_text = &text[start..end];
    let trimmed = line_text.trim_end_matches('\r');
    let lead = trimmed.len() - trimmed.trim_start().len();
    // an unknown instruction is its first word; other errors concern the whole line
    let end = if message.starts_with("unknown instruction") {
        let word = trimmed[lead..].split_whitespace().next().unwrap_or("");
        lead + word.len()
    } else {
        trimmed.len()
    };
    ParseError::new(message, Span::new(start + lead, start + end))
}

fn span(r: &std::ops::Range<usize>) -> Span {
    Span::new(r.start, r.end)
}

fn word(_text: &str, s: &parse_dockerfile::UnescapedString<'_>) -> Word {
    Word {
        text: s.value.to_string(),
        span: span(&s.span),
    }
}

fn flag(text: &str, f: &parse_dockerfile::Flag<'_>) -> Flag {
    Flag {
        name: word(text, &f.name),
        value: f.value.as_ref().map(|v| word(text, v)),
        span: span(&f.span()),
    }
}

fn instruction(
    text: &str,
    inst: &parse_dockerfile::Instruction<'_>,
    index: usize,
    stage: Option<usize>,
    escape: char,
) -> Instruction {
    use parse_dockerfile::Instruction as I;
    let mut out = Instruction {
        index,
        keyword: String::new(),
        keyword_span: Span::default(),
        span: Span::default(),
        stage,
        flags: Vec::new(),
        args: Vec::new(),
        form: None,
        pairs: Vec::new(),
        heredocs: Vec::new(),
        scripts: Vec::new(),
        node: Node::new(Span::default(), NodeValue::Null),
        shell: None,
    };
    let kw = |k: &parse_dockerfile::Keyword| span(&k.span);
    match inst {
        I::Add(i) => {
            out.keyword_span = kw(&i.add);
            out.flags = i.options.iter().map(|f| flag(text, f)).collect();
            sources(text, &i.src, &mut out);
            out.args.push(word(text, &i.dest));
        }
        I::Copy(i) => {
            out.keyword_span = kw(&i.copy);
            out.flags = i.options.iter().map(|f| flag(text, f)).collect();
            sources(text, &i.src, &mut out);
            out.args.push(word(text, &i.dest));
        }
        I::Arg(i) => {
            out.keyword_span = kw(&i.arg);
            out.pairs = pairs(text, span(&i.arguments.span), escape, false);
            out.args.push(word(text, &i.arguments));
        }
        I::Env(i) => {
            out.keyword_span = kw(&i.env);
            out.pairs = pairs(text, span(&i.arguments.span), escape, true);
            out.args.push(word(text, &i.arguments));
        }
        I::Label(i) => {
            out.keyword_span = kw(&i.label);
            out.pairs = pairs(text, span(&i.arguments.span), escape, true);
            out.args.push(word(text, &i.arguments));
        }
        I::Cmd(i) => {
            out.keyword_span = kw(&i.cmd);
            command(text, &i.arguments, &mut out, escape, false);
        }
        I::Entrypoint(i) => {
            out.keyword_span = kw(&i.entrypoint);
            command(text, &i.arguments, &mut out, escape, false);
        }
        I::Run(i) => {
            out.keyword_span = kw(&i.run);
            out.flags = i.options.iter().map(|f| flag(text, f)).collect();
            command(text, &i.arguments, &mut out, escape, i.here_docs.is_empty());
            let runner = match &i.arguments {
                parse_dockerfile::Command::Shell(s) => s.value,
                _ => "",
            };
            for h in &i.here_docs {
                let hd = heredoc(text, h);
                if heredoc_is_shell(runner, &hd.body) {
                    let raw = span(&h.span).slice(text);
                    // `<<-` strips leading tabs; blanking them keeps offsets and shell meaning
                    let body = raw.replace('\t', " ");
                    out.scripts.push(shell::parse(&body, h.span.start));
                }
                out.heredocs.push(hd);
            }
        }
        I::Expose(i) => {
            out.keyword_span = kw(&i.expose);
            out.args = i.arguments.iter().map(|a| word(text, a)).collect();
        }
        I::From(i) => {
            out.keyword_span = kw(&i.from);
            out.flags = i.options.iter().map(|f| flag(text, f)).collect();
            out.args.push(word(text, &i.image));
            if let Some((_, name)) = &i.as_ {
                out.args.push(word(text, name));
            }
        }
        I::Healthcheck(i) => {
            out.keyword_span = kw(&i.healthcheck);
            out.flags = i.options.iter().map(|f| flag(text, f)).collect();
            match &i.arguments {
                parse_dockerfile::HealthcheckArguments::Cmd { arguments, .. } => {
                    command(text, arguments, &mut out, escape, false);
                }
                parse_dockerfile::HealthcheckArguments::None { none, .. } => out.args.push(Word {
                    text: "NONE".into(),
                    span: kw(none),
                }),
                _ => {}
            }
        }
        I::Maintainer(i) => {
            out.keyword_span = kw(&i.maintainer);
            out.args.push(word(text, &i.name));
        }
        I::Onbuild(i) => {
            // the trigger runs in a child image: keep it as text, rules do not look inside
            out.keyword_span = kw(&i.onbuild);
            let inner = instruction(text, &i.instruction, index, stage, escape);
            out.args.push(Word {
                text: inner.span.slice(text).to_string(),
                span: inner.span,
            });
        }
        I::Shell(i) => {
            out.keyword_span = kw(&i.shell);
            out.args = i.arguments.iter().map(|a| word(text, a)).collect();
            out.form = Some(Form::Exec);
        }
        I::Stopsignal(i) => {
            out.keyword_span = kw(&i.stopsignal);
            out.args.push(word(text, &i.arguments));
        }
        I::User(i) => {
            out.keyword_span = kw(&i.user);
            out.args.push(word(text, &i.arguments));
        }
        I::Volume(i) => {
            out.keyword_span = kw(&i.volume);
            match &i.arguments {
                parse_dockerfile::JsonOrStringArray::Json(a) => {
                    out.args = a.value.iter().map(|a| word(text, a)).collect();
                    out.form = Some(Form::Exec);
                }
                parse_dockerfile::JsonOrStringArray::String(a) => {
                    out.args = a.iter().map(|a| word(text, a)).collect();
                }
            }
        }
        I::Workdir(i) => {
            out.keyword_span = kw(&i.workdir);
            out.args.push(word(text, &i.arguments));
        }
        _ => {}
    }
    out.keyword = out.keyword_span.slice(text).to_ascii_uppercase();
    // an escaped keyword (`R\<newline>UN`) keeps its escape in the source text
    if !out.keyword.chars().all(|c| c.is_ascii_alphabetic()) {
        out.keyword = out.keyword.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    }
    let mut whole = out.keyword_span;
    for f in &out.flags {
        whole = whole.cover(f.span);
    }
    for a in &out.args {
        whole = whole.cover(a.span);
    }
    for h in &out.heredocs {
        whole = whole.cover(h.span);
    }
    out.span = whole;
    out.node = node_of(&out);
    out
}

fn sources(text: &str, src: &[parse_dockerfile::Source<'_>], out: &mut Instruction) {
    for s in src {
        match s {
            parse_dockerfile::Source::Path(p) => out.args.push(word(text, p)),
            parse_dockerfile::Source::HereDoc(h) => out.heredocs.push(heredoc(text, h)),
            _ => {}
        }
    }
}

fn heredoc(_text: &str, h: &parse_dockerfile::HereDoc<'_>) -> Heredoc {
    Heredoc {
        span: span(&h.span),
        body: h.value.to_string(),
        expand: h.expand,
    }
}

/// `RUN <<EOF` runs the body with the default shell; `RUN <<EOF bash -e` too; `RUN <<EOF
/// python3` or a `#!/usr/bin/env python` body does not.
fn heredoc_is_shell(runner: &str, body: &str) -> bool {
    let mut words = runner.split_whitespace().filter(|w| !w.starts_with("<<"));
    let shell_runner = match words.next() {
        None => true,
        Some(w) => matches!(w.rsplit('/').next(), Some("sh" | "bash" | "dash" | "ash")),
    };
    let shebang_ok = match body.lines().next() {
        Some(l) if l.starts_with("#!") => ["sh", "bash", "dash", "ash"]
            .iter()
            .any(|s| l.ends_with(&format!("/{s}")) || l.contains(&format!("/{s} ")) || l.ends_with(&format!(" {s}"))),
        _ => true,
    };
    shell_runner && shebang_ok
}

fn command(text: &str, c: &parse_dockerfile::Command<'_>, out: &mut Instruction, escape: char, parse_shell: bool) {
    match c {
        parse_dockerfile::Command::Exec(a) => {
            out.form = Some(Form::Exec);
            out.args = a.value.iter().map(|a| word(text, a)).collect();
            if parse_shell {
                match exec_shell_script(text, &out.args) {
                    Some(script) => out.scripts.push(script),
                    None => out.scripts.extend(exec_command(text, &out.args)),
                }
            }
        }
        parse_dockerfile::Command::Shell(s) => {
            out.form = Some(Form::Shell);
            let sp = span(&s.span);
            out.args.push(Word {
                text: continued(s.value, escape),
                span: sp,
            });
            if parse_shell && !s.value.trim().is_empty() {
                out.scripts.push(shell::parse(&shell_text(s.value, escape), sp.start));
            }
        }
        _ => {}
    }
}

/// `RUN ["/bin/bash", "-c", "script"]`: the script parsed as shell. The JSON string's source
/// text is parsed where it is written; JSON escapes (`\"`) read as shell escapes, which keeps
/// the command words right.
fn exec_shell_script(text: &str, args: &[Word]) -> Option<Script> {
    let (program, rest) = args.split_first()?;
    let base = program.text.rsplit('/').next().unwrap_or(&program.text);
    if !matches!(base, "sh" | "bash" | "dash" | "ash" | "zsh") {
        return None;
    }
    let c = rest
        .iter()
        .position(|a| a.text.starts_with('-') && !a.text.starts_with("--") && a.text.contains('c'))?;
    let script = rest.get(c + 1)?;
    Some(shell::parse(script.span.slice(text), script.span.start))
}

/// `RUN ["pip", "install", "flask"]`: no shell runs, the elements are the command's words
/// (as written: exec form expands no variables). Each word's span is its JSON string, quotes
/// included, so no fix edits inside the quotes as if they were shell words.
fn exec_command(text: &str, args: &[Word]) -> Option<Script> {
    let (program, rest) = args.split_first()?;
    let quoted = |sp: Span| {
        let open = sp
            .start
            .checked_sub(1)
            .filter(|&s| text.as_bytes().get(s) == Some(&b'"'));
        match (open, text.as_bytes().get(sp.end)) {
            (Some(s), Some(b'"')) => Span::new(s, sp.end + 1),
            _ => sp,
        }
    };
    let word = |w: &Word| shell::Word {
        text: w.text.clone(),
        span: quoted(w.span),
        dynamic: false,
    };
    let span = program.span.cover(rest.last().map(|w| w.span).unwrap_or(program.span));
    Some(Script {
        span,
        commands: vec![shell::Command {
            assignments: Vec::new(),
            name: word(program),
            args: rest.iter().map(word).collect(),
            span,
            nested: false,
            pipeline: None,
            piped_from: None,
            piped_to: false,
            redirected: false,
            in_substitution: false,
        }],
        ..Script::default()
    })
}

/// The command as Docker hands it to the shell: continuations joined, comment lines dropped.
fn continued(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    for (i, line) in raw.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if i > 0 && line.trim_start().starts_with('#') {
            continue;
        }
        let joined = line.strip_suffix(escape).unwrap_or(line);
        out.push_str(joined);
    }
    out
}

/// Shell text byte-aligned with the raw instruction text: comment lines inside a continuation
/// (which Docker removes) become blanks, their line break included, and a non-`\` escape
/// character before a line break becomes `\`, so the shell sees one logical line.
fn shell_text(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut first = true;
    for piece in raw.split_inclusive('\n') {
        let content = piece.strip_suffix('\n').unwrap_or(piece);
        let has_nl = piece.len() != content.len();
        let trimmed = content.trim_start();
        let blank_line = trimmed.trim_end_matches('\r').is_empty();
        if !first && (trimmed.starts_with('#') || blank_line) {
            out.extend(std::iter::repeat_n(' ', piece.len()));
            continue;
        }
        first = false;
        // Docker continues a line on the escape character followed by blanks (and `\r`); the
        // shell only on `\` right before the line break: move it there, padding with spaces
        let t = content.trim_end_matches([' ', '\t', '\r']);
        if has_nl && t.ends_with(escape) && (escape != '\\' || t.len() != content.len()) {
            out.push_str(&t[..t.len() - escape.len_utf8()]);
            out.extend(std::iter::repeat_n(
                ' ',
                content.len() - t.len() + escape.len_utf8() - 1,
            ));
            out.push('\\');
            out.push('\n');
            continue;
        }
        out.push_str(piece);
    }
    out
}

/// Split the raw text of ARG/ENV/LABEL into `key=value` pairs with exact spans.
/// `legacy` allows ENV's old `ENV KEY value with spaces` form.
fn pairs(text: &str, args: Span, escape: char, legacy: bool) -> Vec<Pair> {
    let raw = args.slice(text);
    let tokens = tokens(raw, escape);
    let mut out = Vec::new();
    if legacy {
        if let Some(first) = tokens.first() {
            if !first.1.contains('=') {
                // `ENV KEY value`: the rest of the line is the value
                let key = Word {
                    text: first.1.clone(),
                    span: first.0.offset(args.start),
                };
                let value = tokens.get(1).map(|second| {
                    let start = second.0.start;
                    let end = tokens.last().map(|t| t.0.end).unwrap_or(start);
                    Word {
                        text: unquote(raw.get(start..end).unwrap_or(""), escape),
                        span: Span::new(start, end).offset(args.start),
                    }
                });
                out.push(Pair { key, value });
                return out;
            }
        }
    }
    for (sp, _) in &tokens {
        let tok = sp.slice(raw);
        match tok.find('=') {
            Some(eq) => {
                let key_span = Span::new(sp.start, sp.start + eq);
                let value_span = Span::new(sp.start + eq + 1, sp.end);
                out.push(Pair {
                    key: Word {
                        text: unquote(key_span.slice(raw), escape),
                        span: key_span.offset(args.start),
                    },
                    value: Some(Word {
                        text: unquote(value_span.slice(raw), escape),
                        span: value_span.offset(args.start),
                    }),
                });
            }
            None => out.push(Pair {
                key: Word {
                    text: unquote(tok, escape),
                    span: sp.offset(args.start),
                },
                value: None,
            }),
        }
    }
    out
}

/// Whitespace-separated tokens (quotes and escapes respected): (span in `raw`, unquoted text).
fn tokens(raw: &str, escape: char) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == escape && q == '"' {
                chars.next();
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c == escape {
            // `\` + line break is a continuation, i.e. whitespace
            if matches!(chars.peek(), Some((_, '\n' | '\r'))) {
                if let Some(s) = start.take() {
                    out.push(Span::new(s, i));
                }
                chars.next();
                continue;
            }
            start.get_or_insert(i);
            chars.next();
            continue;
        }
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(Span::new(s, i));
            }
            continue;
        }
        start.get_or_insert(i);
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
    }
    if let Some(s) = start {
        out.push(Span::new(s, raw.len()));
    }
    out.into_iter().map(|s| (s, unquote(s.slice(raw), escape))).collect()
}

fn unquote(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quote: Option<char> = None;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == escape => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            Some(_) => out.push(c),
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == escape => match chars.next() {
                Some('\n' | '\r') | None => {}
                Some(n) => out.push(n),
            },
            None => out.push(c),
        }
    }
    out
}

fn string_node(w: &Word) -> Node {
    Node::new(w.span, NodeValue::String(w.text.clone()))
}

fn entry(key: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: key.to_string(),
        key_span,
        value,
    }
}

/// `{keyword, arguments, flags, form, values, heredocs}` for declarative checks.
fn node_of(i: &Instruction) -> Node {
    let mut entries = vec![
        entry(
            "keyword",
            i.keyword_span,
            Node::new(i.keyword_span, NodeValue::String(i.keyword.clone())),
        ),
        entry(
            "arguments",
            i.span,
            Node::new(i.span, NodeValue::Seq(i.args.iter().map(string_node).collect())),
        ),
    ];
    if !i.flags.is_empty() {
        let flags = i
            .flags
            .iter()
            .map(|f| {
                let value = match &f.value {
                    Some(v) => string_node(v),
                    None => Node::new(f.span, NodeValue::Bool(true)),
                };
                entry(&f.name.text, f.name.span, value)
            })
            .collect();
        entries.push(entry("flags", i.span, Node::new(i.span, NodeValue::Map(flags))));
    }
    if let Some(form) = i.form {
        let s = match form {
            Form::Exec => "exec",
            Form::Shell => "shell",
        };
        entries.push(entry("form", i.span, Node::new(i.span, NodeValue::String(s.into()))));
    }
    if !i.pairs.is_empty() {
        let values = i
            .pairs
            .iter()
            .map(|p| {
                let value = match &p.value {
                    Some(v) => string_node(v),
                    None => Node::new(p.key.span, NodeValue::Null),
                };
                entry(&p.key.text, p.key.span, value)
            })
            .collect();
        entries.push(entry("values", i.span, Node::new(i.span, NodeValue::Map(values))));
    }
    if !i.heredocs.is_empty() {
        let docs = i
            .heredocs
            .iter()
            .map(|h| Node::new(h.span, NodeValue::String(h.body.clone())))
            .collect();
        entries.push(entry("heredocs", i.span, Node::new(i.span, NodeValue::Seq(docs))));
    }
    Node::new(i.span, NodeValue::Map(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn df(text: &str) -> Dockerfile {
        match parse(text) {
            Ok(d) => d,
            Err(e) => panic!("parse failed: {e:?}"),
        }
    }

    #[test]
    fn stages_flags_and_args() {
        let text = "ARG PY=3.12\nFROM python:${PY}-slim AS build\nRUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\nFROM gcr.io/distroless/python3\nCOPY --from=build --chown=app:app /app /app\nCMD [\"app.py\"]\n";
        let d = df(text);
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[0].name.as_ref().map(|n| n.text.as_str()), Some("build"));
        assert_eq!(
            d.resolve(&d.stages[0].image.text, d.stages[0].from).as_deref(),
            Some("python:3.12-slim")
        );
        let copy = &d.instructions[4];
        assert_eq!(copy.keyword, "COPY");
        assert_eq!(
            copy.flag("from")
                .and_then(|f| f.value.as_ref())
                .map(|v| v.text.as_str()),
            Some("build")
        );
        assert_eq!(
            copy.args.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(),
            ["/app", "/app"]
        );
        let run = &d.instructions[2];
        assert_eq!(
            run.flag("mount").map(|f| f.span.slice(text)),
            Some("--mount=type=cache,target=/root/.cache")
        );
        let cmd = &d.instructions[5];
        assert_eq!(cmd.form, Some(Form::Exec));
        assert_eq!(cmd.args[0].span.slice(text), "app.py");
        assert_eq!(d.instructions[0].stage, None);
        assert_eq!(cmd.stage, Some(1));
        assert_eq!(d.final_chain, [1]);
        let d = df("FROM python:3.12 AS base\nFROM base AS app\nFROM golang:1.22 AS tools\nFROM app\n");
        assert_eq!(d.final_chain, [3, 1, 0]);
    }

    #[test]
    fn run_continuations_map_to_file_offsets() {
        let text = "FROM debian:12\nRUN apt-get update \\\n    # keep curl for the probe\n    && apt-get install -y --no-install-recommends \\\n        curl ca-certificates\n";
        let d = df(text);
        let run = &d.instructions[1];
        let install = run.commands().nth(1);
        let Some(install) = install else { panic!("no install") };
        let last = install.args.last().map(|a| a.span.slice(text));
        assert_eq!(last, Some("ca-certificates"));
        assert_eq!(install.args[2].span.slice(text), "--no-install-recommends");
        assert!(!run.scripts[0].has_error);
    }

    #[test]
    fn heredoc_runs_as_shell() {
        let text = "FROM alpine:3.20\nRUN <<EOF\nset -eux\napk add --no-cache curl\nEOF\nRUN <<EOF python3\nprint('hi')\nEOF\n";
        let d = df(text);
        let run = &d.instructions[1];
        let apk = run.commands().find(|c| c.name.text == "apk");
        assert_eq!(
            apk.and_then(|c| c.args.last()).map(|a| a.span.slice(text)),
            Some("curl")
        );
        assert!(d.instructions[2].scripts.is_empty());
        assert_eq!(d.instructions[2].heredocs.len(), 1);
    }

    #[test]
    fn heredoc_after_a_command() {
        let text = "FROM alpine:3.20\nRUN cat <<EOF > /etc/app.conf && sh <<'SETUP'\nlisten 8080\nEOF\napk add --no-cache curl\nSETUP\nUSER 10001\n";
        let d = df(text);
        assert_eq!(d.instructions.len(), 3);
        let run = &d.instructions[1];
        assert_eq!(run.heredocs.len(), 2);
        assert_eq!(run.heredocs[0].body, "listen 8080\n");
        assert!(!run.heredocs[1].expand);
        let apk = run.commands().find(|c| c.name.text == "apk");
        assert_eq!(
            apk.and_then(|c| c.args.last()).map(|a| a.span.slice(text)),
            Some("curl")
        );
        assert!(parse("FROM alpine\nRUN cat <<EOF\nno end\n").is_err());
    }

    #[test]
    fn exec_form_shell_and_tab_heredoc() {
        let text = "FROM debian:12\nRUN [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\", \"curl -fsSL https://x | sh\"]\nRUN <<-EOF\n\tapt-get install -y curl\n\tEOF\n";
        let d = df(text);
        let names: Vec<_> = d.instructions[1].commands().map(|c| c.name.span.slice(text)).collect();
        assert_eq!(names, ["curl", "sh"]);
        let curl = d.instructions[2].commands().next().and_then(|c| c.args.last());
        assert_eq!(curl.map(|a| a.span.slice(text)), Some("curl"));
    }

    #[test]
    fn declarative_node() {
        let text = "FROM python:3.12 AS build\nFROM python:3.12\nCOPY --from=build --link /w /w\nENV DB_PASSWORD=x APP=1\nARG TOKEN\n";
        let d = df(text);
        let copy = &d.instructions[2].node;
        assert_eq!(copy.at("keyword").and_then(|n| n.as_str()), Some("COPY"));
        assert_eq!(copy.at("flags.from").and_then(|n| n.as_str()), Some("build"));
        assert_eq!(copy.at("flags.link").and_then(|n| n.as_bool()), Some(true));
        assert_eq!(copy.select("arguments[*]").len(), 2);
        let env = &d.instructions[3].node;
        let pw = env.at("values.DB_PASSWORD");
        assert_eq!(pw.map(|n| n.span.slice(text)), Some("x"));
        assert!(d.instructions[4].node.at("values.TOKEN").is_some_and(|n| n.is_null()));
    }

    #[test]
    fn crlf_and_blanks_after_the_escape() {
        let text = "FROM debian:12\r\nRUN curl -fsSL https://x \\\r\n    | sh \\  \r\n    && echo done\r\n";
        let d = df(text);
        let run = &d.instructions[1];
        assert_eq!(run.scripts[0].pipelines.len(), 1);
        let echo = run.commands().find(|c| c.name.text == "echo");
        assert_eq!(
            echo.and_then(|c| c.args.first()).map(|a| a.span.slice(text)),
            Some("done")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// Any mix of Dockerfile-ish pieces parses or errors without panicking, and every span
        /// of the model lies inside the text on character boundaries.
        #[test]
        fn never_panics_and_spans_fit(pieces in proptest::collection::vec(proptest::sample::select(vec![
            "FROM python:3.12 AS b\n", "FROM b\n", "RUN ", "CMD ", "COPY --from=b ", "ARG A=${B:-x}\n",
            "ENV K=\"v v\" \\\n", "<<EOF\n", "EOF\n", "<<-'E'\n\tE\n", "curl x | sh", " && ", "; ",
            "\\\n", "# c\n", "\n", "[\"a\", \"b\"]", "sh -c 'cd /a'", "é", "`", "$(x)", "\"", "'",
            "# escape=`\n", "\r\n", "EXPOSE ${P} 22/tcp\n", "USER root\n", "SHELL [\"bash\", \"-c\"]\n",
        ]), 0..40)) {
            let text: String = pieces.concat();
            if let Ok(d) = parse(&text) {
                let ok = |sp: Span| sp.start <= sp.end && sp.end <= text.len()
                    && text.is_char_boundary(sp.start) && text.is_char_boundary(sp.end);
                for i in &d.instructions {
                    proptest::prop_assert!(ok(i.span) && ok(i.keyword_span));
                    for a in &i.args { proptest::prop_assert!(ok(a.span)); }
                    for c in i.commands() {
                        proptest::prop_assert!(ok(c.span) && ok(c.name.span));
                        for a in &c.args { proptest::prop_assert!(ok(a.span)); }
                    }
                }
            }
        }
    }

    #[test]
    fn variables_resolve_through_env() {
        let text = "ARG PY=3.12\nARG BASE=python:${PY}-slim\nFROM ${BASE}\nARG PORT=8080\nENV PORT=${PORT} LOOP=$LOOP\nEXPOSE ${PORT}\nEXPOSE ${LOOP}\n";
        let d = df(text);
        assert_eq!(d.resolve("${BASE}", 2).as_deref(), Some("python:3.12-slim"));
        assert_eq!(d.resolve("${PORT}/tcp", 5).as_deref(), Some("8080/tcp"));
        assert_eq!(d.resolve("${LOOP}", 6), None);
        assert_eq!(d.resolve("${NOPE:-80}", 6).as_deref(), Some("80"));
    }

    #[test]
    fn escape_directive() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN echo one `\n    && echo two\n";
        let d = df(text);
        assert_eq!(d.escape, '`');
        let run = &d.instructions[1];
        let names: Vec<_> = run.commands().map(|c| c.name.text.as_str()).collect();
        assert_eq!(names, ["echo", "echo"]);
    }

    #[test]
    fn pairs_with_spans() {
        let text = "FROM python:3.12\nENV APP_HOME=/app \\\n    DB_PASSWORD=\"s3cr3t value\"\nENV LEGACY some value\nARG TOKEN\n";
        let d = df(text);
        let env = &d.instructions[1];
        assert_eq!(env.pairs.len(), 2);
        assert_eq!(env.pairs[1].key.span.slice(text), "DB_PASSWORD");
        assert_eq!(
            env.pairs[1].value.as_ref().map(|v| v.text.as_str()),
            Some("s3cr3t value")
        );
        let legacy = &d.instructions[2];
        assert_eq!(
            legacy.pairs[0].value.as_ref().map(|v| v.text.as_str()),
            Some("some value")
        );
        assert_eq!(d.instructions[3].pairs[0].value, None);
    }

    #[test]
    fn errors_carry_the_line() {
        for (text, line) in [
            ("FROM alpine\nFROMM alpine\n", 2usize),
            ("FROM alpine\nRUN <<EOF\nunterminated\n", 0),
            ("FROM alpine\nCMD [\"a\", \n", 0),
        ] {
            match parse(text) {
                Ok(_) => {
                    // exec form that is not JSON falls back to shell form in Docker
                    assert_eq!(line, 0, "{text:?} parsed");
                }
                Err(e) => {
                    if line > 0 {
                        assert_eq!(e.span.slice(text), "FROMM");
                    }
                }
            }
        }
    }

    #[test]
    fn a_run_with_two_heredocs_that_opens_with_one() {
        let text = "FROM alpine:3.20\nRUN <<FILE1 cat > file1 && <<FILE2 cat > file2\nI am\nfirst\nFILE1\nI am\nsecond\nFILE2\nUSER app\n";
        let d = parse(text).expect("parses");
        let run = d.instructions.iter().find(|i| i.is("RUN")).expect("RUN");
        let bodies: Vec<&str> = run.heredocs.iter().map(|h| h.body.as_str()).collect();
        assert_eq!(bodies, ["I am\nfirst\n", "I am\nsecond\n"]);
        // fed to `cat`: data, not shell
        assert!(run.commands().all(|c| c.name.program() != "I"));
        assert!(d.instructions.iter().any(|i| i.is("USER")));
    }
}
