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
