use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct SaTokenAutomount;

impl Rule for SaTokenAutomount {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sPod]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sPod(o, spec) = subject else { return };
        match spec.get("automountServiceAccountToken") {
            Some(v) if v.as_bool() == Some(false) || v.is_unknown() => {}
            Some(v) => {
                cx.report(
                    v.span,
                    format!("{} mounts its service account token", super::object_name(o)),
                );
            }
            None => {
                cx.report(
                    o.header,
                    format!(
                        "{} does not set `automountServiceAccountToken: false`",
                        super::object_name(o)
                    ),
                );
            }
        }
    }
}
