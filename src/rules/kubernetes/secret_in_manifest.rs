use crate::rules::{Context, NodeKind, Rule, Subject};

pub struct SecretInManifest;

impl Rule for SecretInManifest {
    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::K8sObject]
    }

    fn check(&self, subject: Subject<'_>, cx: &mut Context<'_>) {
        let Subject::K8sObject(o) = subject else { return };
        if !o.is("Secret") || !o.group().is_empty() {
            return;
        }
        for key in ["data", "stringData"] {
            let Some(e) = o.root.entry(key) else { continue };
            let literal = e
                .value
                .entries()
                .iter()
                .filter(|v| v.value.scalar_text().is_some_and(|s| !s.trim().is_empty()))
                .map(|v| format!("`{}`", v.key))
                .collect::<Vec<_>>();
            if !literal.is_empty() {
                cx.report(
                    e.key_span,
                    format!(
                        "{} commits literal values for {}",
                        super::object_name(o),
                        literal.join(", ")
                    ),
                );
            }
        }
    }
}
