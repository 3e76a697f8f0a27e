//! Package installs on a command line: which package manager runs (`apt-get install`,
//! `apk add`, `yum install`, `dnf install`, `zypper install`, `pip install`, `npm install`,
//! `gem install`; read past wrappers by [`crate::semantic::command`]), which of its words name
//! packages, which of those name a version, and whether a command cleans a manager's cache.
//!
//! Each manager's own spelling of a version is read: `curl=7.88.1-10` (apt, apk, zypper),
//! `curl~8.5` and `curl>8` (apk), `httpd-2.4.6-99.el7` (yum, dnf), `flask==3.0` (pip),
//! `pm2@5.3.1` (npm), `rails:7.1.3` or `-v 7.1.3` (gem). Words that are not names from an
//! index — local files, paths, URLs, groups, globs, `$VARIABLES` — are neither pinned nor
//! unpinned.

use crate::lang::shell::{operands, Command, Word};
use crate::semantic::command::effective;

/// A package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    Apt,
    Apk,
    Yum,
    /// `dnf`, `dnf5` and `microdnf`.
    Dnf,
    Zypper,
    Pip,
    Npm,
    Gem,
}

/// How a manager's command line is written.
struct Syntax {
    /// Options before the subcommand that take the next word as their value.
    global_values: &'static [&'static str],
    /// Subcommands that install or upgrade packages (and fill the cache).
    installs: &'static [&'static str],
    /// Those of them whose operands are package names that may carry a version.
    pins: &'static [&'static str],
    /// Options of the subcommand that take the next word as their value.
    values: &'static [&'static str],
}

const APT_VALUES: &[&str] = &["-o", "-t", "-c", "--target-release", "--config-file"];

const APK_VALUES: &[&str] = &[
    "-t",
    "--virtual",
    "-X",
    "--repository",
    "-p",
    "--root",
    "--arch",
    "--cache-dir",
    "--keys-dir",
    "--repositories-file",
    "--wait",
    "--cache-max-age",
];

const RPM_VALUES: &[&str] = &[
    "-c",
    "--config",
    "--installroot",
    "--releasever",
    "--enablerepo",
    "--disablerepo",
    "--repo",
    "--repoid",
    "--setopt",
    "-x",
    "--exclude",
    "--downloaddir",
    "--destdir",
    "--forcearch",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
    "--rpmverbosity",
    "--color",
    "--disableplugin",
    "--enableplugin",
    "--repofrompath",
    "--comment",
    "--advisory",
    "--advisories",
    "--bz",
    "--cve",
    "--sec-severity",
    "--secseverity",
    "--platform-id",
];

const ZYPPER_GLOBAL_VALUES: &[&str] = &[
    "-R",
    "--root",
    "-D",
    "--reposd-dir",
    "-C",
    "--cache-dir",
    "--raw-cache-dir",
    "--solv-cache-dir",
    "--pkg-cache-dir",
    "-c",
    "--config",
    "--userdata",
    "--installroot",
];

const ZYPPER_VALUES: &[&str] = &[
    "-t",
    "--type",
    "-r",
    "--repo",
    "--from",
    "-p",
    "--plus-repo",
    "--download",
    "--plus-content",
];

/// pip options that take a value (the value is not a package).
const PIP_VALUE_OPTIONS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--progress-bar",
    "--cache-dir",
    "--log",
    "--only-binary",
    "--no-binary",
    "--config-settings",
    "-C",
    "--global-option",
    "--python",
    "--report",
];

const NPM_VALUES: &[&str] = &[
    "--registry",
    "--loglevel",
    "--prefix",
    "-C",
    "-w",
    "--workspace",
    "--cache",
    "--tag",
    "--omit",
    "--include",
    "--userconfig",
    "--globalconfig",
    "--install-strategy",
];

