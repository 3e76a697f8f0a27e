//! Conditions of pipeline jobs and steps as boolean expressions: GitHub Actions `if:` (with or
//! without `${{ }}`) and Azure Pipelines `condition:`. One parser for both dialects (`&&`,
//! `||`, `!`, `==`, `!=`, `<`..`>=`, and the functions `and`, `or`, `not`, `eq`, `ne`, `in`,
//! `notIn`, `startsWith`, `endsWith`, `contains`, `succeeded()`, `always()`…), evaluated with
//! three values: true, false, or unknown.
//!
//! A condition is judged against a *situation* — "the run is from a branch other than main",
//! "the run is not for a pull request", "anything at all" — in which the contexts the situation
//! fixes are known (`github.ref` is not `refs/heads/main`) and every other value is unknown.
//! A question is answered yes only when the condition is *false* (or *true*) whatever the
//! unknowns are: `github.ref == 'refs/heads/main' || github.event_name == 'workflow_dispatch'`
//! is unknown from a feature branch, so it does not restrict the job to main. A condition that
//! does not parse is unknown everywhere: never restricted, never always true.

use crate::lang::pipeline::System;

/// A three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
    fn of(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    expr: Expr,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Lit(Lit),
    /// A context or variable, lower-cased and dotted: `github.ref`,
    /// `variables.build.sourcebranch`.
    Ref(String),
    Call(String, Vec<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Op, Box<Expr>, Box<Expr>),
    /// GitHub text with `${{ }}` inside other text: a non-empty string, always truthy.
    Interpolated,
    /// A template expression, a macro, or text that does not parse.
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// What is known about the run a condition is judged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Situation {
    /// Run from a branch other than `main`/`master`, and not for a tag or a release.
    OtherBranch,
    /// Not run for a pull request.
    NotPullRequest,
    /// Nothing is known.
    Any,
}

impl Condition {
    /// A GitHub Actions `if:` value.
    pub fn github(text: &str) -> Condition {
        let t = text.trim_matches(|c: char| c == ' ' || c == '\t');
        let expr = match t.strip_prefix("${{").and_then(|r| r.strip_suffix("}}")) {
            // one expression, nothing around it
            Some(inner) if !inner.contains("}}") && !inner.contains("${{") => parse(inner),
            // `${{ … }}` inside other text (or followed by a newline of a block scalar) is
            // a string, and a non-empty string is true
            _ if t.contains("${{") => Expr::Interpolated,
            _ => parse(t),
        };
        Condition { expr }
    }

    /// An Azure Pipelines `condition:` value.
    pub fn azure(text: &str) -> Condition {
        Condition {
            expr: parse(text.trim()),
        }
    }

    /// A condition in the dialect of `system`.
    pub fn of(system: System, text: &str) -> Condition {
        match system {
            System::GithubActions => Condition::github(text),
            System::AzurePipelines => Condition::azure(text),
        }
    }

    /// The condition's value in `situation`.
    pub fn eval(&self, situation: Situation) -> Truth {
        let cx = Cx {
            situation,
            always_unknown: false,
        };
        cx.truth(&cx.value(&self.expr, 0))
    }

    /// Whether the condition is false for every run from a branch other than main (tags and
    /// releases count as main): the job it guards runs from main only.
    pub fn restricts_to_main(&self) -> bool {
        self.eval(Situation::OtherBranch) == Truth::False
    }

    /// Whether the condition is false for every run that is not for a pull request.
    pub fn only_pull_requests(&self) -> bool {
        self.eval(Situation::NotPullRequest) == Truth::False
    }

    /// Whether the condition is true whatever the run: `if: always()`, `if: true`, and a
    /// GitHub `if:` whose `${{ }}` is embedded in other text (`if: ${{ a }} && b`, or a block
    /// scalar ending in a newline), which is a non-empty string.
    pub fn always_true(&self) -> bool {
        self.eval(Situation::Any) == Truth::True
    }

