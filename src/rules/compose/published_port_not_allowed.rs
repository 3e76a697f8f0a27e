//! DC001: a service publishes a port on every host interface that is not an allowed
//! external port.

use crate::lang::compose::{ComposeFile, Service};
use crate::rules::{target, FileContext, FileRule};

pub struct PublishedPortNotAllowed;

/// Host addresses that keep a published port on the machine itself.
fn is_loopback(host: &str) -> bool {
    let h = host.trim().to_ascii_lowercase();
    h == "localhost" || h == "::1" || h.starts_with("127.")
}

impl FileRule for PublishedPortNotAllowed {
    type Target = target::ComposeService;

    fn check(&self, (_, svc): (&ComposeFile, &Service), cx: &mut FileContext<'_>) {
        // with the host's network the container's ports are the host's: DC003 reports that
        if svc.get("network_mode").and_then(|n| n.as_str()) == Some("host") {
            return;
        }
        let allowed = &cx.settings.config.ports.external;
        let list = allowed.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        for (_, port) in svc.ports() {
            // unknown (a variable) or published on a port Compose picks: nothing to judge
            let Some(port) = port else { continue };
            let Some(published) = port.published else { continue };
            if port.host_ip.as_deref().is_some_and(is_loopback) {
                continue;
            }
            let (lo, hi) = (published.start, published.end);
            let Some(bad) = (lo..=hi).find(|p| !allowed.iter().any(|a| u32::from(*a) == *p)) else {
                continue;
            };
            let what = if lo == hi {
                format!("port `{bad}` is published on every host interface")
            } else {
                format!("range `{lo}-{hi}` publishes port `{bad}` on every host interface")
            };
            let d = cx.report(port.span, format!("{what}; allowed: {list}"));
            d.note = Some(format!(
                "service `{}` is reachable from outside the host on that port",
                svc.name
            ));
        }
    }
}