const GEM_VALUES: &[&str] = &[
    "-v",
    "--version",
    "-i",
    "--install-dir",
    "-n",
    "--bindir",
    "--build-root",
    "--document",
    "-s",
    "--source",
    "-p",
    "--http-proxy",
    "--platform",
    "-P",
    "--trust-policy",
    "-g",
    "--file",
    "--without",
    "--config-file",
    "--target-rbconfig",
];

impl Manager {
    fn of(program: &str) -> Option<Manager> {
        Some(match program {
            "apt-get" | "apt" => Manager::Apt,
            "apk" => Manager::Apk,
            "yum" => Manager::Yum,
            "dnf" | "dnf5" | "microdnf" => Manager::Dnf,
            "zypper" => Manager::Zypper,
            "npm" => Manager::Npm,
            "gem" => Manager::Gem,
            p if is_pip(p) => Manager::Pip,
            _ => return None,
        })
    }

    fn syntax(self) -> Syntax {
        const RPM_INSTALLS: &[&str] = &[
            "install",
            "in",
            "reinstall",
            "localinstall",
            "groupinstall",
            "update",
            "upgrade",
            "up",
            "distro-sync",
        ];
        match self {
            Manager::Apt => Syntax {
                global_values: APT_VALUES,
                installs: &["install"],
                pins: &["install"],
                values: APT_VALUES,
            },
            Manager::Apk => Syntax {
                global_values: APK_VALUES,
                installs: &["add"],
                pins: &["add"],
                values: APK_VALUES,
            },
            Manager::Yum | Manager::Dnf => Syntax {
                global_values: RPM_VALUES,
                installs: RPM_INSTALLS,
                pins: &["install", "in", "reinstall"],
                values: RPM_VALUES,
            },
            Manager::Zypper => Syntax {
                global_values: ZYPPER_GLOBAL_VALUES,
                installs: &["install", "in", "update", "up", "dist-upgrade", "dup", "patch"],
                pins: &["install", "in"],
                values: ZYPPER_VALUES,
            },
            Manager::Pip => Syntax {
                global_values: &[],
                installs: &["install"],
                pins: &["install"],
                values: PIP_VALUE_OPTIONS,
            },
            Manager::Npm => Syntax {
                global_values: NPM_VALUES,
                installs: &["install", "i", "add", "isntall", "ci"],
                pins: &["install", "i", "add", "isntall"],
                values: NPM_VALUES,
            },
            Manager::Gem => Syntax {
                global_values: &[],
                installs: &["install", "i"],
                pins: &["install", "i"],
                values: GEM_VALUES,
            },
        }
    }

    /// The command users know the manager by.
    pub fn name(self) -> &'static str {
        match self {
            Manager::Apt => "apt-get",
            Manager::Apk => "apk",
            Manager::Yum => "yum",
            Manager::Dnf => "dnf",
            Manager::Zypper => "zypper",
            Manager::Pip => "pip",
            Manager::Npm => "npm",
            Manager::Gem => "gem",
        }
    }

    /// A distribution's package manager (apt, apk, yum, dnf, zypper) rather than a language's.
    pub fn is_system(self) -> bool {
        matches!(
            self,
            Manager::Apt | Manager::Apk | Manager::Yum | Manager::Dnf | Manager::Zypper
        )
    }

    /// `pkg` as the manager spells it pinned: `curl=<version>`, `httpd-<version>`.
    pub fn pinned_spelling(self, pkg: &str) -> String {
        match self {
            Manager::Apt | Manager::Apk | Manager::Zypper => format!("{pkg}=<version>"),
            Manager::Yum | Manager::Dnf => format!("{pkg}-<version>"),
            Manager::Pip => format!("{pkg}==<version>"),
            Manager::Npm => format!("{pkg}@<version>"),
            Manager::Gem => format!("{pkg}:<version>"),
        }
    }
}