    /// Whether the condition is true whatever the run, and not because it calls `always()`
    /// (which runs a job or step anyway on purpose): `if: ${{ a }} || ${{ b }}`,
    /// `if: ${{ 'false' }}`, `if: x || 'true'`, `if: true`.
    pub fn always_true_without_always(&self) -> bool {
        let cx = Cx {
            situation: Situation::Any,
            always_unknown: true,
        };
        cx.truth(&cx.value(&self.expr, 0)) == Truth::True
    }

    /// Whether the condition is GitHub text with `${{ }}` inside other text: a string.
    pub fn is_interpolated(&self) -> bool {
        self.expr == Expr::Interpolated
    }

    /// Whether the text parsed as an expression.
    pub fn parsed(&self) -> bool {
        self.expr != Expr::Unknown
    }
}

// ---- values ----

/// An abstract value: known, known to differ from some strings, or unknown.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Known(Lit),
    /// A string that is none of `not_eq` and starts with none of `not_prefix` (compared
    /// without case).
    Excl {
        not_eq: &'static [&'static str],
        not_prefix: &'static [&'static str],
    },
    Unknown,
}

const MAIN_REFS: &[&str] = &["refs/heads/main", "refs/heads/master"];
const MAIN_NAMES: &[&str] = &["main", "master"];
const TAG_PREFIX: &[&str] = &["refs/tags/"];

struct Cx {
    situation: Situation,
    /// Read `always()` as unknown, to tell a condition that is true on purpose.
    always_unknown: bool,
}

/// Nesting bound: a hostile condition cannot overflow the stack.
const MAX_DEPTH: usize = 64;

impl Cx {
    fn reference(&self, name: &str) -> Val {
        let name = name.strip_prefix("variables.").unwrap_or(name);
        match self.situation {
            Situation::OtherBranch => match name {
                "github.ref" | "github.event.ref" | "build.sourcebranch" => Val::Excl {
                    not_eq: MAIN_REFS,
                    not_prefix: TAG_PREFIX,
                },
                "github.ref_name" | "build.sourcebranchname" | "github.event.workflow_run.head_branch" => Val::Excl {
                    not_eq: MAIN_NAMES,
                    not_prefix: &[],
                },
                "github.ref_type" => Val::Excl {
                    not_eq: &["tag"],
                    not_prefix: &[],
                },
                "github.event_name" => Val::Excl {
                    not_eq: &["release"],
                    not_prefix: &[],
                },
                _ => Val::Unknown,
            },
            Situation::NotPullRequest => match name {
                "github.event_name" => Val::Excl {
                    not_eq: &[
                        "pull_request",
                        "pull_request_target",
                        "pull_request_review",
                        "pull_request_review_comment",
                    ],
                    not_prefix: &[],
                },
                "build.reason" => Val::Excl {
                    not_eq: &["pullrequest"],
                    not_prefix: &[],
                },
                "github.head_ref" | "github.base_ref" => Val::Known(Lit::Str(String::new())),
                n if n == "github.event.pull_request"
                    || n.starts_with("github.event.pull_request.")
                    || n.starts_with("system.pullrequest.") =>
                {
                    Val::Known(Lit::Null)
                }
                _ => Val::Unknown,
            },
            Situation::Any => Val::Unknown,
        }
    }

    fn truth(&self, v: &Val) -> Truth {
        match v {
            Val::Known(Lit::Bool(b)) => Truth::of(*b),
            Val::Known(Lit::Null) => Truth::False,
            Val::Known(Lit::Num(n)) => Truth::of(*n != 0.0 && !n.is_nan()),
            Val::Known(Lit::Str(s)) => Truth::of(!s.is_empty()),
            // a string that is not one of a few values may still be empty
            Val::Excl { .. } | Val::Unknown => Truth::Unknown,
        }
    }

