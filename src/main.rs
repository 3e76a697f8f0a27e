// Parsing allocates many small nodes from every worker thread; mimalloc keeps per-thread free
// lists where glibc grows each thread's arena a page at a time with a system call.
// Built with `no_thp`: it does not ask for transparent huge pages, whose zeroing of fresh 2 MiB
// pages cost more than they saved here (peak RSS -18 % on the corpus at equal CPU).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(linea::cli::main());
}