fn is_pip(prog: &str) -> bool {
    prog == "pip"
        || prog
            .strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Whether a word is an option (`-y`, `--no-cache`, `--virtual=.deps`).
fn is_option(t: &str) -> bool {
    t.starts_with('-') && t.len() > 1
}

/// One install command: `apk add --no-cache curl`.
#[derive(Debug, Clone, Copy)]
pub struct Install<'a> {
    pub manager: Manager,
    /// The program word (`apk`, `/usr/bin/apt-get`).
    pub program: &'a Word,
    /// The subcommand word (`add`, `install`).
    pub verb: &'a Word,
    /// The words after the subcommand.
    pub args: &'a [Word],
    /// Options before the subcommand (`npm -g install`, `zypper -n install`).
    pub global: &'a [Word],
}

/// The manager subcommand of a command, `None` when no package manager runs: the program, the
/// words before the subcommand and the subcommand's position.
fn subcommand(cmd: &Command) -> Option<(Manager, &Word, &[Word], usize)> {
    let (name, args) = effective(cmd)?;
    let manager = Manager::of(name.program())?;
    let values = manager.syntax().global_values;
    // the subcommand is the first word that is neither an option nor an option's value
    let mut pos = 0;
    while let Some(a) = args.get(pos) {
        let t = a.text.as_str();
        if !is_option(t) {
            break;
        }
        pos += if !t.contains('=') && values.contains(&t) { 2 } else { 1 };
    }
    args.get(pos)?;
    Some((manager, name, args, pos))
}

/// The install (or upgrade) a command runs, if it runs a package manager's install.
pub fn install(cmd: &Command) -> Option<Install<'_>> {
    let (manager, program, args, pos) = subcommand(cmd)?;
    let verb = args.get(pos)?;
    if !manager.syntax().installs.contains(&verb.text.as_str()) {
        return None;
    }
    Some(Install {
        manager,
        program,
        verb,
        args: args.get(pos + 1..).unwrap_or(&[]),
        global: args.get(..pos).unwrap_or(&[]),
    })
}

/// Whether a command runs `manager` with the subcommand path `path` (`yum clean all`,
/// `zypper cc`), options set aside.
pub fn runs(cmd: &Command, manager: Manager, path: &[&str]) -> bool {
    let Some((m, _, args, pos)) = subcommand(cmd) else {
        return false;
    };
    if m != manager || path.is_empty() {
        return false;
    }
    let words = args
        .get(pos..)
        .unwrap_or(&[])
        .iter()
        .filter(|a| !is_option(&a.text))
        .map(|a| a.text.as_str());
    words.take(path.len()).eq(path.iter().copied())
}

/// The package (or apk virtual group) words a command removes: `apk del .build-deps`,
/// `apt-get purge -y gcc`, `yum remove`, `dnf remove`, `zypper rm`.
pub fn removed(cmd: &Command) -> Vec<&Word> {
    let Some((manager, _, args, pos)) = subcommand(cmd) else {
        return Vec::new();
    };
    let verbs: &[&str] = match manager {
        Manager::Apk => &["del"],
        Manager::Apt => &["purge", "remove", "autoremove"],
        Manager::Yum | Manager::Dnf => &["remove", "erase", "autoremove"],
        Manager::Zypper => &["remove", "rm"],
        _ => &[],
    };
    match args.get(pos) {
        Some(v) if verbs.contains(&v.text.as_str()) => {
            let values = manager.syntax().values;
            operands(args.get(pos + 1..).unwrap_or(&[]), |w| &w.text, |o| values.contains(&o))
        }
        _ => Vec::new(),
    }
}