    fn value(&self, e: &Expr, depth: usize) -> Val {
        if depth > MAX_DEPTH {
            return Val::Unknown;
        }
        let d = depth + 1;
        let truth = |t: Truth| match t {
            Truth::True => Val::Known(Lit::Bool(true)),
            Truth::False => Val::Known(Lit::Bool(false)),
            Truth::Unknown => Val::Unknown,
        };
        match e {
            Expr::Lit(l) => Val::Known(l.clone()),
            Expr::Ref(r) => self.reference(r),
            Expr::Interpolated => Val::Known(Lit::Bool(true)),
            Expr::Unknown => Val::Unknown,
            Expr::Not(x) => truth(self.truth(&self.value(x, d)).not()),
            Expr::And(a, b) => truth(and(self.truth(&self.value(a, d)), self.truth(&self.value(b, d)))),
            Expr::Or(a, b) => truth(or(self.truth(&self.value(a, d)), self.truth(&self.value(b, d)))),
            Expr::Cmp(op, a, b) => truth(compare(*op, &self.value(a, d), &self.value(b, d))),
            Expr::Call(name, args) => self.call(name, args, d),
        }
    }

    fn call(&self, name: &str, args: &[Expr], d: usize) -> Val {
        let vals: Vec<Val> = args.iter().map(|a| self.value(a, d)).collect();
        let truths = || vals.iter().map(|v| self.truth(v));
        let truth = |t: Truth| match t {
            Truth::True => Val::Known(Lit::Bool(true)),
            Truth::False => Val::Known(Lit::Bool(false)),
            Truth::Unknown => Val::Unknown,
        };
        let arg = |i: usize| vals.get(i).cloned().unwrap_or(Val::Unknown);
        match name {
            "and" if !vals.is_empty() => truth(truths().fold(Truth::True, and)),
            "or" if !vals.is_empty() => truth(truths().fold(Truth::False, or)),
            "not" if vals.len() == 1 => truth(self.truth(&arg(0)).not()),
            "xor" if vals.len() == 2 => {
                let (a, b) = (self.truth(&arg(0)), self.truth(&arg(1)));
                match (a, b) {
                    (Truth::Unknown, _) | (_, Truth::Unknown) => Val::Unknown,
                    _ => truth(Truth::of(a != b)),
                }
            }
            "eq" if vals.len() == 2 => truth(compare(Op::Eq, &arg(0), &arg(1))),
            "ne" if vals.len() == 2 => truth(compare(Op::Ne, &arg(0), &arg(1))),
            "lt" if vals.len() == 2 => truth(compare(Op::Lt, &arg(0), &arg(1))),
            "le" if vals.len() == 2 => truth(compare(Op::Le, &arg(0), &arg(1))),
            "gt" if vals.len() == 2 => truth(compare(Op::Gt, &arg(0), &arg(1))),
            "ge" if vals.len() == 2 => truth(compare(Op::Ge, &arg(0), &arg(1))),
            "in" | "notin" if vals.len() >= 2 => {
                let found = vals[1..]
                    .iter()
                    .map(|v| compare(Op::Eq, &vals[0], v))
                    .fold(Truth::False, or);
                truth(if name == "in" { found } else { found.not() })
            }
            "startswith" if vals.len() == 2 => truth(starts_with(&arg(0), &arg(1))),
            "endswith" if vals.len() == 2 => match (&arg(0), &arg(1)) {
                (Val::Known(a), Val::Known(b)) => {
                    truth(Truth::of(text(a).to_lowercase().ends_with(&text(b).to_lowercase())))
                }
                _ => Val::Unknown,
            },
            "contains" if vals.len() == 2 => match (&arg(0), &arg(1)) {
                (Val::Known(a), Val::Known(b)) => {
                    truth(Truth::of(text(a).to_lowercase().contains(&text(b).to_lowercase())))
                }
                _ => Val::Unknown,
            },
            "always" if vals.is_empty() && !self.always_unknown => Val::Known(Lit::Bool(true)),
            "fromjson" if vals.len() == 1 => match &arg(0) {
                Val::Known(Lit::Str(s)) => match s.trim() {
                    "true" => Val::Known(Lit::Bool(true)),
                    "false" => Val::Known(Lit::Bool(false)),
                    "null" => Val::Known(Lit::Null),
                    n => n.parse().map(|n| Val::Known(Lit::Num(n))).unwrap_or(Val::Unknown),
                },
                _ => Val::Unknown,
            },
            // success(), failure(), cancelled(), succeeded(), failed(), succeededOrFailed(),
            // format(), join(), hashFiles(), counter(), coalesce()...: what they return is not
            // known statically
            _ => Val::Unknown,
        }
    }
}

