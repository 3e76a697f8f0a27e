//! Reading a file of an untrusted repository: the one way linea opens what it did not write.
//!
//! Every file is checked before it is opened and read with a bound (docs/security.md): it must
//! be a regular file (a FIFO would block the open until a writer comes, a device such as
//! `/dev/zero` never ends), it must lie inside the directory it belongs to once links are
//! resolved (a `.gitignore -> ../../../etc/…` is not applied), and it is read to at most its
//! size limit plus one byte, so that a file that grows or lies about its size cannot make the
//! read unbounded.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A FIFO, a socket, a device or a directory.
    NotRegular(&'static str),
    /// A link that resolves outside the directory the file belongs to.
    Outside(PathBuf),
    /// Larger than the limit (the length read so far when the file kept going).
    TooLarge { len: u64, max: u64 },
    /// The operating system refused (missing, permissions, name too long).
    Io(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotRegular(what) => write!(f, "is {what}, not a regular file; not read"),
            Refusal::Outside(to) => write!(
                f,
                "is a link to `{}`, outside the repository; not read",
                crate::report::escape::text(&to.to_string_lossy())
            ),
            Refusal::TooLarge { len, max } => write!(f, "is over {max} bytes ({len} bytes or more); not read"),
            Refusal::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl Refusal {
    /// Whether the file went over its size limit (PARSE004) rather than being unreadable.
    pub fn is_budget(&self) -> bool {
        matches!(self, Refusal::TooLarge { .. })
    }
}

/// What kind of non-regular file a file type is, for messages.
fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        return "a directory";
    }
    "a special file"
}

/// Read at most `max` bytes of the regular file `path`. With `within`, a path that is a link
/// (or lies below one) must resolve inside `within` (resolved too).
pub fn read_bytes(path: &Path, max: u64, within: Option<&Path>) -> Result<Vec<u8>, Refusal> {
    let io = |e: std::io::Error| Refusal::Io(e.to_string());
    std::fs::symlink_metadata(path).map_err(io)?;
    if let Some(root) = within {
        // resolved, not compared as written: `sub/../../x` and links in any component
        let real = std::fs::canonicalize(path).map_err(io)?;
        let root = std::fs::canonicalize(root).map_err(io)?;
        if !real.starts_with(&root) {
            return Err(Refusal::Outside(real));
        }
    }
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(Refusal::NotRegular(kind_of(meta.file_type())));
    }
    if meta.len() > max {
        return Err(Refusal::TooLarge { len: meta.len(), max });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // what was opened is what was checked (the path may have been swapped in between)
    let opened = file.metadata().map_err(io)?;
    if !opened.is_file() {
        return Err(Refusal::NotRegular(kind_of(opened.file_type())));
    }
    let mut out = Vec::with_capacity(opened.len().min(max) as usize);
    file.take(max.saturating_add(1)).read_to_end(&mut out).map_err(io)?;
    if out.len() as u64 > max {
        return Err(Refusal::TooLarge {
            len: out.len() as u64,
            max,
        });
    }
    Ok(out)
}

/// [`read_bytes`], as UTF-8 text.
pub fn read_text(path: &Path, max: u64, within: Option<&Path>) -> Result<String, Refusal> {
    let bytes = read_bytes(path, max, within)?;
    String::from_utf8(bytes).map_err(|e| {
        Refusal::Io(format!(
            "not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Read at most `max` bytes from a stream whose size is not known (standard input): the read
/// stops one byte past the limit instead of buffering whatever the other end sends.
pub fn read_stream(r: impl Read, max: u64) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    r.take(max.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| Refusal::Io(e.to_string()))?;
    if out.len() as u64 > max {
        return Err(Refusal::TooLarge {
            len: out.len() as u64,
            max,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_bounded_regular_file_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("ok"), "abc").unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        assert_eq!(read_bytes(&root.join("ok"), 3, Some(&root)).unwrap(), b"abc");
        assert!(matches!(
            read_bytes(&root.join("ok"), 2, Some(&root)),
            Err(Refusal::TooLarge { len: 3, max: 2 })
        ));
        assert!(matches!(
            read_bytes(&root, 10, None),
            Err(Refusal::NotRegular("a directory"))
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../secret", root.join("out")).unwrap();
            assert!(matches!(
                read_bytes(&root.join("out"), 10, Some(&root)),
                Err(Refusal::Outside(_))
            ));
            // the user's own paths may point anywhere
            assert!(read_bytes(&root.join("out"), 10, None).is_ok());
            std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
            assert!(read_bytes(&root.join("zero"), 10, None).is_err());
            std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
            assert!(matches!(
                read_bytes(&root.join("loop"), 10, Some(&root)),
                Err(Refusal::Io(_))
            ));
        }
        assert!(read_stream(&b"abcd"[..], 3).is_err());
        assert_eq!(read_stream(&b"abc"[..], 3).unwrap(), b"abc");
    }
}
