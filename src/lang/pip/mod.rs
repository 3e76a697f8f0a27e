//! Requirements files in pip's syntax: one requirement per logical line (`\` continues a
//! line), `#` comments, options (`-r`/`-c` includes, `--index-url`, `--hash=` per requirement),
//! PEP 508 requirements (extras, version specifiers, markers, `name @ url`), VCS/URL/path
//! requirements. A line pip would reject becomes a [`ParseError`] on that line.

use std::sync::LazyLock;

use regex::Regex;

use crate::lang::ParseError;
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub enum IncludeKind {
    /// `-r file`: more requirements.
    Requirements,
    /// `-c file`: constraints (pins) for the requirements.
    Constraints,
}

#[derive(Debug, Clone)]
pub struct Include {
    pub kind: IncludeKind,
    pub path: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Requirement {
    /// Normalised project name (lowercase, `_`/`.` → `-`); empty when a URL names none.
    pub name: String,
    pub extras: Vec<String>,
    /// Version specifiers as written (`==1.2.3`, `>=2,<3`).
    pub specifier: String,
    pub marker: Option<String>,
    /// `name @ url`, a VCS URL, an archive URL or a local path.
    pub url: Option<String>,
    pub editable: bool,
    pub hashes: Vec<String>,
    /// The requirement text (the logical line without comment and options), for messages.
    pub text: String,
    /// The requirement on its line (name to end of specifier/marker).
    pub span: Span,
}

impl Requirement {
    /// Pinned to one version: `==` without a wildcard, `===`, a hash, or a VCS URL at a
    /// full commit.
    pub fn is_pinned(&self) -> bool {
        if !self.hashes.is_empty() {
            return true;
        }
        if let Some(url) = &self.url {
            return VCS_COMMIT.is_match(url);
        }
        let specs: Vec<&str> = self.specifier.split(',').map(str::trim).collect();
        specs
            .iter()
            .any(|s| s.starts_with("===") || (s.starts_with("==") && !s.contains('*')))
    }

    /// A local path or editable checkout (`-e .`, `./libs/common`): not pinnable.
    pub fn is_local(&self) -> bool {
        self.url
            .as_deref()
            .is_some_and(|u| u.starts_with('.') || u.starts_with('/') || u.starts_with("file:") || !u.contains(':'))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Requirements {
    pub requirements: Vec<Requirement>,
    pub includes: Vec<Include>,
    pub errors: Vec<ParseError>,
}

/// pip's name rule (PEP 508): letters/digits, inner `.`, `_`, `-`.
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?").expect("regex"));
static SPEC: LazyLock<Regex> = LazyLock::new(|| {
    let one = r"(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+";
    Regex::new(&format!(r"^\(?\s*{one}\s*(?:,\s*{one}\s*)*,?\s*\)?$")).expect("regex")
});
static VCS_COMMIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"@[0-9a-f]{40}(?:[#&]|$)").expect("regex"));
static EGG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[#&]egg=([A-Za-z0-9._-]+)").expect("regex"));

/// Options pip accepts on their own line, and whether they take a value.
const GLOBAL_OPTIONS: &[(&str, bool)] = &[
    ("-i", true),
    ("--index-url", true),
    ("--extra-index-url", true),
    ("--no-index", false),
    ("-f", true),
    ("--find-links", true),
    ("--no-binary", true),
    ("--only-binary", true),
    ("--prefer-binary", false),
    ("--pre", false),
    ("--require-hashes", false),
    ("--trusted-host", true),
    ("--use-feature", true),
    ("-Z", false),
    ("--always-unzip", false),
    ("--config-settings", true),
    ("--global-option", true),
];
/// Options that may follow a requirement on its line.
const PER_REQUIREMENT: &[&str] = &["--hash", "--config-settings", "--global-option", "--install-option"];

pub fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// Parse a requirements file. Never panics.
pub fn parse(text: &str) -> Requirements {
    let mut out = Requirements::default();
    for (start, line) in logical_lines(text) {
        parse_line(&line, start, &mut out);
    }
    out
}

/// Logical lines with the byte offset of their first character; a `\` at the end of a line
/// joins the next. Offsets inside a joined line are mapped back approximately (the joined text
/// keeps the length of the first physical line's prefix, which is where spans point).
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let (start, mut acc) = cur.take().unwrap_or((offset, String::new()));
        if let Some(body) = line.strip_suffix('\\') {
            acc.push_str(body);
            cur = Some((start, acc));
        } else {
            acc.push_str(line);
            out.push((start, acc));
        }
        offset += raw.len();
    }
    if let Some(c) = cur {
        out.push(c);
    }
    out
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    // pip: a `#` preceded by whitespace starts a comment (URL fragments like `#egg=` stay)
    let b = line.as_bytes();
    for i in 1..b.len() {
        if b[i] == b'#' && (b[i - 1] == b' ' || b[i - 1] == b'\t') {
            return &line[..i];
        }
    }
    line
}