fn and(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::False, _) | (_, Truth::False) => Truth::False,
        (Truth::True, Truth::True) => Truth::True,
        _ => Truth::Unknown,
    }
}

fn or(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Truth::True, _) | (_, Truth::True) => Truth::True,
        (Truth::False, Truth::False) => Truth::False,
        _ => Truth::Unknown,
    }
}

fn text(l: &Lit) -> String {
    match l {
        Lit::Str(s) => s.clone(),
        Lit::Num(n) => n.to_string(),
        Lit::Bool(b) => b.to_string(),
        Lit::Null => String::new(),
    }
}

/// Equality as both systems define it for strings (without case) and loosely across types.
fn equal(a: &Lit, b: &Lit) -> bool {
    match (a, b) {
        (Lit::Num(x), Lit::Num(y)) => x == y,
        (Lit::Null, Lit::Null) => true,
        (Lit::Num(x), Lit::Str(s)) | (Lit::Str(s), Lit::Num(x)) => s.trim().parse::<f64>().is_ok_and(|y| y == *x),
        _ => text(a).eq_ignore_ascii_case(&text(b)),
    }
}

fn compare(op: Op, a: &Val, b: &Val) -> Truth {
    let eq = match (a, b) {
        (Val::Known(x), Val::Known(y)) => {
            if matches!(op, Op::Eq | Op::Ne) {
                Truth::of(equal(x, y))
            } else {
                let num = |l: &Lit| match l {
                    Lit::Num(n) => Some(*n),
                    Lit::Str(s) => s.trim().parse().ok(),
                    _ => None,
                };
                return match (num(x), num(y)) {
                    (Some(x), Some(y)) => Truth::of(match op {
                        Op::Lt => x < y,
                        Op::Le => x <= y,
                        Op::Gt => x > y,
                        _ => x >= y,
                    }),
                    _ => Truth::Unknown,
                };
            }
        }
        (Val::Excl { not_eq, not_prefix }, Val::Known(Lit::Str(s)))
        | (Val::Known(Lit::Str(s)), Val::Excl { not_eq, not_prefix })
            if matches!(op, Op::Eq | Op::Ne) =>
        {
            let l = s.to_ascii_lowercase();
            if not_eq.contains(&l.as_str()) || not_prefix.iter().any(|p| l.starts_with(p)) {
                Truth::False
            } else {
                Truth::Unknown
            }
        }
        _ => Truth::Unknown,
    };
    match op {
        Op::Eq => eq,
        Op::Ne => eq.not(),
        _ => Truth::Unknown,
    }
}

fn starts_with(a: &Val, b: &Val) -> Truth {
    match (a, b) {
        (Val::Known(x), Val::Known(y)) => Truth::of(text(x).to_lowercase().starts_with(&text(y).to_lowercase())),
        (Val::Excl { not_prefix, .. }, Val::Known(Lit::Str(p))) => {
            let p = p.to_ascii_lowercase();
            if p.is_empty() {
                Truth::True
            } else if not_prefix.iter().any(|np| p.starts_with(np)) {
                // the value starts with none of `not_prefix`, so with nothing longer either
                Truth::False
            } else {
                Truth::Unknown
            }
        }
        _ => Truth::Unknown,
    }
}

