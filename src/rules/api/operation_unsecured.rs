use crate::lang::openapi::Document;
use crate::lang::openapi::Operation;
use crate::rules::{target, FileContext, FileRule};

pub struct OperationUnsecured;

impl FileRule for OperationUnsecured {
    type Target = target::OpenApiOperation;

    fn check(&self, (doc, op): (&Document, &Operation), cx: &mut FileContext<'_>) {
        let Some(node) = doc.operation_node(op) else { return };
        let label = format!("`{} {}`", op.method.to_ascii_uppercase(), op.path);
        let disabled = node
            .get("x-wso2-disable-security")
            .or_else(|| doc.path_item(op).and_then(|p| p.get("x-wso2-disable-security")));
        if let Some(d) = disabled {
            if d.as_bool() == Some(true) {
                cx.report(d.span, format!("operation {label} disables gateway security"));
                return;
            }
        }
        match node.entry("security") {
            Some(e) if e.value.is_seq() && e.value.items().is_empty() => {
                cx.report(e.key_span, format!("operation {label} has an empty `security` list"));
            }
            Some(_) => {}
            None => {
                let global = doc.root.get("security");
                let global_ok = global.is_some_and(|g| !g.items().is_empty() || g.is_unknown());
                if !global_ok {
                    cx.report(op.header, format!("operation {label} has no security requirement"));
                }
            }
        }
    }
}
