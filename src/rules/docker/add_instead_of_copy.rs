//! DF006: ADD for local files, or ADD of a remote URL without `--checksum`.

use crate::diagnostic::shown;
use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, Edit, FileContext, FileRule, Fix};

pub struct AddInsteadOfCopy;

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
];

/// Flags ADD and COPY share; any other ADD flag (`--checksum`, `--keep-git-dir`, `--unpack`)
/// has no COPY equivalent.
const COPY_FLAGS: &[&str] = &["chown", "chmod", "link", "exclude"];

impl FileRule for AddInsteadOfCopy {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        if !i.is("ADD") {
            return;
        }
        let Some((_dest, sources)) = i.args.split_last() else {
            return;
        };
        let checksum = i.flag("checksum").is_some();
        let mut local = Vec::new();
        for s in sources {
            let t = s.text.as_str();
            let remote = t.contains("://") || t.starts_with("git@");
            if remote {
                if !checksum {
                    cx.report(s.span, format!("`ADD` downloads `{}` without `--checksum`", shown(t)));
                }
            } else if !ARCHIVES.iter().any(|x| t.to_ascii_lowercase().ends_with(x)) {
                local.push(s);
            }
        }
        // an ADD that only copies local files (archives are extracted, which is ADD's job)
        if !local.is_empty() && local.len() == sources.len() {
            let names = local.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
            let fix = as_copy(cx, i);
            cx.report(
                i.keyword_span,
                format!("`ADD` copies local `{}`; use `COPY`", shown(&names)),
            )
            .fix = fix;
        }
    }
}

/// `ADD` → `COPY` when nothing of the instruction is ADD-only. ADD recognises archives by their
/// content, so a source is left alone when its name hints at any compression, and a source
/// with a variable may be a URL at build time.
fn as_copy(cx: &FileContext<'_>, i: &Instruction) -> Option<Fix> {
    let (_, sources) = i.args.split_last()?;
    let plain = sources.iter().all(|s| {
        let t = s.text.to_ascii_lowercase();
        !t.contains('$')
            && !t.contains("://")
            && !t.starts_with("git@")
            && ![
                ".tar", ".gz", ".tgz", ".bz2", ".tbz2", ".xz", ".txz", ".zst", ".tzst", ".lz4", ".z",
            ]
            .iter()
            .any(|x| t.ends_with(x))
    });
    let flags = i
        .flags
        .iter()
        .all(|f| COPY_FLAGS.iter().any(|c| f.name.text.eq_ignore_ascii_case(c)));
    if !plain || !flags {
        return None;
    }
    let written = cx.source().slice(i.keyword_span);
    let keyword = match written {
        "ADD" => "COPY",
        "add" => "copy",
        _ => return None,
    };
    Some(Fix::safe(vec![Edit::replace(i.keyword_span, keyword)]))
}