fn parse_line(line: &str, start: usize, out: &mut Requirements) {
    let body = strip_comment(line);
    let lead = body.len() - body.trim_start().len();
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return;
    }
    let line_span = Span::new(start + lead, start + lead + trimmed.len());
    let err = |out: &mut Requirements, msg: String| out.errors.push(ParseError::new(msg, line_span));

    if trimmed.starts_with('-') {
        let (opt, rest) = split_option(trimmed);
        match opt {
            "-r" | "--requirement" | "-c" | "--constraint" => {
                if rest.is_empty() {
                    return err(out, format!("`{opt}` needs a file name"));
                }
                let kind = if opt.starts_with("-r") || opt == "--requirement" {
                    IncludeKind::Requirements
                } else {
                    IncludeKind::Constraints
                };
                out.includes.push(Include {
                    kind,
                    path: rest.to_string(),
                    span: line_span,
                });
                return;
            }
            "-e" | "--editable" => {
                if rest.is_empty() {
                    return err(out, format!("`{opt}` needs a path or URL"));
                }
                let (req_text, hashes) = match split_requirement_options(rest) {
                    Ok(v) => v,
                    Err(m) => return err(out, m),
                };
                let name = EGG
                    .captures(req_text)
                    .and_then(|c| c.get(1))
                    .map(|m| normalise(m.as_str()))
                    .unwrap_or_default();
                out.requirements.push(Requirement {
                    name,
                    extras: Vec::new(),
                    specifier: String::new(),
                    marker: None,
                    url: Some(req_text.to_string()),
                    editable: true,
                    hashes,
                    text: req_text.to_string(),
                    span: line_span,
                });
                return;
            }
            _ => {}
        }
        match GLOBAL_OPTIONS.iter().find(|(o, _)| *o == opt) {
            Some((_, true)) if rest.is_empty() => err(out, format!("option `{opt}` needs a value")),
            Some(_) => {}
            None => err(out, format!("unknown pip option `{opt}`")),
        }
        return;
    }

    let (req_text, hashes) = match split_requirement_options(trimmed) {
        Ok(v) => v,
        Err(m) => return err(out, m),
    };
    let req_span = Span::new(line_span.start, line_span.start + req_text.len());
    match requirement(req_text) {
        Ok(mut r) => {
            r.hashes = hashes;
            r.span = req_span;
            out.requirements.push(r);
        }
        Err(m) => out.errors.push(ParseError::new(m, req_span)),
    }
}

/// `--opt value`, `--opt=value`, `-rfile`.
fn split_option(s: &str) -> (&str, &str) {
    if let Some(i) = s.find(|c: char| c == '=' || c.is_whitespace()) {
        let (o, r) = s.split_at(i);
        return (o, r.trim_start_matches('=').trim());
    }
    for short in ["-r", "-c", "-e", "-i", "-f"] {
        if s.len() > 2 && s.starts_with(short) {
            return (short, s[2..].trim());
        }
    }
    (s, "")
}

/// Split trailing per-requirement options (`--hash=sha256:...`) from the requirement.
fn split_requirement_options(s: &str) -> Result<(&str, Vec<String>), String> {
    let Some(i) = s.find(" --").or_else(|| s.find("\t--")) else {
        return Ok((s.trim(), Vec::new()));
    };
    let (req, opts) = s.split_at(i);
    let mut hashes = Vec::new();
    let mut words = opts.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let (name, value) = match w.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (w, None),
        };
        if !PER_REQUIREMENT.contains(&name) {
            return Err(format!("option `{name}` is not allowed after a requirement"));
        }
        let value = match value {
            Some(v) => v,
            None => match words.next() {
                Some(v) => v.to_string(),
                None => return Err(format!("option `{name}` needs a value")),
            },
        };
        if name == "--hash" {
            if !value.contains(':') {
                return Err(format!("`--hash` value `{value}` is not `algorithm:digest`"));
            }
            hashes.push(value);
        }
    }
    Ok((req.trim(), hashes))
}

