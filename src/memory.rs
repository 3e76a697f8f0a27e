//! Giving back to the system what a finished stage of a run freed.
//!
//! linea's binary allocates with mimalloc (src/main.rs), which keeps the pages freed on a thread
//! for that thread to reuse. The chart renders and the overlay builds allocate large temporaries
//! on every worker (the bases an overlay reads, parsed once and shared; each build's tree) and
//! free them before the rules run, which allocate little: unless collected, those pages stay
//! resident to the end of the run. Where another allocator serves the process (a profiling
//! build), mimalloc's heaps are empty and collecting them costs nothing.

// linked into every binary of the package (tests and benchmarks allocate with the system's
// allocator), so that `mi_collect` resolves there too
use mimalloc as _;

extern "C" {
    /// mimalloc's `void mi_collect(bool force)`: free what its heap of the calling thread holds
    /// unused, and with `force` return it to the system at once.
    fn mi_collect(force: bool);
}

/// Return the memory freed so far to the system, on every thread of the current thread pool
/// and on this one.
pub fn give_back() {
    rayon::broadcast(|_| give_back_here());
    give_back_here()
}

/// Return the memory this thread freed so far to the system: after a task of a worker that
/// freed large temporaries (an overlay build), before the worker takes the next.
pub fn give_back_here() {
    // SAFETY: mi_collect takes no pointer and may be called on any thread at any time; it only
    // walks the calling thread's own heap
    unsafe { mi_collect(true) }
}