// ---- parsing ----

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    /// `${{ … }}` or `$( … )` / `$[ … ]`: replaced before the condition is evaluated.
    Opaque,
    Punct(&'static str),
}

fn lex(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if s[i..].starts_with("${{") {
            let end = s[i..].find("}}")?;
            i += end + 2;
            out.push(Tok::Opaque);
            continue;
        }
        if c == b'$' && matches!(b.get(i + 1), Some(b'(' | b'[')) {
            let close = if b[i + 1] == b'(' { ')' } else { ']' };
            let end = s[i..].find(close)?;
            i += end + 1;
            out.push(Tok::Opaque);
            continue;
        }
        if c == b'\'' {
            let mut v = String::new();
            let mut j = i + 1;
            loop {
                let ch = s[j..].chars().next()?;
                if ch == '\'' {
                    if b.get(j + 1) == Some(&b'\'') {
                        v.push('\'');
                        j += 2;
                        continue;
                    }
                    j += 1;
                    break;
                }
                v.push(ch);
                j += ch.len_utf8();
            }
            i = j;
            out.push(Tok::Str(v));
            continue;
        }
        if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            let t = &s[start..i];
            let n = match t.strip_prefix("0x") {
                Some(h) => i64::from_str_radix(h, 16).ok()? as f64,
                None => t.parse().ok()?,
            };
            out.push(Tok::Num(n));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
            out.push(Tok::Ident(s[start..i].to_string()));
            continue;
        }
        let two = s.get(i..i + 2).unwrap_or("");
        let punct: &'static str = match two {
            "==" => "==",
            "!=" => "!=",
            "<=" => "<=",
            ">=" => ">=",
            "&&" => "&&",
            "||" => "||",
            _ => match c {
                b'(' => "(",
                b')' => ")",
                b'[' => "[",
                b']' => "]",
                b',' => ",",
                b'.' => ".",
                b'!' => "!",
                b'<' => "<",
                b'>' => ">",
                b'*' => "*",
                _ => return None,
            },
        };
        i += punct.len();
        out.push(Tok::Punct(punct));
    }
    Some(out)
}

