use crate::lang::python::Import;
use crate::lang::python::Module;
use crate::rules::{target, FileContext, FileRule};

pub struct LayerViolation;

/// Where a dotted module sits in the layers: (layer index, canonical layer name, position of
/// the layer segment).
fn layer<'a>(parts: &[&str], cx: &'a FileContext<'_>) -> Option<(usize, &'a str, usize)> {
    parts
        .iter()
        .enumerate()
        .find_map(|(pos, p)| cx.settings.config.python.layer_of(p).map(|(i, n)| (i, n, pos)))
}

/// The absolute module names an import may refer to, most specific last.
fn targets(imp: &Import, module: &str, is_package: bool) -> Vec<String> {
    let base = if imp.level == 0 {
        String::new()
    } else {
        let mut parts: Vec<&str> = module.split('.').filter(|p| !p.is_empty()).collect();
        if !is_package {
            parts.pop();
        }
        for _ in 1..imp.level {
            if parts.pop().is_none() {
                return Vec::new();
            }
        }
        parts.join(".")
    };
    let join = |a: &str, b: &str| match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}.{b}"),
    };
    let head = join(&base, &imp.module);
    let mut out = Vec::new();
    if !imp.module.is_empty() {
        out.push(head.clone());
    }
    for n in &imp.names {
        out.push(join(&head, n));
    }
    out
}

impl FileRule for LayerViolation {
    type Target = target::PythonModule;

    fn check(&self, m: &Module, cx: &mut FileContext<'_>) {
        let file = cx.file;
        let id = file.source.id;
        let Some(module) = cx.project.python.module_of(id) else {
            return;
        };
        let Some(root) = cx.project.python.root_of(id) else {
            return;
        };
        let module = module.to_string();
        let parts: Vec<&str> = module.split('.').collect();
        let Some((from_idx, from_layer, from_pos)) = layer(&parts, cx) else {
            return;
        };
        let from_layer = from_layer.to_string();
        let is_package = file.source.path.file_name().is_some_and(|n| n == "__init__.py");
        let mut found = Vec::new();
        for imp in &m.imports {
            let mut candidates = targets(imp, &module, is_package);
            // name the imported module itself (`views.api`), not the symbol taken from it
            if let Some(i) = candidates
                .iter()
                .rposition(|c| cx.project.python.module_of.iter().any(|m| m.as_deref() == Some(c)))
            {
                let c = candidates.remove(i);
                candidates.insert(0, c);
            }
            for target in candidates {
                let tparts: Vec<&str> = target.split('.').collect();
                // only the project's own modules: same application prefix before the layer
                if imp.level == 0 && !tparts.first().is_some_and(|t| root.top_packages.iter().any(|p| p == t)) {
                    continue;
                }
                let Some((to_idx, to_layer, to_pos)) = layer(&tparts, cx) else {
                    continue;
                };
                if to_idx >= from_idx || tparts[..to_pos] != parts[..from_pos] {
                    continue;
                }
                let msg = format!(
                    "`{}` imports `{}`; {} may not depend on {}",
                    parts[from_pos..].join("."),
                    tparts[to_pos..].join("."),
                    from_layer,
                    to_layer
                );
                found.push((imp.span, msg));
                break;
            }
        }
        for (span, msg) in found {
            cx.report(span, msg);
        }
    }
}