impl<'a> Install<'a> {
    /// The virtual package `apk add --virtual .build-deps` groups the packages under.
    pub fn group(&self) -> Option<&'a str> {
        (self.manager == Manager::Apk)
            .then(|| self.option(&["-t", "--virtual"]))
            .flatten()
    }

    /// Whether the subcommand takes package names that may carry a version (`install`, not
    /// `upgrade` or `groupinstall`).
    pub fn names_packages(&self) -> bool {
        self.manager.syntax().pins.contains(&self.verb.text.as_str())
    }

    /// The words that name packages (option values skipped; gem's build options after `--`
    /// dropped).
    pub fn packages(&self) -> Vec<&'a Word> {
        let args = match self.manager {
            Manager::Gem => {
                let end = self.args.iter().position(|a| a.text == "--").unwrap_or(self.args.len());
                self.args.get(..end).unwrap_or(&[])
            }
            _ => self.args,
        };
        let values = self.manager.syntax().values;
        operands(args, |w| &w.text, |o| values.contains(&o))
    }

    /// The value of one of `options` on the subcommand or before it (`-v 1.2`, `--type=pattern`).
    fn option(&self, options: &[&str]) -> Option<&'a str> {
        let all = self.global.iter().chain(self.args.iter());
        let mut take_next = false;
        for a in all {
            let t = a.text.as_str();
            if take_next {
                return Some(t);
            }
            for o in options {
                if t == *o {
                    take_next = true;
                } else if let Some(v) = t.strip_prefix(o).and_then(|r| r.strip_prefix('=')) {
                    return Some(v);
                }
            }
        }
        None
    }

    /// The package words installed without a version. Words that are not package names
    /// (files, paths, URLs, groups, globs, `$VARIABLES`) are never among them, nor are the
    /// installer's own bootstrap packages (`pip install -U pip`).
    pub fn unpinned(&self) -> Vec<&'a Word> {
        if !self.names_packages() {
            return Vec::new();
        }
        match self.manager {
            // one version for every gem of the command
            Manager::Gem if self.option(&["-v", "--version"]).is_some() => return Vec::new(),
            // `zypper in -t pattern devel_basis`: not packages
            Manager::Zypper if self.option(&["-t", "--type"]).is_some_and(|t| t != "package") => {
                return Vec::new();
            }
            _ => {}
        }
        self.packages()
            .into_iter()
            .filter(|w| !w.dynamic && !w.text.contains('$') && unpinned(self.manager, &w.text))
            .collect()
    }
}

/// Whether `spec`, a literal package word of `manager`'s install, names an index package
/// without a version.
fn unpinned(manager: Manager, spec: &str) -> bool {
    if spec.is_empty() || (spec.contains(['*', '?', '[']) && manager != Manager::Pip) {
        return false;
    }
    match manager {
        Manager::Apt => !(spec.contains('=') || spec.ends_with(".deb") || is_path(spec)),
        Manager::Apk => !(spec.contains(['=', '~', '<', '>']) || spec.ends_with(".apk") || is_path(spec)),
        Manager::Yum | Manager::Dnf => {
            !(spec.ends_with(".rpm")
                || spec.contains('/')
                || spec.starts_with('@')
                || spec.contains('(')
                || rpm_versioned(spec))
        }
        Manager::Zypper => {
            !(spec.ends_with(".rpm") || spec.contains('/') || spec.contains(['=', '<', '>']) || rpm_versioned(spec))
        }
        Manager::Pip => {
            if is_local_or_url(spec) || spec.contains('@') {
                return false;
            }
            let name = requirement_name(spec);
            let rest = spec[name.len()..]
                .trim_start_matches(|c: char| c != '=' && c != '<' && c != '>' && c != '~' && c != '!');
            !name.is_empty() && rest.is_empty() && !PIP_BOOTSTRAP.contains(&name.to_ascii_lowercase().as_str())
        }
        Manager::Npm => npm_unpinned(spec),
        Manager::Gem => !(spec.contains(':') || spec.ends_with(".gem") || is_path(spec)),
    }
}

/// Installer tooling bootstrapped before the real install; its version does not shape the
/// application.
const PIP_BOOTSTRAP: &[&str] = &["pip", "setuptools", "wheel"];

fn is_path(spec: &str) -> bool {
    spec.starts_with('/') || spec.starts_with('.') || spec.starts_with('~')
}

