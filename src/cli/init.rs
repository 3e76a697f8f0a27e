//! `linea init` and `linea schema`.

use std::io::Write;

use super::{print_error, ExitStatus, InitArgs};
use crate::config;

pub fn init(args: InitArgs) -> ExitStatus {
    let text = config::init_template();
    if args.stdout {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return ExitStatus::Success;
    }
    // linea.toml wins over pyproject.toml's [tool.linea]: writing one beside it would silently
    // replace the configuration in force
    let dir = args
        .path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let pyproject = dir.join("pyproject.toml");
    let is_linea_toml = args.path.file_name().is_some_and(|n| n == "linea.toml");
    if is_linea_toml && !args.force {
        if let Ok(text) = std::fs::read_to_string(&pyproject) {
            if config::has_tool_linea(&text) {
                print_error(&format!(
                    "{} already configures linea in [tool.linea]; a linea.toml beside it would take its place \
                     (edit that table, or pass --force to write linea.toml anyway)",
                    pyproject.display()
                ));
                return ExitStatus::Error;
            }
        }
    }
    let mut file = std::fs::OpenOptions::new();
    file.write(true);
    if args.force {
        file.create(true).truncate(true);
    } else {
        file.create_new(true);
    }
    let written = file.open(&args.path).and_then(|mut f| f.write_all(text.as_bytes()));
    match written {
        Ok(()) => {
            eprintln!("linea: wrote {}", args.path.display());
            ExitStatus::Success
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            print_error(&format!(
                "{} already exists; pass --force to overwrite it, or --stdout to print the template",
                args.path.display()
            ));
            ExitStatus::Error
        }
        Err(e) => {
            print_error(&format!("{}: {e}", args.path.display()));
            ExitStatus::Error
        }
    }
}

pub fn schema() -> ExitStatus {
    let _ = std::io::stdout().lock().write_all(config::json_schema().as_bytes());
    ExitStatus::Success
}