fn is_url_or_path(s: &str) -> bool {
    s.contains("://")
        || s.starts_with('.')
        || s.starts_with('/')
        || s.starts_with("file:")
        || [".whl", ".zip", ".tar.gz", ".tar.bz2", ".tgz"]
            .iter()
            .any(|x| s.split(['#', ';']).next().unwrap_or(s).ends_with(x))
}

/// One PEP 508 requirement (or a bare URL/path, which pip also accepts).
pub fn requirement(text: &str) -> Result<Requirement, String> {
    let text = text.trim();
    let mut r = Requirement {
        name: String::new(),
        extras: Vec::new(),
        specifier: String::new(),
        marker: None,
        url: None,
        editable: false,
        hashes: Vec::new(),
        text: text.to_string(),
        span: Span::default(),
    };
    if is_url_or_path(text) && !text.contains(" @ ") {
        let (url, marker) = match text.split_once("; ") {
            Some((u, m)) => (u.trim(), Some(m.trim().to_string())),
            None => (text, None),
        };
        r.name = EGG
            .captures(url)
            .and_then(|c| c.get(1))
            .map(|m| normalise(m.as_str()))
            .unwrap_or_default();
        r.url = Some(url.to_string());
        r.marker = marker;
        return Ok(r);
    }
    let Some(caps) = NAME.captures(text) else {
        return Err(format!(
            "invalid requirement `{}`: expected a package name",
            short(text)
        ));
    };
    let whole = caps.get(0).map(|m| m.end()).unwrap_or(0);
    r.name = caps.get(1).map(|m| normalise(m.as_str())).unwrap_or_default();
    if let Some(ex) = caps.get(2) {
        let inner = ex.as_str().trim_start_matches('[').trim_end_matches(']');
        for e in inner.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if !NAME.is_match(e) || NAME.find(e).map(|m| m.end()) != Some(e.len()) {
                return Err(format!("invalid extra `{e}` in `{}`", short(text)));
            }
            r.extras.push(e.to_string());
        }
    }
    let rest = text[whole..].trim_start();
    if let Some(url) = rest.strip_prefix('@') {
        let (url, marker) = match url.split_once(';') {
            Some((u, m)) => (u.trim(), Some(m.trim().to_string())),
            None => (url.trim(), None),
        };
        if url.is_empty() {
            return Err(format!("invalid requirement `{}`: `@` needs a URL", short(text)));
        }
        r.url = Some(url.to_string());
        r.marker = marker;
        return Ok(r);
    }
    let (spec, marker) = match rest.split_once(';') {
        Some((s, m)) => (s.trim(), Some(m.trim().to_string())),
        None => (rest.trim(), None),
    };
    if let Some(m) = &marker {
        if m.is_empty() {
            return Err(format!("invalid requirement `{}`: empty marker after `;`", short(text)));
        }
    }
    if !spec.is_empty() && !SPEC.is_match(spec) {
        return Err(format!(
            "invalid requirement `{}`: bad version specifier `{}`",
            short(text),
            short(spec)
        ));
    }
    r.specifier = spec.trim_matches(['(', ')']).split_whitespace().collect();
    r.marker = marker;
    Ok(r)
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(40).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pip_syntax() {
        let text = "# base\n-r base.txt\n-c constraints.txt\n--index-url https://pypi.org/simple\nflask==3.0.3  # web\nrequests[socks,security]>=2.31,<3 ; python_version >= \"3.8\"\nnumpy==1.26.4 \\\n    --hash=sha256:abc\ngit+https://github.com/org/lib.git@0123456789abcdef0123456789abcdef01234567#egg=lib\n-e .\nuvicorn\nmypkg @ https://example.com/mypkg-1.0.tar.gz\n";
        let r = parse(text);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.includes.len(), 2);
        let names: Vec<&str> = r.requirements.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["flask", "requests", "numpy", "lib", "", "uvicorn", "mypkg"]);
        assert!(r.requirements[0].is_pinned());
        assert!(!r.requirements[1].is_pinned());
        assert!(r.requirements[2].is_pinned());
        assert!(r.requirements[3].is_pinned());
        assert!(r.requirements[4].is_local());
        assert!(!r.requirements[5].is_pinned());
        assert_eq!(
            &text[r.requirements[0].span.start..r.requirements[0].span.end],
            "flask==3.0.3"
        );
    }

    #[test]
    fn rejects_what_pip_rejects() {
        for bad in [
            "flask=1.0\n",
            "--frobnicate\n",
            "requests >= \n",
            "-r\n",
            "numpy==1.0 --hash\n",
        ] {
            let r = parse(bad);
            assert_eq!(r.errors.len(), 1, "{bad:?}");
        }
    }
}
