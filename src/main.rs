fn main() {
    std::process::exit(linea::cli::main());
}
