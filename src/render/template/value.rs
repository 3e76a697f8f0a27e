//! Template values: Go's dynamic values as Helm's templates see them (nil, bool, int, float64,
//! string, `[]interface{}`, `map[string]interface{}`, and Helm's built-in objects), each
//! remembering where it came from.
//!
//! Strings carry *segments*: for every byte range of the text, the template span that wrote it
//! and the values entry it prints. Functions that transform strings (`nindent`, `trim`,
//! `printf`...) carry the segments along, so a value that went through `toYaml | nindent 8` still
//! points at its line in `values-prod.yaml`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A byte range of a real file the render knows (an index into the render's file table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

impl Loc {
    pub fn new(file: u32, start: usize, end: usize) -> Loc {
        Loc {
            file,
            start: start as u32,
            end: end as u32,
        }
    }
}

/// Where one byte range of a string came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Origin {
    /// The template (or data file) text that wrote these bytes.
    pub at: Option<Loc>,
    /// The bytes are a verbatim copy of `at`: offsets map one to one.
    pub linear: bool,
    /// The values entry these bytes print.
    pub value: Option<Loc>,
    /// The action of the top-level template that emitted these bytes, when `at` is in another
    /// file (a helper an `include` ran).
    pub via: Option<Loc>,
    /// The bytes were written by hand, though not where `at` or `value` says: a string literal
    /// of an action (`"admin"` in `default "admin" .Values.user`), or what a function made of
    /// written text ([`Str::provenance`]). Bytes with neither a values entry, nor this, nor a
    /// verbatim copy of template text were computed by the template (`.Release.Name`).
    pub literal: bool,
    /// The template generated the bytes at random, as `helm install` does afresh each time:
    /// `randAlphaNum`, `uuidv4`, a `genCA` certificate or key. Text that holds such bytes is
    /// not known before the install.
    pub generated: bool,
}

/// One segment of a string: `start..end` of its text and where those bytes came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seg {
    pub start: u32,
    pub end: u32,
    pub origin: Origin,
}

/// An immutable string with origin segments (cheap to clone).
#[derive(Clone, Debug, Default)]
pub struct Str {
    text: Rc<str>,
    segs: Option<Rc<[Seg]>>,
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.text == other.text
    }
}

impl Str {
    pub fn plain(s: impl Into<Rc<str>>) -> Str {
        Str {
            text: s.into(),
            segs: None,
        }
    }

    /// A string literal of the template (`"admin"`): written by hand ([`Origin::literal`]).
    pub fn literal(s: Rc<str>) -> Str {
        let segs = (!s.is_empty()).then(|| {
            Rc::from(
                &[Seg {
                    start: 0,
                    end: s.len() as u32,
                    origin: Origin {
                        literal: true,
                        ..Origin::default()
                    },
                }][..],
            )
        });
        Str { text: s, segs }
    }

    /// A string the template generated at random ([`Origin::generated`]).
    pub fn generated(s: &str) -> Str {
        Str::with_origin(
            s,
            Origin {
                generated: true,
                ..Origin::default()
            },
        )
    }