/// `httpd-2.4.6`, `httpd-2.4.6-99.el7`, `nodejs-1:18.19.0`: an rpm name followed by a
/// version (and release). The last `-` segment starts with a digit and reads as a version
/// (`2.4.6`, `99.el7`, `5`) — `java-11-openjdk` and `xorg-x11-fonts-75dpi` are names.
fn rpm_versioned(spec: &str) -> bool {
    let Some((name, last)) = spec.rsplit_once('-') else {
        return false;
    };
    !name.is_empty()
        && last.starts_with(|c: char| c.is_ascii_digit())
        && last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '~' | '^' | '_' | ':' | '+'))
        && (last.contains(['.', ':']) || last.chars().all(|c| c.is_ascii_digit()))
}

/// An npm package spec without a version: `pm2`, `@nestjs/cli`, `pm2@latest`, a git
/// repository without `#ref`. Tarballs, folders and other URLs are fixed contents.
fn npm_unpinned(spec: &str) -> bool {
    if is_path(spec) || [".tgz", ".tar.gz", ".tar"].iter().any(|s| spec.ends_with(s)) {
        return false;
    }
    let git = ["git:", "git+", "github:", "gitlab:", "bitbucket:", "gist:"]
        .iter()
        .any(|p| spec.starts_with(p));
    if git {
        return !spec.contains('#');
    }
    if spec.contains("://") {
        return false;
    }
    // `@scope/name@1.2.3`: the version follows the second `@`
    let (name, version) = match spec.strip_prefix('@') {
        Some(rest) => match rest.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (rest, None),
        },
        None => match spec.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (spec, None),
        },
    };
    // `user/repo`: a GitHub repository
    if !spec.starts_with('@') && name.contains('/') {
        return !spec.contains('#');
    }
    // npm itself, upgraded before the real install
    if name == "npm" {
        return false;
    }
    match version {
        None => true,
        Some(v) => v.is_empty() || matches!(v, "latest" | "next" | "*"),
    }
}

/// Words of `apt-get install` that name packages (option values skipped).
pub fn apt_packages(args: &[Word]) -> Vec<&Word> {
    operands(args, |w| &w.text, |o| APT_VALUES.contains(&o))
}

/// `apt-get install ...` / `apt install ...`: the `install` word and the words after it.
pub fn apt_install(cmd: &Command) -> Option<(&Word, &[Word])> {
    install(cmd)
        .filter(|i| i.manager == Manager::Apt)
        .map(|i| (i.verb, i.args))
}

/// `pip install ...`, `pip3 install`, `python -m pip install`: the `install` word and the
/// words after it.
pub fn pip_install(cmd: &Command) -> Option<(&Word, &[Word])> {
    install(cmd)
        .filter(|i| i.manager == Manager::Pip)
        .map(|i| (i.verb, i.args))
}

/// The option words of `pip install` and their values: (`-r`, `requirements.txt`).
pub fn pip_options(args: &[Word]) -> Vec<(&Word, Option<&Word>)> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if !a.text.starts_with('-') {
            continue;
        }
        if a.text.contains('=') || !PIP_VALUE_OPTIONS.contains(&a.text.as_str()) {
            out.push((a, None));
        } else {
            out.push((a, it.next()));
        }
    }
    out
}

/// The words of `pip install` that name packages (requirement specifiers), option values
/// skipped.
pub fn pip_packages(args: &[Word]) -> Vec<&Word> {
    operands(args, |w| &w.text, |o| PIP_VALUE_OPTIONS.contains(&o))
}

/// A `pip install` argument that is local code, an archive or a URL rather than a package
/// name from an index.
pub fn is_local_or_url(spec: &str) -> bool {
    spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('~')
        || spec.contains("://")
        || spec.contains('/')
        || [".whl", ".tar.gz", ".zip", ".tgz"].iter().any(|x| spec.ends_with(x))
}

