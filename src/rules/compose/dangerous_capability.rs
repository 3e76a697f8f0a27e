//! DC006: `cap_add` grants `ALL` or `SYS_ADMIN`.

use crate::lang::compose::{ComposeFile, Service};
use crate::rules::{target, FileContext, FileRule};

pub struct DangerousCapability;

impl FileRule for DangerousCapability {
    type Target = target::ComposeService;

    fn check(&self, (_, svc): (&ComposeFile, &Service), cx: &mut FileContext<'_>) {
        for cap in svc.cap_add() {
            let upper = cap.text.trim().to_ascii_uppercase();
            let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
            if matches!(name, "ALL" | "SYS_ADMIN") {
                cx.report(
                    cap.span,
                    format!("service `{}` adds capability `{}`", svc.name, cap.text.trim()),
                );
            }
        }
    }
}
