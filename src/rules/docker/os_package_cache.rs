//! DF008: a distribution package manager's cache left in the layer: `apt-get install` without
//! removing `/var/lib/apt/lists`, `yum`/`dnf`/`microdnf install` without `clean all`,
//! `zypper install` without `zypper clean`, in the same RUN. `apk add` is DF023's.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::lang::shell::Command;
use crate::rules::docker::in_final_image;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::command::Read;
use crate::semantic::package::{install, runs, Manager};

pub struct OsPackageCache;

/// Where each manager keeps its cache, and how it is cleaned.
struct Cache {
    dirs: &'static [&'static str],
    /// A cache or tmpfs mount on one of these keeps it out of the layer.
    mounts: &'static [&'static str],
    /// `(manager, subcommand path)` that empties it.
    cleans: &'static [(Manager, &'static [&'static str])],
}

const RPM_CACHE: Cache = Cache {
    dirs: &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"],
    mounts: &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"],
    // on RHEL 8 and later `yum` is dnf: either cleans the shared cache
    cleans: &[(Manager::Yum, &["clean", "all"]), (Manager::Dnf, &["clean", "all"])],
};

fn cache(m: Manager) -> Option<Cache> {
    match m {
        Manager::Apt => Some(Cache {
            dirs: &["/var/lib/apt/lists"],
            mounts: &["/var/lib/apt"],
            cleans: &[(Manager::Apt, &["dist-clean"])],
        }),
        Manager::Yum | Manager::Dnf => Some(RPM_CACHE),
        Manager::Zypper => Some(Cache {
            dirs: &["/var/cache/zypp"],
            mounts: &["/var/cache/zypp"],
            cleans: &[(Manager::Zypper, &["clean"]), (Manager::Zypper, &["cc"])],
        }),
        _ => None,
    }
}

/// `rm -rf /var/cache/yum/*`, `rm -rf /var/cache/*`.
fn removes(c: &Command, dirs: &[&str]) -> bool {
    c.program() == "rm"
        && c.effective_args().iter().any(|a| {
            let parent = a.text.trim_end_matches('*').trim_end_matches('/');
            dirs.iter().any(|d| {
                a.text.starts_with(d)
                    || (parent.matches('/').count() >= 2 && d.strip_prefix(parent).is_some_and(|r| r.starts_with('/')))
            })
        })
}

impl FileRule for OsPackageCache {
    type Target = target::DockerInstruction;

    fn check(&self, (d, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        // build stages do not ship their layers
        if !i.is("RUN") || !in_final_image(d, i) {
            return;
        }
        let commands: Vec<&Command> = i.commands().collect();
        let mut seen: Vec<Manager> = Vec::new();
        for (n, cmd) in commands.iter().enumerate() {
            let Some(inst) = install(cmd) else { continue };
            let Some(cache) = cache(inst.manager) else { continue };
            // one finding per manager and RUN
            if seen.contains(&inst.manager) {
                continue;
            }
            seen.push(inst.manager);
            let mounted = i.flags.iter().any(|f| {
                f.name.text == "mount"
                    && f.value.as_ref().is_some_and(|v| {
                        (v.text.contains("type=cache") || v.text.contains("type=tmpfs"))
                            && cache.mounts.iter().any(|dir| v.text.contains(dir))
                    })
            });
            let later = commands.get(n + 1..).unwrap_or(&[]);
            let cleaned = later
                .iter()
                .any(|c| removes(c, cache.dirs) || cache.cleans.iter().any(|(m, path)| runs(c, *m, path)));
            if mounted || cleaned {
                continue;
            }
            let program = inst.program.program();
            let verb = &inst.verb.text;
            let message = match inst.manager {
                Manager::Apt => format!("`{program} {verb}` leaves `/var/lib/apt/lists` in the layer"),
                Manager::Zypper => format!("`zypper {verb}` without `zypper clean` leaves its cache in the layer"),
                _ => format!("`{program} {verb}` without `{program} clean all` leaves its cache in the layer"),
            };
            let help = match inst.manager {
                Manager::Apt => "end the RUN with `rm -rf /var/lib/apt/lists/*`".to_string(),
                Manager::Zypper => "end the RUN with `zypper clean --all`".to_string(),
                _ => format!("end the RUN with `{program} clean all`"),
            };
            cx.report(inst.verb.span, message).help = Some(help);
        }
    }
}