    /// A string whose every byte has one origin.
    pub fn with_origin(s: &str, origin: Origin) -> Str {
        let mut b = StrBuf::default();
        b.push(s, origin);
        b.finish()
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn segs(&self) -> &[Seg] {
        self.segs.as_deref().unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The same text with `value` as the values entry of every byte that has none.
    pub fn with_value(&self, value: Option<Loc>) -> Str {
        let Some(value) = value else { return self.clone() };
        if self.segs().is_empty() {
            return Str::with_origin(
                &self.text,
                Origin {
                    value: Some(value),
                    ..Origin::default()
                },
            );
        }
        let mut b = StrBuf::default();
        b.push_str(self);
        for s in &mut b.segs {
            if s.origin.value.is_none() {
                s.origin.value = Some(value);
            }
        }
        b.finish()
    }

    /// Where a string made from all of this one (its base64, its hash, its upper case) came
    /// from: the one values entry it prints; else, when it prints several, `literal`; else
    /// `generated` when any of its bytes were (a password is as new as its random part); else
    /// `literal` when people wrote any of it (template text, a literal); else nothing: the
    /// template computed all of it.
    pub fn provenance(&self) -> Origin {
        if let Some(v) = self.single_value() {
            return Origin {
                value: Some(v),
                ..Origin::default()
            };
        }
        let any = |f: fn(&Origin) -> bool| self.segs().iter().any(|s| f(&s.origin));
        let generated = !any(|o| o.value.is_some()) && any(|o| o.generated);
        Origin {
            generated,
            literal: !generated && any(|o| o.value.is_some() || o.literal || o.linear),
            ..Origin::default()
        }
    }

    /// Where this string came from when it is printed whole (quoted, escaped) as value `v`:
    /// the values entry `v` was read from, else its [`Str::provenance`].
    pub fn whole_origin(&self, v: &Val) -> Origin {
        match v.o {
            Some(o) => Origin {
                value: Some(o),
                ..Origin::default()
            },
            None => self.provenance(),
        }
    }

    /// The single values entry all of this string came from, if there is one.
    pub fn single_value(&self) -> Option<Loc> {
        let mut found = None;
        for s in self.segs() {
            match (found, s.origin.value) {
                (_, None) => {}
                (None, v) => found = v,
                (Some(a), Some(b)) if a == b => {}
                _ => return None,
            }
        }
        found
    }
}

/// Builds a [`Str`], merging adjacent segments of the same origin.
#[derive(Default, Debug)]
pub struct StrBuf {
    pub text: String,
    segs: Vec<Seg>,
}

impl StrBuf {
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Text without an origin of its own (it belongs to whatever action prints the result).
    pub fn push_plain(&mut self, s: &str) {
        self.text.push_str(s);
    }

    pub fn push_char(&mut self, c: char) {
        self.text.push(c);
    }

    /// Text with one origin.
    pub fn push(&mut self, s: &str, origin: Origin) {
        if s.is_empty() {
            return;
        }
        let start = self.text.len() as u32;
        self.text.push_str(s);
        let end = self.text.len() as u32;
        if origin == Origin::default() {
            return;
        }
        self.add_seg(Seg { start, end, origin });
    }

    fn add_seg(&mut self, seg: Seg) {
        if let Some(last) = self.segs.last_mut() {
            let contiguous = last.end == seg.start
                && last.origin.value == seg.origin.value
                && last.origin.via == seg.origin.via
                && last.origin.linear == seg.origin.linear
                && last.origin.literal == seg.origin.literal
                && last.origin.generated == seg.origin.generated
                && match (last.origin.at, seg.origin.at) {
                    (None, None) => true,
                    (Some(a), Some(b)) if !seg.origin.linear => a == b,
                    (Some(a), Some(b)) => a.file == b.file && a.end == b.start,
                    _ => false,
                };
            if contiguous {
                last.end = seg.end;
                if let (Some(a), Some(b)) = (&mut last.origin.at, seg.origin.at) {
                    if seg.origin.linear {
                        a.end = b.end;
                    }
                }
                return;
            }
        }
        self.segs.push(seg);
    }

    /// A whole string with its segments.
    pub fn push_str(&mut self, s: &Str) {
        self.push_slice(s, 0, s.len());
    }

    /// `s[start..end]` with its segments (offsets must be char boundaries).
    pub fn push_slice(&mut self, s: &Str, start: usize, end: usize) {
        let Some(part) = s.text.get(start..end) else { return };
        let base = self.text.len();
        self.text.push_str(part);
        for seg in s.segs() {
            let (a, b) = (seg.start as usize, seg.end as usize);
            if b <= start || a >= end {
                continue;
            }
            let from = a.max(start);
            let to = b.min(end);
            let mut origin = seg.origin;
            if origin.linear {
                if let Some(at) = &mut origin.at {
                    at.start += (from - a) as u32;
                    at.end = at.start + (to - from) as u32;
                }
            }
            self.add_seg(Seg {
                start: (base + from - start) as u32,
                end: (base + to - start) as u32,
                origin,
            });
        }
    }

    /// Text printed from a value: the value's own segments when it is a string, else its
    /// origin.
    pub fn push_val(&mut self, v: &Val, text: &str) {
        match &v.v {
            V::Str(s) if s.as_str() == text && (!s.segs().is_empty() || v.o.is_none()) => self.push_str(s),
            _ => self.push(
                text,
                Origin {
                    value: v.o.or_else(|| match &v.v {
                        V::Str(s) => s.single_value(),
                        _ => None,
                    }),
                    ..Origin::default()
                },
            ),
        }
    }

    /// Give every byte from `from` on without a template origin `origin` (what printing at an
    /// action does). At the top-level template (`top`), bytes written by another file (a
    /// helper) also remember the action that emitted them.
    pub fn fill(&mut self, from: usize, origin: Origin, top: bool) {
        let end = self.text.len();
        if from >= end {
            return;
        }
        let old = std::mem::take(&mut self.segs);
        let mut pos = from as u32;
        for mut s in old {
            if (s.end as usize) <= from {
                self.add_seg(s);
                continue;
            }
            if s.start > pos {
                self.add_seg(Seg {
                    start: pos,
                    end: s.start,
                    origin,
                });
            }
            match s.origin.at {
                None => {
                    s.origin.at = origin.at;
                    s.origin.linear = false;
                }
                Some(a) if top && origin.at.is_some_and(|o| o.file != a.file) => s.origin.via = origin.at,
                Some(_) => {}
            }
            pos = s.end;
            self.add_seg(s);
        }
        if (pos as usize) < end {
            self.add_seg(Seg {
                start: pos,
                end: end as u32,
                origin,
            });
        }
    }

    pub fn finish(self) -> Str {
        Str {
            text: self.text.into(),
            segs: (!self.segs.is_empty()).then(|| self.segs.into()),
        }
    }
}

pub type Map = BTreeMap<String, Val>;

/// A value with its origin: where a scalar was written in a values file (`o`), and where its
/// key was when it is a map entry (`ko`).
#[derive(Clone, Debug)]
pub struct Val {
    pub v: V,
    pub o: Option<Loc>,
    pub ko: Option<Loc>,
}

#[derive(Clone, Debug)]
pub enum V {
    /// Go's invalid value: what a missing key becomes once it leaves a pipeline command.
    NoValue,
    /// A nil `interface{}`: a missing map key inside a field chain, or `null` in YAML.
    Nil,
    Bool(bool),
    /// Go `int` (template literals, `len`, `int`).
    Int(i64),
    /// Go `int64` (Sprig arithmetic, `int64`).
    Int64(i64),
    Float(f64),
    Str(Str),
    List(Rc<Vec<Val>>),
    /// Maps are references in Go: `set` on one is seen through every copy.
    Map(Rc<RefCell<Map>>),
    Obj(Rc<Obj>),
}

/// Helm's objects with methods.
#[derive(Debug)]
pub enum Obj {
    /// `.Files` or a `.Files.Glob` result: chart file paths (relative to the chart root).
    Files(Rc<Vec<String>>),
    /// `.Capabilities.APIVersions`.
    ApiVersions(Rc<Vec<String>>),
    /// `.Capabilities.KubeVersion`.
    KubeVersion {
        version: String,
        major: String,
        minor: String,
    },
}

impl From<V> for Val {
    fn from(v: V) -> Val {
        Val { v, o: None, ko: None }
    }
}

impl Val {
    pub fn new(v: V) -> Val {
        Val { v, o: None, ko: None }
    }
    pub fn nil() -> Val {
        Val::new(V::Nil)
    }
    pub fn no_value() -> Val {
        Val::new(V::NoValue)
    }
    pub fn bool(b: bool) -> Val {
        Val::new(V::Bool(b))
    }
    pub fn int(i: i64) -> Val {
        Val::new(V::Int(i))
    }
    pub fn int64(i: i64) -> Val {
        Val::new(V::Int64(i))
    }
    pub fn float(f: f64) -> Val {
        Val::new(V::Float(f))
    }
    pub fn str(s: impl Into<Rc<str>>) -> Val {
        Val::new(V::Str(Str::plain(s)))
    }
    pub fn string(s: Str) -> Val {
        Val::new(V::Str(s))
    }
    pub fn list(items: Vec<Val>) -> Val {
        Val::new(V::List(Rc::new(items)))
    }
    pub fn map(m: Map) -> Val {
        Val::new(V::Map(Rc::new(RefCell::new(m))))
    }
    pub fn with_origin(mut self, o: Option<Loc>) -> Val {
        self.o = o;
        self
    }

    /// Go's truth: false, 0, nil, and empty strings, lists and maps are false.
    pub fn truth(&self) -> bool {
        match &self.v {
            V::NoValue | V::Nil => false,
            V::Bool(b) => *b,
            V::Int(i) | V::Int64(i) => *i != 0,
            V::Float(f) => *f != 0.0,
            V::Str(s) => !s.is_empty(),
            V::List(l) => !l.is_empty(),
            V::Map(m) => !m.borrow().is_empty(),
            V::Obj(_) => true,
        }
    }

    /// Sprig's `empty`.
    pub fn is_empty(&self) -> bool {
        match &self.v {
            V::Obj(_) => false,
            _ => !self.truth(),
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self.v, V::NoValue | V::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            V::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self.v {
            V::Int(i) | V::Int64(i) => Some(i),
            _ => None,
        }
    }

    /// What a pipeline command's result becomes for the next command: Go "digs down" a nil
    /// interface to an invalid value.
    pub fn dig(self) -> Val {
        match self.v {
            V::Nil => Val { v: V::NoValue, ..self },
            _ => self,
        }
    }

    /// `%T` of the value as Go prints it.
    pub fn type_name(&self) -> &'static str {
        match &self.v {
            V::NoValue | V::Nil => "<nil>",
            V::Bool(_) => "bool",
            V::Int(_) => "int",
            V::Int64(_) => "int64",
            V::Float(_) => "float64",
            V::Str(_) => "string",
            V::List(_) => "[]interface {}",
            V::Map(_) => "map[string]interface {}",
            V::Obj(o) => match **o {
                Obj::Files(_) => "engine.files",
                Obj::ApiVersions(_) => "chartutil.VersionSet",
                Obj::KubeVersion { .. } => "*chartutil.KubeVersion",
            },
        }
    }

    /// `reflect.Kind` of the value, as Sprig's `kindOf` names it.
    pub fn kind_name(&self) -> &'static str {
        match &self.v {
            V::NoValue | V::Nil => "invalid",
            V::Bool(_) => "bool",
            V::Int(_) => "int",
            V::Int64(_) => "int64",
            V::Float(_) => "float64",
            V::Str(_) => "string",
            V::List(_) => "slice",
            V::Map(_) => "map",
            V::Obj(o) => match **o {
                Obj::Files(_) => "map",
                Obj::ApiVersions(_) => "slice",
                Obj::KubeVersion { .. } => "ptr",
            },
        }
    }

    /// A copy that shares nothing mutable with the original (`deepCopy`); `None` when the tree
    /// is deeper than `max_depth` (or cyclic).
    pub fn deep_copy(&self, max_depth: usize) -> Option<Val> {
        if max_depth == 0 {
            return None;
        }
        let v = match &self.v {
            V::List(l) => {
                let mut out = Vec::with_capacity(l.len());
                for x in l.iter() {
                    out.push(x.deep_copy(max_depth - 1)?);
                }
                V::List(Rc::new(out))
            }
            V::Map(m) => {
                let m = m.try_borrow().ok()?;
                let mut out = Map::new();
                for (k, x) in m.iter() {
                    out.insert(k.clone(), x.deep_copy(max_depth - 1)?);
                }
                V::Map(Rc::new(RefCell::new(out)))
            }
            other => other.clone(),
        };
        Some(Val {
            v,
            o: self.o,
            ko: self.ko,
        })
    }
}

/// Go's `reflect.DeepEqual` over template values (ints of different kinds differ, as in Go).
pub fn deep_equal(a: &Val, b: &Val, depth: usize) -> bool {
    if depth == 0 {
        return false;
    }
    match (&a.v, &b.v) {
        (V::NoValue | V::Nil, V::NoValue | V::Nil) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Int(x), V::Int(y)) | (V::Int64(x), V::Int64(y)) => x == y,
        (V::Float(x), V::Float(y)) => x == y,
        (V::Str(x), V::Str(y)) => x.as_str() == y.as_str(),
        (V::List(x), V::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q, depth - 1))
        }
        (V::Map(x), V::Map(y)) => {
            if Rc::ptr_eq(x, y) {
                return true;
            }
            let (Ok(x), Ok(y)) = (x.try_borrow(), y.try_borrow()) else {
                return false;
            };
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w, depth - 1)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: u32, start: usize, end: usize) -> Origin {
        Origin {
            at: Some(Loc::new(file, start, end)),
            linear: true,
            ..Origin::default()
        }
    }

    #[test]
    fn slices_keep_linear_offsets_and_merge_neighbours() {
        let mut b = StrBuf::default();
        b.push("hello ", at(0, 10, 16));
        b.push("world", at(0, 16, 21));
        let s = b.finish();
        assert_eq!(s.segs().len(), 1);
        let mut c = StrBuf::default();
        c.push_plain("  ");
        c.push_slice(&s, 6, 11);
        let t = c.finish();
        assert_eq!(t.as_str(), "  world");
        assert_eq!(t.segs()[0].start, 2);
        assert_eq!(t.segs()[0].origin.at, Some(Loc::new(0, 16, 21)));
    }

    #[test]
    fn fill_gives_unowned_bytes_the_action() {
        let value = Some(Loc::new(1, 3, 7));
        let mut b = StrBuf::default();
        b.push_plain("a: ");
        b.push(
            "true",
            Origin {
                value,
                ..Origin::default()
            },
        );
        let action = Origin {
            at: Some(Loc::new(0, 40, 60)),
            ..Origin::default()
        };
        b.fill(0, action, true);
        let s = b.finish();
        assert_eq!(s.segs().len(), 2);
        assert_eq!(s.segs()[0].origin, action);
        assert_eq!(s.segs()[1].origin.value, value);
        assert_eq!(s.segs()[1].origin.at, action.at);
    }
}
