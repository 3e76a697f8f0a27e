//! DC007: `environment:` gives a secret-named variable a literal value.

use crate::lang::compose::{ComposeFile, Service};
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::secret::{is_secret_name, placeholder};

pub struct SecretInEnvironment;

impl FileRule for SecretInEnvironment {
    type Target = target::ComposeService;

    fn check(&self, (_, svc): (&ComposeFile, &Service), cx: &mut FileContext<'_>) {
        for var in svc.environment() {
            let Some(value) = &var.value else { continue };
            // `${DB_PASSWORD}` / `${DB_PASSWORD:?required}` is interpolated from the shell or `.env`
            if value.text.contains('$') || placeholder(&value.text) || !is_secret_name(&var.name) {
                continue;
            }
            cx.report(
                value.span,
                format!("`{}` of service `{}` is a literal secret", var.name, svc.name),
            );
        }
    }
}
