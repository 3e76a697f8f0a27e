//! DF005: ENV/ARG whose name looks like a secret and carries a literal value.

use crate::lang::docker::Dockerfile;
use crate::lang::docker::Instruction;
use crate::rules::{target, FileContext, FileRule};
use crate::semantic::secret::is_secret_name;

pub struct SecretInEnv;

impl FileRule for SecretInEnv {
    type Target = target::DockerInstruction;

    fn check(&self, (_, i): (&Dockerfile, &Instruction), cx: &mut FileContext<'_>) {
        if !(i.is("ENV") || i.is("ARG")) {
            return;
        }
        for p in &i.pairs {
            let Some(value) = &p.value else { continue };
            if value.text.is_empty() || value.text.contains('$') || !is_secret_name(&p.key.text) {
                continue;
            }
            cx.report(
                value.span,
                format!("`{}` is given a literal value in `{}`", p.key.text, i.keyword),
            );
        }
    }
}
