//! The declarative rule language: `check:` blocks (target / where / assert / message)
//! interpreted over the spanned [`Node`](crate::source::Node) tree.

use crate::rules::meta::{Logic, MetaError, RuleMeta};
use crate::rules::Rule;

/// Compile a rule's `check:` block into a rule the engine can run.
pub fn compile(meta: &RuleMeta) -> Result<Box<dyn Rule>, MetaError> {
    let span = match &meta.logic {
        Logic::Check(node) => node.span,
        _ => Default::default(),
    };
    Err(MetaError {
        path: meta.origin.clone(),
        text: meta.text.clone(),
        span,
        message: "declarative checks are not supported yet".into(),
    })
}
