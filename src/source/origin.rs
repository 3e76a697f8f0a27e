//! Where the bytes of a generated file came from.
//!
//! A renderer (Helm today, Kustomize next) produces text that is linted like any file but
//! exists nowhere on disk. Its [`OriginMap`] says, for each byte range of that text, which real
//! file and span wrote it ([`Piece::at`]), whether the bytes are a verbatim copy of that span
//! ([`Piece::linear`]: offsets map one to one), which value they print ([`Piece::value`]: a
//! values file entry, a patch line), and which call emitted them when they were written
//! elsewhere ([`Piece::via`]: the `include` in the template that pulled a helper in).
//!
//! The engine moves every diagnostic and label in a generated file to [`OriginMap::map`]'s
//! answer, so no finding points into a file that does not exist.

use super::{FileId, Span};

/// A span of a real file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Place {
    pub file: FileId,
    pub span: Span,
}

/// One byte range of a generated text and its origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// `start..end` of the generated text.
    pub start: usize,
    pub end: usize,
    /// What wrote these bytes: template text, an action, a base manifest line.
    pub at: Place,
    /// The bytes copy `at` verbatim, so an offset inside maps to the same offset in `at`.
    pub linear: bool,
    /// The value these bytes print, where it was set (a values file line).
    pub value: Option<Place>,
    /// The call that emitted these bytes when `at` is in another file.
    pub via: Option<Place>,
    /// The renderer computed these bytes from nothing the repository spells out: the release
    /// name, a password `randAlphaNum` generates. They print no value, copy no template text
    /// and derive from no literal.
    pub computed: bool,
    /// Computed at random, as `helm install` does afresh each time (`randAlphaNum`, a `genCA`
    /// key).
    pub generated: bool,
}

/// Where one span of a generated text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapped {
    pub at: Place,
    pub value: Option<Place>,
    pub via: Option<Place>,
}

/// The pieces of a generated text, in order, packed: a rendered chart holds one piece per
/// template action and text run, so a piece takes 32 bytes rather than the 112 of a [`Piece`]
/// (offsets as `u32`, the values and calls it names in a table of their own).
#[derive(Debug, Clone, Default)]
pub struct OriginMap {
    pieces: Vec<Packed>,
    /// The distinct `value` and `via` places, indexed from the pieces.
    places: Vec<Place>,
}

/// A [`Piece`] as the map keeps it.
#[derive(Debug, Clone, Copy)]
struct Packed {
    start: u32,
    end: u32,
    at_file: u32,
    at_start: u32,
    at_end: u32,
    /// Indexes into [`OriginMap::places`], [`NONE`] when absent.
    value: u32,
    via: u32,
    flags: u8,
}

const NONE: u32 = u32::MAX;
const LINEAR: u8 = 1;
const COMPUTED: u8 = 2;
const GENERATED: u8 = 4;