fn parse(text: &str) -> Expr {
    let Some(toks) = lex(text) else { return Expr::Unknown };
    if toks.is_empty() {
        return Expr::Unknown;
    }
    let mut p = Parser { toks, pos: 0 };
    match p.or(0) {
        Some(e) if p.pos == p.toks.len() => e,
        _ => Expr::Unknown,
    }
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(p)) if *p == punct) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut left = self.and(depth + 1)?;
        while self.eat("||") {
            let right = self.and(depth + 1)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn and(&mut self, depth: usize) -> Option<Expr> {
        let mut left = self.equality(depth)?;
        while self.eat("&&") {
            let right = self.equality(depth)?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Some(left)
    }

    fn equality(&mut self, depth: usize) -> Option<Expr> {
        let mut left = self.comparison(depth)?;
        loop {
            let op = if self.eat("==") {
                Op::Eq
            } else if self.eat("!=") {
                Op::Ne
            } else {
                return Some(left);
            };
            let right = self.comparison(depth)?;
            left = Expr::Cmp(op, Box::new(left), Box::new(right));
        }
    }

    fn comparison(&mut self, depth: usize) -> Option<Expr> {
        let mut left = self.unary(depth)?;
        loop {
            let op = if self.eat("<=") {
                Op::Le
            } else if self.eat(">=") {
                Op::Ge
            } else if self.eat("<") {
                Op::Lt
            } else if self.eat(">") {
                Op::Gt
            } else {
                return Some(left);
            };
            let right = self.unary(depth)?;
            left = Expr::Cmp(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            return None;
        }
        if self.eat("!") {
            return Some(Expr::Not(Box::new(self.unary(depth + 1)?)));
        }
        self.postfix(depth)
    }

    fn postfix(&mut self, depth: usize) -> Option<Expr> {
        let mut e = self.primary(depth)?;
        loop {
            if self.eat(".") {
                let name = match self.toks.get(self.pos)? {
                    Tok::Ident(n) => n.to_ascii_lowercase(),
                    Tok::Punct("*") => "*".to_string(),
                    _ => return None,
                };
                self.pos += 1;
                e = match e {
                    Expr::Ref(r) => Expr::Ref(format!("{r}.{name}")),
                    _ => Expr::Unknown,
                };
            } else if self.eat("[") {
                let index = self.or(depth + 1)?;
                if !self.eat("]") {
                    return None;
                }
                e = match (e, index) {
                    (Expr::Ref(r), Expr::Lit(Lit::Str(k))) => Expr::Ref(format!("{r}.{}", k.to_ascii_lowercase())),
                    _ => Expr::Unknown,
                };
            } else {
                return Some(e);
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Option<Expr> {
        let tok = self.toks.get(self.pos)?.clone();
        self.pos += 1;
        match tok {
            Tok::Str(s) => Some(string(s)),
            Tok::Num(n) => Some(Expr::Lit(Lit::Num(n))),
            Tok::Opaque => Some(Expr::Unknown),
            Tok::Punct("(") => {
                let e = self.or(depth + 1)?;
                self.eat(")").then_some(e)
            }
            Tok::Ident(name) => {
                let lower = name.to_ascii_lowercase();
                if self.eat("(") {
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.or(depth + 1)?);
                            if self.eat(")") {
                                break;
                            }
                            if !self.eat(",") {
                                return None;
                            }
                        }
                    }
                    return Some(Expr::Call(lower, args));
                }
                Some(match lower.as_str() {
                    "true" => Expr::Lit(Lit::Bool(true)),
                    "false" => Expr::Lit(Lit::Bool(false)),
                    "null" => Expr::Lit(Lit::Null),
                    _ => Expr::Ref(lower),
                })
            }
            Tok::Punct(_) => None,
        }
    }
}

/// A string literal; a macro written inside it (`'$(Build.SourceBranch)'`) is the variable,
/// any other expansion makes it unknown.
fn string(s: String) -> Expr {
    let t = s.trim();
    if let Some(var) = t.strip_prefix("$(").and_then(|r| r.strip_suffix(')')) {
        if !var.contains(['(', ')', '$', ' ']) {
            return Expr::Ref(format!("variables.{}", var.to_ascii_lowercase()));
        }
    }
    if s.contains("${{") || s.contains("$(") || s.contains("$[") {
        return Expr::Unknown;
    }
    Expr::Lit(Lit::Str(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn main_only(t: &str) -> bool {
        Condition::github(t).restricts_to_main()
    }
    fn az_main_only(t: &str) -> bool {
        Condition::azure(t).restricts_to_main()
    }

    #[test]
    fn restricted_to_main_only_when_every_other_branch_is_excluded() {
        for yes in [
            "github.ref == 'refs/heads/main'",
            "${{ github.ref == 'refs/heads/main' }}",
            "github.ref == 'refs/heads/main' && github.event_name == 'push'",
            "github.event_name == 'push' && github.ref_name == 'master'",
            "startsWith(github.ref, 'refs/tags/v')",
            "github.ref_type == 'tag'",
            "github.event_name == 'release'",
            "success() && github.ref == 'refs/heads/main'",
            "contains('refs/heads/main refs/heads/master', 'x') && github.ref == 'refs/heads/main'",
            "!(github.ref != 'refs/heads/main')",
            "github.event.workflow_run.head_branch == 'main'",
        ] {
            assert!(main_only(yes), "{yes}");
        }
        for no in [
            "github.ref == 'refs/heads/main' || github.event_name == 'workflow_dispatch'",
            "github.ref != 'refs/heads/main'",
            "github.ref == 'refs/heads/develop'",
            "contains(github.ref, 'main')",
            "github.event_name == 'push'",
            "always()",
            "${{ github.ref == 'refs/heads/main' }} && true",
            "${{ github.ref == 'refs/heads/main' }}\n",
            "github.ref == 'refs/heads/main' ||",
            "inputs.deploy == true",
            "",
        ] {
            assert!(!main_only(no), "{no:?}");
        }
    }

    #[test]
    fn azure_conditions() {
        for yes in [
            "and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'))",
            "and(succeeded(), eq(variables.Build.SourceBranchName, 'main'))",
            "eq('$(Build.SourceBranch)', 'refs/heads/main')",
            "and(succeeded(), in(variables['Build.SourceBranch'], 'refs/heads/main', 'refs/heads/master'))",
            "and(succeeded(), startsWith(variables['Build.SourceBranch'], 'refs/tags/'))",
            "and(succeeded(), not(ne(variables['Build.SourceBranch'], 'refs/heads/main')))",
        ] {
            assert!(az_main_only(yes), "{yes}");
        }
        for no in [
            "succeeded()",
            "or(eq(variables['Build.SourceBranch'], 'refs/heads/main'), eq(variables['Build.Reason'], 'Manual'))",
            "and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'))",
            "eq(variables['Build.SourceBranch'], '${{ parameters.branch }}')",
            "and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main')",
        ] {
            assert!(!az_main_only(no), "{no}");
        }
    }

    #[test]
    fn pull_requests_and_always_true() {
        assert!(Condition::github("github.event_name == 'pull_request'").only_pull_requests());
        assert!(Condition::github("github.head_ref != ''").only_pull_requests());
        assert!(Condition::azure("eq(variables['Build.Reason'], 'PullRequest')").only_pull_requests());
        assert!(!Condition::github("github.event_name != 'pull_request'").only_pull_requests());
        assert!(!Condition::github("success()").only_pull_requests());
        for always in [
            "always()",
            "true",
            "${{ true }}",
            "${{ github.ref == 'refs/heads/main' }} && x",
        ] {
            assert!(Condition::github(always).always_true(), "{always:?}");
        }
        assert!(!Condition::github("success() || failure()").always_true());
        for by_mistake in [
            "true",
            "${{ 'false' }}",
            "${{ github.event_name == 'push' }} && ${{ github.ref == 'refs/heads/main' }}",
            "${{ github.ref == 'refs/heads/main' }}\n",
            "github.ref_type == 'tag' || 'true'",
            "always() || true",
        ] {
            assert!(
                Condition::github(by_mistake).always_true_without_always(),
                "{by_mistake:?}"
            );
        }
        for on_purpose_or_not_always in [
            "always()",
            "${{ always() }}",
            "always() && github.event_name == 'push'",
            "failure() || always()",
            "false",
            "${{ false }}",
            "github.ref == 'refs/heads/main'",
            "inputs.deploy",
            "${{ 'false' == 'true' }}",
        ] {
            let c = Condition::github(on_purpose_or_not_always);
            assert!(!c.always_true_without_always(), "{on_purpose_or_not_always:?}");
        }
        assert!(Condition::github("${{ a }} || ${{ b }}").is_interpolated());
        assert!(!Condition::github("${{ a || b }}").is_interpolated());
        assert!(!Condition::github("github.ref == 'refs/heads/main'").always_true());
        assert!(Condition::azure("always()").always_true());
    }

    #[test]
    fn hostile_conditions_are_unknown() {
        let deep = format!("{}true{}", "(".repeat(500), ")".repeat(500));
        assert!(!Condition::github(&deep).restricts_to_main());
        let nots = format!("{}true", "!".repeat(500));
        assert!(!Condition::github(&nots).always_true());
        assert!(!Condition::github("'unterminated").parsed());
    }
}
