//! Print every function of Helm's template language (Go's built-ins, Helm's, Sprig's) and
//! whether linea's renderer implements it, one `name<TAB>yes|no` a line: the registry
//! `.ci/helm-stats.sh` counts chart usage against.
//!
//!     cargo run --example template_funcs

fn main() {
    use linea::render::template::funcs;
    for name in funcs::known() {
        let yes = if funcs::is_implemented(name) { "yes" } else { "no" };
        println!("{name}\t{yes}");
    }
}