/// An offset as the map keeps it (texts are far below 4 GiB: `max-file-size` and the render
/// budgets bound them).
fn packed(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// Builds an [`OriginMap`] a piece at a time, packing each as it comes: a renderer that
/// writes a large text never holds its pieces unpacked.
#[derive(Debug, Default)]
pub struct OriginBuilder {
    map: OriginMap,
    /// Where each distinct `value` and `via` place is in [`OriginMap::places`].
    index: std::collections::HashMap<Place, u32>,
    /// A piece came before the one pushed ahead of it.
    unsorted: bool,
}

impl OriginBuilder {
    /// Add a piece; one that covers no byte is left out.
    pub fn push(&mut self, p: Piece) {
        if p.end <= p.start {
            return;
        }
        let value = self.place_of(p.value);
        let via = self.place_of(p.via);
        let start = packed(p.start);
        self.unsorted |= self.map.pieces.last().is_some_and(|last| last.start > start);
        self.map.pieces.push(Packed {
            start,
            end: packed(p.end),
            at_file: p.at.file.0,
            at_start: packed(p.at.span.start),
            at_end: packed(p.at.span.end),
            value,
            via,
            flags: [(p.linear, LINEAR), (p.computed, COMPUTED), (p.generated, GENERATED)]
                .iter()
                .filter(|(on, _)| *on)
                .fold(0, |f, (_, bit)| f | bit),
        });
    }

    fn place_of(&mut self, p: Option<Place>) -> u32 {
        let Some(p) = p else { return NONE };
        let places = &mut self.map.places;
        *self.index.entry(p).or_insert_with(|| {
            places.push(p);
            packed(places.len() - 1)
        })
    }

    /// The map, its pieces in order of their start (those that start together in the order
    /// they came).
    pub fn finish(mut self) -> OriginMap {
        if self.unsorted {
            self.map.pieces.sort_by_key(|p| p.start);
        }
        self.map.pieces.shrink_to_fit();
        self.map.places.shrink_to_fit();
        self.map
    }
}

impl OriginMap {
    pub fn new(pieces: Vec<Piece>) -> OriginMap {
        let mut b = OriginBuilder::default();
        for p in pieces {
            b.push(p);
        }
        b.finish()
    }

    /// Renumber the files the pieces and their places name (a renderer numbers the files it
    /// read; the project gives them their ids after).
    pub fn renumber_files(&mut self, id_of: impl Fn(FileId) -> FileId) {
        for p in &mut self.pieces {
            p.at_file = id_of(FileId(p.at_file)).0;
        }
        for p in &mut self.places {
            p.file = id_of(p.file);
        }
    }

    fn place(&self, i: u32) -> Option<Place> {
        if i == NONE {
            return None;
        }
        self.places.get(i as usize).copied()
    }

    /// Piece `i`, unpacked.
    fn piece(&self, i: usize) -> Option<Piece> {
        let p = self.pieces.get(i)?;
        Some(Piece {
            start: p.start as usize,
            end: p.end as usize,
            at: Place {
                file: FileId(p.at_file),
                span: Span::new(p.at_start as usize, p.at_end as usize),
            },
            linear: p.flags & LINEAR != 0,
            value: self.place(p.value),
            via: self.place(p.via),
            computed: p.flags & COMPUTED != 0,
            generated: p.flags & GENERATED != 0,
        })
    }

    /// The pieces in order of their start.
    pub fn pieces(&self) -> impl Iterator<Item = Piece> + '_ {
        (0..self.pieces.len()).filter_map(|i| self.piece(i))
    }

    /// The pieces from index `i` on.
    fn pieces_from(&self, i: usize) -> impl Iterator<Item = Piece> + '_ {
        (i..self.pieces.len()).filter_map(|i| self.piece(i))
    }

    /// The index of the first piece that ends after `offset`.
    fn first_ending_after(&self, offset: usize) -> usize {
        self.pieces.partition_point(|p| (p.end as usize) <= offset)
    }

    /// Whether the value at `span` of the generated `text` is decided when the chart is
    /// installed rather than written in the repository: no byte of it (the quotes and blanks
    /// around a scalar aside) prints a values entry, and either all were computed
    /// ([`Piece::computed`]: `namespace: {{ .Release.Namespace }}`) or some were generated at
    /// random ([`Piece::generated`]: a password, even one inside written text).
    pub fn install_time(&self, span: Span, text: &str) -> bool {
        let (start, end) = (span.start, span.end.max(span.start + 1));
        // the pieces are sorted and do not overlap: those covering the span follow the first
        // that ends after its start
        let first = self.first_ending_after(start);
        let covering: Vec<Piece> = self
            .pieces_from(first)
            .take_while(|p| p.start < end)
            .filter(|p| {
                let bytes = text.get(p.start.max(start)..p.end.min(end)).unwrap_or("");
                p.computed
                    || !bytes
                        .bytes()
                        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\''))
            })
            .collect();
        !covering.is_empty()
            && covering.iter().all(|p| p.value.is_none())
            && (covering.iter().all(|p| p.computed) || covering.iter().any(|p| p.generated))
    }

    /// The piece holding `offset`, else the next one, else the last.
    fn index_at(&self, offset: usize) -> Option<usize> {
        if self.pieces.is_empty() {
            return None;
        }
        let i = self.first_ending_after(offset);
        Some(i.min(self.pieces.len() - 1))
    }

    fn offset_in(p: &Piece, offset: usize) -> usize {
        let inside = offset.clamp(p.start, p.end) - p.start;
        (p.at.span.start + inside).min(p.at.span.end)
    }

    /// Where `span` of the generated `text` came from: the span in the file that wrote its
    /// first byte (as precise as the piece allows), the value printed there, the call.
    pub fn map(&self, span: Span, text: &str) -> Option<Mapped> {
        let fi = self.index_at(span.start)?;
        let first = self.piece(fi)?;
        let first = &first;
        let start = if first.linear {
            Self::offset_in(first, span.start)
        } else {
            first.at.span.start
        };
        let first_end = |span_end: usize| {
            if first.linear {
                Self::offset_in(first, span_end)
            } else {
                first.at.span.end
            }
        };
        let end = if span.end <= span.start {
            if first.linear {
                start
            } else {
                first.at.span.end
            }
        } else {
            let li = self.index_at(span.end - 1).unwrap_or(fi);
            let last = self.piece(li).unwrap_or(*first);
            let last = &last;
            if li == fi {
                first_end(span.end)
            } else if last.at.file == first.at.file {
                let e = if last.linear {
                    Self::offset_in(last, span.end)
                } else {
                    last.at.span.end
                };
                if e >= start {
                    e
                } else {
                    first_end(first.end)
                }
            } else {
                first_end(first.end)
            }
        };
        // a value: the first byte's, or, for a span on one line, the first one on it
        let one_line = span.slice(text).find('\n').is_none_or(|i| i + 1 == span.len());
        let value = first.value.or_else(|| {
            if !one_line {
                return None;
            }
            self.pieces_from(fi)
                .take_while(|p| p.start < span.end)
                .find_map(|p| p.value)
        });
        Some(Mapped {
            at: Place {
                file: first.at.file,
                span: Span::new(start, end.max(start)),
            },
            value,
            via: first.via,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(file: u32, s: usize, e: usize) -> Place {
        Place {
            file: FileId(file),
            span: Span::new(s, e),
        }
    }

    /// `key: "` template text, then what actions printed, then `"`.
    fn quoted(kinds: &[(&str, bool, bool, bool)]) -> (String, OriginMap) {
        let mut text = String::from("key: \"");
        let mut pieces = vec![Piece {
            start: 0,
            end: 6,
            at: place(1, 0, 6),
            linear: true,
            value: None,
            via: None,
            computed: false,
            generated: false,
        }];
        for (i, (bytes, value, computed, generated)) in kinds.iter().enumerate() {
            let start = text.len();
            text.push_str(bytes);
            pieces.push(Piece {
                start,
                end: text.len(),
                at: place(1, 10 * (i + 1), 10 * (i + 1) + 5),
                linear: !computed && !value,
                value: value.then(|| place(2, 0, 4)),
                via: None,
                computed: *computed,
                generated: *generated,
            });
        }
        let start = text.len();
        text.push('"');
        pieces.push(Piece {
            start,
            end: start + 1,
            at: place(1, 99, 100),
            linear: true,
            value: None,
            via: None,
            computed: false,
            generated: false,
        });
        (text, OriginMap::new(pieces))
    }

    #[test]
    fn install_time_values_are_computed_or_hold_random_bytes() {
        let install_time = |kinds: &[(&str, bool, bool, bool)]| {
            let (text, m) = quoted(kinds);
            m.install_time(Span::new(5, text.len()), &text)
        };
        // the release name; a random password, with the quotes the template wrote around it
        assert!(install_time(&[("shop", false, true, false)]));
        assert!(install_time(&[("aGVsbG8=", false, true, true)]));
        // a random part in written text (`user:` before it)
        assert!(install_time(&[
            ("user:", false, false, false),
            ("x7Gq", false, true, true)
        ]));
        // written text, with a computed part that is not random
        assert!(!install_time(&[
            ("redis://", false, false, false),
            ("shop", false, true, false)
        ]));
        // a values entry, alone or with random bytes
        assert!(!install_time(&[("changeme", true, false, false)]));
        assert!(!install_time(&[
            ("admin", true, false, false),
            ("x7Gq", false, true, true)
        ]));
        // the quotes alone say nothing
        assert!(!install_time(&[]));
    }

    #[test]
    fn linear_text_maps_byte_for_byte_and_actions_as_a_whole() {
        // "kind: Pod\nimage: nginx\n": `kind: Pod\nimage: ` copied from the template at 100,
        // `nginx` printed by the action at 200..230 from a values file
        let text = "kind: Pod\nimage: nginx\n";
        let m = OriginMap::new(vec![
            Piece {
                start: 0,
                end: 17,
                at: place(1, 100, 117),
                linear: true,
                value: None,
                via: None,
                computed: false,
                generated: false,
            },
            Piece {
                start: 17,
                end: 22,
                at: place(1, 200, 230),
                linear: false,
                value: Some(place(2, 7, 12)),
                via: None,
                computed: false,
                generated: false,
            },
            Piece {
                start: 22,
                end: 23,
                at: place(1, 230, 231),
                linear: true,
                value: None,
                via: None,
                computed: false,
                generated: false,
            },
        ]);
        let kind = m.map(Span::new(0, 4), text).unwrap();
        assert_eq!(kind.at, place(1, 100, 104));
        assert_eq!(kind.value, None);
        let image = m.map(Span::new(17, 22), text).unwrap();
        assert_eq!(image.at, place(1, 200, 230));
        assert_eq!(image.value, Some(place(2, 7, 12)));
        // `image: nginx`: from the key to the end of the action, with the value of its line
        let entry = m.map(Span::new(10, 22), text).unwrap();
        assert_eq!(entry.at, place(1, 110, 230));
        assert_eq!(entry.value, Some(place(2, 7, 12)));
        // the whole text spans lines: no value is picked for it
        assert_eq!(m.map(Span::new(0, 23), text).unwrap().value, None);
    }
}
