//! INI files as Python tools read them (`setup.cfg`, `tox.ini`, `pytest.ini`, `.flake8`):
//! `[section]` headers, `key = value` / `key: value`, indented continuation lines, `#`/`;`
//! comments. Every section and key keeps its span.

use crate::lang::ParseError;
use crate::source::Span;

#[derive(Debug, Clone)]
pub struct IniEntry {
    pub key: String,
    pub key_span: Span,
    /// The value with continuation lines joined by `\n`.
    pub value: String,
    /// Each value line (first and continuations) with its span.
    pub lines: Vec<(String, Span)>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    /// The `[name]` header.
    pub span: Span,
    pub entries: Vec<IniEntry>,
}

#[derive(Debug, Clone, Default)]
pub struct Ini {
    pub sections: Vec<Section>,
    pub errors: Vec<ParseError>,
}

impl Ini {
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&IniEntry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// Parse INI text. Never panics; a line that is neither a header, an option nor a
/// continuation is an error (the first one is reported).
pub fn parse(text: &str) -> Ini {
    let mut ini = Ini::default();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += raw.len();
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let tspan = Span::new(start + lead, start + lead + trimmed.len());
        if lead > 0 {
            // continuation of the last option's value
            if let Some(e) = ini.sections.last_mut().and_then(|s| s.entries.last_mut()) {
                e.value.push('\n');
                e.value.push_str(trimmed);
                e.lines.push((trimmed.to_string(), tspan));
                continue;
            }
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            match rest.find(']') {
                Some(end) => ini.sections.push(Section {
                    name: rest[..end].trim().to_string(),
                    span: tspan,
                    entries: Vec::new(),
                }),
                None => error(&mut ini, "section header lacks `]`", tspan),
            }
            continue;
        }
        let sep = trimmed.find(['=', ':']);
        match (sep, ini.sections.last_mut()) {
            (Some(i), Some(section)) => {
                let key = trimmed[..i].trim();
                let value = trimmed[i + 1..].trim();
                let vstart = tspan.start + i + 1 + (trimmed[i + 1..].len() - trimmed[i + 1..].trim_start().len());
                section.entries.push(IniEntry {
                    key: key.to_string(),
                    key_span: Span::new(tspan.start, tspan.start + key.len()),
                    value: value.to_string(),
                    lines: if value.is_empty() {
                        Vec::new()
                    } else {
                        vec![(value.to_string(), Span::new(vstart, vstart + value.len()))]
                    },
                });
            }
            (None, Some(section)) => {
                // flag-style keys (`allow_no_value`) are accepted by configparser-based tools
                section.entries.push(IniEntry {
                    key: trimmed.to_string(),
                    key_span: tspan,
                    value: String::new(),
                    lines: Vec::new(),
                });
            }
            (_, None) => error(&mut ini, "option outside any `[section]`", tspan),
        }
    }
    ini
}

fn error(ini: &mut Ini, msg: &str, span: Span) {
    if ini.errors.is_empty() {
        ini.errors.push(ParseError::new(format!("invalid INI: {msg}"), span));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_setup_cfg() {
        let text = "[metadata]\nname = svc\n\n[options]\ninstall_requires =\n    flask==3.0.3\n    gunicorn\n\n[tool:pytest]\naddopts = -q\n";
        let ini = parse(text);
        assert!(ini.errors.is_empty());
        let req = ini.section("options").and_then(|s| s.get("install_requires")).unwrap();
        assert_eq!(req.lines.len(), 2);
        assert_eq!(&text[req.lines[1].1.start..req.lines[1].1.end], "gunicorn");
        assert!(ini.section("tool:pytest").is_some());
    }
}
