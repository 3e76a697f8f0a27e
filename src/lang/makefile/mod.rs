//! Makefiles, as far as layout rules need them: rule lines (`target ...: prerequisites`) with
//! their spans, and each rule's recipe kept as text.

use crate::source::Span;

#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub span: Span,
    /// The recipe lines (tab-indented), joined by `\n`, without the tabs.
    pub recipe: String,
}

#[derive(Debug, Clone, Default)]
pub struct Makefile {
    pub targets: Vec<Target>,
}

impl Makefile {
    pub fn has(&self, name: &str) -> bool {
        self.targets.iter().any(|t| t.name == name)
    }
}

/// Parse a Makefile's rule lines. Never fails: what is not a rule line is skipped.
pub fn parse(text: &str) -> Makefile {
    let mut mk = Makefile::default();
    // indexes of the targets of the rule line that recipe lines belong to
    let mut current: Vec<usize> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += raw.len();
        if let Some(recipe) = line.strip_prefix('\t') {
            for &i in &current {
                if let Some(t) = mk.targets.get_mut(i) {
                    if !t.recipe.is_empty() {
                        t.recipe.push('\n');
                    }
                    t.recipe.push_str(recipe);
                }
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        current.clear();
        let Some(colon) = trimmed.find(':') else { continue };
        let head = &trimmed[..colon];
        let after = &trimmed[colon + 1..];
        // variable assignments (`X := y`, `X ?= y`, `X = a:b`) and directives are not rules
        if after.starts_with('=') || head.contains('=') || head.starts_with("export ") || head.contains('$') {
            continue;
        }
        let lead = line.len() - trimmed.len();
        let mut pos = 0;
        for word in head.split(' ') {
            let w = word.trim();
            if !w.is_empty() && !w.starts_with('.') && !w.contains('%') {
                let s = start + lead + pos + (word.len() - word.trim_start().len());
                mk.targets.push(Target {
                    name: w.to_string(),
                    span: Span::new(s, s + w.len()),
                    recipe: String::new(),
                });
                current.push(mk.targets.len() - 1);
            }
            pos += word.len() + 1;
        }
    }
    mk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_targets() {
        let text = "PY := python3\n.PHONY: install test\ninstall:\n\tpip install -r requirements.txt\ntest lint: install\n\tpytest\n";
        let mk = parse(text);
        let names: Vec<&str> = mk.targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["install", "test", "lint"]);
        assert_eq!(mk.targets[1].recipe, "pytest");
        assert_eq!(&text[mk.targets[2].span.start..mk.targets[2].span.end], "lint");
    }
}
