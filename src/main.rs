// Parsing allocates many small nodes from every worker thread; mimalloc keeps per-thread free
// lists where glibc grows each thread's arena a page at a time with a system call.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(linea::cli::main());
}
