use crate::lang::k8s::ContainerKind;
use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct Capabilities;

const DANGEROUS: &[&str] = &["SYS_ADMIN", "NET_ADMIN", "ALL"];

impl Rule for Capabilities {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sContainer]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sContainer(_, c) = subject else { return };
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let name = super::container_name(&c);
        let caps = super::container_security(&c, "capabilities");
        for add in caps.and_then(|k| k.get("add")).map(|a| a.items()).unwrap_or_default() {
            let Some(cap) = add.as_str() else { continue };
            let bare = cap.trim_start_matches("CAP_").to_ascii_uppercase();
            if DANGEROUS.contains(&bare.as_str()) {
                cx.report(add.span, format!("{name} adds capability `{cap}`"));
            }
        }
        let drop = caps.and_then(|k| k.get("drop"));
        let drops_all = drop.is_some_and(|d| {
            d.is_unknown()
                || d.items()
                    .iter()
                    .any(|i| i.as_str().is_some_and(|s| s.eq_ignore_ascii_case("ALL")))
        });
        if !drops_all {
            let at = match (caps, drop) {
                (_, Some(d)) => d.span,
                (Some(_), None) => c
                    .node
                    .get("securityContext")
                    .and_then(|s| s.entry("capabilities"))
                    .map(|e| e.key_span)
                    .unwrap_or(c.header),
                (None, None) => c.header,
            };
            cx.report(at, format!("{name} does not drop `ALL` capabilities"));
        }
    }
}
