//! DF006: ADD for local files, or ADD of a remote URL without `--checksum`.

use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct AddInsteadOfCopy;

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
];

impl Rule for AddInsteadOfCopy {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::DockerInstruction]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::DockerInstruction(_, i) = subject else {
            return;
        };
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
                    cx.report(s.span, format!("`ADD` downloads `{t}` without `--checksum`"));
                }
            } else if !ARCHIVES.iter().any(|x| t.to_ascii_lowercase().ends_with(x)) {
                local.push(s);
            }
        }
        // an ADD that only copies local files (archives are extracted, which is ADD's job)
        if !local.is_empty() && local.len() == sources.len() {
            let names = local.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
            cx.report(i.keyword_span, format!("`ADD` copies local `{names}`; use `COPY`"));
        }
    }
}