/// The project name of a requirement specifier: `uvicorn[standard]>=0.30` → `uvicorn`.
pub fn requirement_name(spec: &str) -> &str {
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(spec.len());
    &spec[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::shell;

    fn unpinned_of(text: &str) -> Vec<String> {
        let s = shell::parse(text, 0);
        s.commands
            .iter()
            .filter_map(install)
            .flat_map(|i| i.unpinned())
            .map(|w| w.text.clone())
            .collect()
    }

    #[test]
    fn system_packages() {
        assert_eq!(
            unpinned_of("apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.4-r2 curl~8 ./x.apk"),
            ["gcc"]
        );
        assert_eq!(unpinned_of("apk --no-cache -X http://mirror add tini"), ["tini"]);
        assert_eq!(
            unpinned_of(
                "yum install -y --setopt=tsflags=nodocs --enablerepo epel httpd-2.4.6-99.el7 java-11-openjdk \
                 xorg-x11-fonts-75dpi /tmp/x.rpm @development 'perl(DBI)' nodejs-1:18.19.0 php-*"
            ),
            ["java-11-openjdk", "xorg-x11-fonts-75dpi"]
        );
        assert_eq!(
            unpinned_of("microdnf install -y --nodocs shadow-utils tar-1.34"),
            ["shadow-utils"]
        );
        assert!(unpinned_of("dnf module install -y nodejs:18").is_empty());
        assert!(unpinned_of("yum update -y openssl").is_empty());
        assert_eq!(
            unpinned_of("zypper --non-interactive install --no-recommends curl 'git>=2.40' vim=9.0 ./x.rpm"),
            ["curl"]
        );
        assert!(unpinned_of("zypper -n in -t pattern devel_basis").is_empty());
        assert_eq!(unpinned_of("sudo apt-get install -y curl=7.88 git"), ["git"]);
        assert!(unpinned_of("apk add --no-cache $runDeps \"tzdata=${TZ_VERSION}\"").is_empty());
    }

    #[test]
    fn language_packages() {
        assert!(unpinned_of("npm install").is_empty());
        assert!(unpinned_of("npm ci --omit=dev").is_empty());
        assert_eq!(
            unpinned_of(
                "npm install -g --loglevel warn pm2 @nestjs/cli@10.3.2 @angular/cli typescript@latest \
                 serve@14.2.1 ./local ./pkg.tgz https://example.com/x.tgz git+https://github.com/a/b.git#v1.2 \
                 git+https://github.com/a/c.git npm@latest"
            ),
            [
                "pm2",
                "@angular/cli",
                "typescript@latest",
                "git+https://github.com/a/c.git"
            ]
        );
        assert_eq!(
            unpinned_of("gem install --no-document rails:7.1.3 bundler ./x.gem"),
            ["bundler"]
        );
        assert!(unpinned_of("gem install bundler -v \"$BUNDLER_VERSION\"").is_empty());
        assert!(unpinned_of("gem install bundler --version=2.5.6").is_empty());
        assert_eq!(
            unpinned_of("gem install nokogiri -- --use-system-libraries"),
            ["nokogiri"]
        );
        assert_eq!(unpinned_of("pip install -U pip flask==3.0 requests"), ["requests"]);
    }

    #[test]
    fn removals() {
        let s = shell::parse(
            "apk add --virtual .build-deps gcc && apk del --no-network .build-deps; apt-get purge -y --auto-remove gcc",
            0,
        );
        assert_eq!(install(&s.commands[0]).and_then(|i| i.group()), Some(".build-deps"));
        assert_eq!(
            removed(&s.commands[1]).first().map(|w| w.text.as_str()),
            Some(".build-deps")
        );
        assert_eq!(removed(&s.commands[2]).first().map(|w| w.text.as_str()), Some("gcc"));
    }

    #[test]
    fn cleanups() {
        let s = shell::parse(
            "yum -y clean all && zypper --non-interactive cc -a && dnf clean packages",
            0,
        );
        assert!(runs(&s.commands[0], Manager::Yum, &["clean", "all"]));
        assert!(runs(&s.commands[1], Manager::Zypper, &["cc"]));
        assert!(!runs(&s.commands[2], Manager::Dnf, &["clean", "all"]));
    }
}
