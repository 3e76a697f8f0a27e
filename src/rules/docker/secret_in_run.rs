//! DF025: a literal password or token written in a RUN command: fed to `chpasswd`, passed to a
//! client's password option, embedded in a URL, assigned to a secret-named variable.

use std::ops::Range;

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::lang::shell::{Command, Script, Word};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::{piped_from, Read};
use crate::semantic::secret::{is_secret_name, literal_credential, placeholder, secret_value, url_password};
use crate::source::Span;

pub struct SecretInRun;

/// A literal secret: the word it is written in, its byte range in the word's text, what it is.
struct Found<'a> {
    word: &'a Word,
    range: Range<usize>,
    message: String,
}

/// Options of a client that take a password.
struct PasswordOptions {
    programs: &'static [&'static str],
    /// The client's subcommand the options belong to (`docker login`), if any.
    subcommand: Option<&'static str>,
    /// `--password VALUE`, `--password=VALUE`.
    spaced: &'static [&'static str],
    /// `--password=VALUE` only (`mysql --password db` names a database).
    equals: &'static [&'static str],
    /// `-pVALUE`.
    attached: &'static [&'static str],
    /// The value is `user:password` (`curl -u`).
    user_colon: bool,
}

const fn opts(programs: &'static [&'static str], spaced: &'static [&'static str]) -> PasswordOptions {
    PasswordOptions {
        programs,
        subcommand: None,
        spaced,
        equals: &[],
        attached: &[],
        user_colon: false,
    }
}

const CLIENTS: &[PasswordOptions] = &[
    PasswordOptions {
        equals: &["--password"],
        attached: &["-p"],
        ..opts(
            &[
                "mysql",
                "mysqladmin",
                "mysqldump",
                "mysqlimport",
                "mysqlshow",
                "mysqlcheck",
                "mariadb",
                "mariadb-admin",
                "mariadb-dump",
            ],
            &[],
        )
    },
    PasswordOptions {
        subcommand: Some("login"),
        ..opts(
            &["docker", "podman", "buildah", "skopeo", "nerdctl", "oras", "crane"],
            &["-p", "--password"],
        )
    },
    PasswordOptions {
        subcommand: Some("login"),
        ..opts(&["az"], &["-p", "--password"])
    },
    opts(&["helm"], &["--password"]),
    PasswordOptions {
        attached: &["-p"],
        ..opts(&["sshpass"], &["-p"])
    },
    opts(
        &["wget"],
        &["--password", "--http-password", "--ftp-password", "--proxy-password"],
    ),
    PasswordOptions {
        attached: &["-u", "-U"],
        user_colon: true,
        ..opts(&["curl"], &["-u", "--user", "-U", "--proxy-user"])
    },
    opts(&["redis-cli"], &["-a", "--pass"]),
    opts(
        &[
            "mongo",
            "mongosh",
            "mongodump",
            "mongorestore",
            "mongoimport",
            "mongoexport",
        ],
        &["-p", "--password"],
    ),
    opts(&["sqlcmd"], &["-P"]),
];

/// `(start of the value in the word's text)` for each password option of `o` given in `args`.
fn option_values<'a>(o: &PasswordOptions, args: &'a [Word]) -> Vec<(&'a Word, usize, &'static str)> {
    let mut out = Vec::new();
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        let t = a.text.as_str();
        if let Some(flag) = o.spaced.iter().find(|f| **f == t) {
            if let Some(v) = it.peek() {
                out.push((*v, 0, *flag));
            }
            continue;
        }
        let eq = o
            .spaced
            .iter()
            .chain(o.equals)
            .find(|f| t.strip_prefix(**f).is_some_and(|r| r.starts_with('=')) && f.starts_with("--"));
        if let Some(flag) = eq {
            out.push((a, flag.len() + 1, *flag));
            continue;
        }
        if let Some(flag) = o
            .attached
            .iter()
            .find(|f| t.len() > f.len() && t.starts_with(**f) && !t.starts_with("--"))
        {
            out.push((a, flag.len(), *flag));
        }
    }
    out
}

fn password_options<'a>(c: &'a Command, out: &mut Vec<Found<'a>>) {
    let prog = c.program();
    let args = c.effective_args();
    for o in CLIENTS.iter().filter(|o| o.programs.contains(&prog)) {
        if let Some(sub) = o.subcommand {
            if args
                .iter()
                .find(|a| !a.text.starts_with('-'))
                .is_none_or(|a| a.text != sub)
            {
                continue;
            }
        }
        for (w, at, flag) in option_values(o, args) {
            let Some(value) = w.text.get(at..) else { continue };
            let start = if o.user_colon {
                match value.find(':') {
                    Some(colon) => at + colon + 1,
                    None => continue,
                }
            } else {
                at
            };
            let Some(pw) = w.text.get(start..) else { continue };
            if literal_credential(pw) {
                out.push(Found {
                    word: w,
                    range: start..w.text.len(),
                    message: format!("literal password passed to `{prog}` with `{flag}`"),
                });
            }
        }
    }
}

