//! Panics that linea catches and reports itself (a rule's bug, a third-party parser's bug).
//!
//! Rust's default panic hook prints `thread '...' panicked at ...` before `catch_unwind`
//! returns, so a caught panic would show twice: once as that noise and once in linea's own
//! report. [`install_hook`] keeps the hook quiet while [`catch`] runs and leaves the panic's
//! location for [`catch`] to put in its message; other panics (linea's own bugs) still get
//! the default message.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many [`catch`] calls are running on this thread.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// Where the last caught panic happened, left by the hook.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Run `f`; a panic in it becomes `Err` with its message (and, once [`install_hook`] ran,
/// its location: `rule bug (at src/rules/x.rs:12:5)`).
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    LOCATION.set(None);
    CATCHING.set(CATCHING.get() + 1);
    let result = catch_unwind(AssertUnwindSafe(f));
    CATCHING.set(CATCHING.get().saturating_sub(1));
    result.map_err(|payload| {
        let message = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "panic".into()
        };
        match LOCATION.take() {
            Some(at) => format!("{message} (at {at})"),
            None => message,
        }
    })
}

/// Replace the panic hook, once per process: silent for panics inside [`catch`], the previous
/// hook plus a line saying it is a bug in linea for every other panic.
pub fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.get() > 0 {
                LOCATION.set(info.location().map(|l| l.to_string()));
            } else {
                previous(info);
                eprintln!("linea: error: internal error: this is a bug in linea, please report it");
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_returns_the_value_or_the_message() {
        assert_eq!(catch(|| 7), Ok(7));
        let e = catch(|| -> u8 { panic!("bad {}", "rule") }).unwrap_err();
        assert!(e.starts_with("bad rule"), "{e}");
        assert_eq!(catch(|| std::panic::panic_any(3u8)).unwrap_err(), "panic");
    }
}