/// `echo "root:Passw0rd" | chpasswd`: the passwords of the `user:password` lines fed to it.
fn chpasswd<'a>(script: &'a Script, c: &'a Command, out: &mut Vec<Found<'a>>) {
    if c.program() != "chpasswd"
        || c.effective_args()
            .iter()
            .any(|a| matches!(a.text.as_str(), "-e" | "--encrypted"))
    {
        return;
    }
    let Some(src) = piped_from(&script.commands, c) else {
        return;
    };
    let printf = match src.program() {
        "echo" => false,
        "printf" => true,
        _ => return,
    };
    for w in src.effective_args().iter().filter(|w| !w.text.starts_with('-')) {
        let mut offset = 0;
        for line in w.text.split_inclusive('\n').flat_map(|l| l.split_inclusive("\\n")) {
            let start = offset;
            offset += line.len();
            let line = line.trim_end_matches("\\n").trim_end_matches('\n');
            let Some((user, pw)) = split_user(line) else { continue };
            if user.is_empty() || (printf && pw.contains('%')) || !literal_credential(pw) {
                continue;
            }
            let pw_start = start + user.len() + 1;
            out.push(Found {
                word: w,
                range: pw_start..pw_start + pw.len(),
                message: format!("`chpasswd` is fed a literal password for `{user}`"),
            });
        }
    }
}

/// `user:password` split at the first `:` outside a `${…}` expansion (`${USER:-app}:pw`).
fn split_user(line: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes.get(i - 1) == Some(&b'$') => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => return Some((&line[..i], &line[i + 1..])),
            _ => {}
        }
    }
    None
}

/// `https://user:token@host/…` in any word.
fn urls<'a>(c: &'a Command, out: &mut Vec<Found<'a>>) {
    for w in c.args.iter() {
        if let Some(range) = url_password(&w.text) {
            out.push(Found {
                word: w,
                range,
                message: "URL carries a literal password".to_string(),
            });
        }
    }
}

/// `PGPASSWORD=Passw0rd psql …`, `export API_TOKEN=…`, `env DB_PASSWORD=… app`.
fn assignments<'a>(c: &'a Command, out: &mut Vec<Found<'a>>) {
    let mut words: Vec<(&str, &Word)> = c.environment();
    if matches!(
        c.name.text.as_str(),
        "export" | "declare" | "readonly" | "local" | "typeset"
    ) {
        words.extend(
            c.args
                .iter()
                .filter_map(|a| a.text.split_once('=').map(|(k, _)| (k, a))),
        );
    }
    for (name, w) in words {
        let at = name.len() + 1;
        let Some(value) = w.text.get(at..) else { continue };
        if is_secret_name(name) && literal_credential(value) && !placeholder(value) {
            out.push(Found {
                word: w,
                range: at..w.text.len(),
                message: format!("`{name}` is given a literal value in RUN"),
            });
        }
    }
}

/// Words whose shape alone says they are a secret (an AWS access key id, a private key).
fn secret_shapes<'a>(c: &'a Command, out: &mut Vec<Found<'a>>) {
    for w in c.args.iter().filter(|w| !w.dynamic) {
        if let Some(what) = secret_value(&w.text) {
            out.push(Found {
                word: w,
                range: 0..w.text.len(),
                message: format!("{what} is written in RUN"),
            });
        }
    }
}

/// The span of `range` of the word's text in the file: exact when the word is written as it
/// reads, or when the part occurs once in what is written; the word's span otherwise.
fn span_of(cx: &FileContext<'_>, w: &Word, range: Range<usize>) -> Span {
    let written = cx.source().slice(w.span);
    let Some(part) = w.text.get(range.clone()) else {
        return w.span;
    };
    if written == w.text {
        return Span::new(w.span.start + range.start, w.span.start + range.end);
    }
    match (written.find(part), written.rfind(part)) {
        (Some(a), Some(b)) if a == b && !part.is_empty() => Span::new(w.span.start + a, w.span.start + a + part.len()),
        _ => w.span,
    }
}

impl FileRule for SecretInRun {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        if !i.is("RUN") {
            return;
        }
        let mut found = Vec::new();
        for script in &i.scripts {
            for c in &script.commands {
                chpasswd(script, c, &mut found);
                password_options(c, &mut found);
                urls(c, &mut found);
                assignments(c, &mut found);
                secret_shapes(c, &mut found);
            }
        }
        let mut reported: Vec<Span> = Vec::new();
        for f in found {
            let span = span_of(cx, f.word, f.range);
            if reported.iter().any(|s| s.start < span.end && span.start < s.end) {
                continue;
            }
            reported.push(span);
            cx.report(span, f.message);
        }
    }
}
