//! Encodings and digests: base64, base32, SHA-1, SHA-256, Adler-32 (written from their
//! specifications, RFC 4648, FIPS 180-4 and RFC 1950), and Helm's TOML functions.

use super::{arity, want_traced_str, Res};
use crate::render::template::value::{Map, Val, V};

pub(super) fn call(name: &str, args: &[Val]) -> Option<Res> {
    let r = match name {
        "b64enc" => str1(name, args, |s| b64encode(s.as_bytes())),
        "b64dec" => str1(name, args, |s| match b64decode(s) {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => "illegal base64 data at input byte 0".into(),
        }),
        "b32enc" => str1(name, args, |s| b32encode(s.as_bytes())),
        "b32dec" => str1(name, args, |s| match b32decode(s) {
            Some(b) => String::from_utf8_lossy(&b).into_owned(),
            None => "illegal base32 data at input byte 0".into(),
        }),
        "sha256sum" => str1(name, args, |s| hex(&sha256(s.as_bytes()))),
        "sha1sum" => str1(name, args, |s| hex(&sha1(s.as_bytes()))),
        "adler32sum" => str1(name, args, |s| adler32(s.as_bytes()).to_string()),
        _ => return None,
    };
    Some(r)
}

/// An encoding or digest of one string: it came from where the string came from, so that
/// `.Values.password | b64enc` still points at the password's line.
fn str1(name: &str, args: &[Val], f: impl FnOnce(&str) -> String) -> Res {
    arity(name, args, 1)?;
    let s = want_traced_str(&args[0])?;
    Ok(Val::string(super::derived(&s, &f(s.as_str()))))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn b64encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let n = chunk.len();
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= n {
                out.push(B64[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(super) fn b64decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches(['\r', '\n']);
    if !s.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let bytes = s.as_bytes();
    for (ci, chunk) in bytes.chunks(4).enumerate() {
        let last = ci == bytes.len() / 4 - 1;
        let mut v = 0u32;
        let mut pad = 0;
        for (i, &c) in chunk.iter().enumerate() {
            let d = match c {
                b'=' if last && i >= 2 => {
                    pad += 1;
                    0
                }
                _ if pad > 0 => return None,
                _ => B64.iter().position(|x| *x == c)? as u32,
            };
            v = (v << 6) | d;
        }
        let got = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        out.extend_from_slice(&got[..3 - pad]);
    }
    Some(out)
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn b32encode(input: &[u8]) -> String {
    let mut out = String::new();
    for chunk in input.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let v = buf.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < chars {
                out.push(B32[((v >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b32decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(8) {
        return None;
    }
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(8) {
        let data: Vec<u8> = chunk.iter().copied().take_while(|c| *c != b'=').collect();
        let mut v = 0u64;
        for &c in &data {
            v = (v << 5) | B32.iter().position(|x| *x == c)? as u64;
        }
        v <<= 5 * (8 - data.len());
        let n = match data.len() {
            2 => 1,
            4 => 2,
            5 => 3,
            7 => 4,
            8 => 5,
            _ => return None,
        };
        for i in 0..n {
            out.push((v >> (32 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// Message blocks of the MD-style padding both SHA functions use.
fn padded(input: &[u8]) -> Vec<u8> {
    let mut m = input.to_vec();
    let bits = (input.len() as u64).wrapping_mul(8);
    m.push(0x80);
    while m.len() % 64 != 56 {
        m.push(0);
    }
    m.extend_from_slice(&bits.to_be_bytes());
    m
}

const K256: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

pub fn sha256(input: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];
    for block in padded(input).chunks(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K256[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

pub fn sha1(input: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    for block in padded(input).chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A827999),
                20..=39 => (b ^ c ^ d, 0x6ED9EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn adler32(input: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in input {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn to_toml_value(v: &Val, depth: usize) -> Option<toml::Value> {
    if depth > crate::budget::TEMPLATE_VALUE_DEPTH.get() {
        return None;
    }
    Some(match &v.v {
        V::Bool(b) => toml::Value::Boolean(*b),
        V::Int(i) | V::Int64(i) => toml::Value::Integer(*i),
        V::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => toml::Value::Integer(*f as i64),
        V::Float(f) => toml::Value::Float(*f),
        V::Str(s) => toml::Value::String(s.as_str().to_string()),
        V::List(l) => toml::Value::Array(l.iter().filter_map(|x| to_toml_value(x, depth + 1)).collect()),
        V::Map(m) => {
            let mut t = toml::Table::new();
            for (k, x) in m.borrow().iter() {
                if let Some(tv) = to_toml_value(x, depth + 1) {
                    t.insert(k.clone(), tv);
                }
            }
            toml::Value::Table(t)
        }
        V::NoValue | V::Nil | V::Obj(_) => return None,
    })
}

pub(super) fn to_toml(v: &Val) -> String {
    match to_toml_value(v, 0) {
        Some(toml::Value::Table(t)) => toml::to_string(&t).unwrap_or_else(|e| e.to_string()),
        _ => String::new(),
    }
}

fn from_toml_value(v: toml::Value) -> Val {
    match v {
        toml::Value::String(s) => Val::str(s),
        toml::Value::Integer(i) => Val::new(V::Int64(i)),
        toml::Value::Float(f) => Val::float(f),
        toml::Value::Boolean(b) => Val::bool(b),
        toml::Value::Datetime(d) => Val::str(d.to_string()),
        toml::Value::Array(a) => Val::list(a.into_iter().map(from_toml_value).collect()),
        toml::Value::Table(t) => {
            let mut m = Map::new();
            for (k, x) in t {
                m.insert(k, from_toml_value(x));
            }
            Val::map(m)
        }
    }
}

pub(super) fn from_toml(text: &str) -> Val {
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => from_toml_value(toml::Value::Table(t)),
        Err(e) => {
            let mut m = Map::new();
            m.insert("Error".into(), Val::str(e.to_string()));
            Val::map(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_the_standard_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(
            hex(&sha256(long)),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(adler32(b"Wikipedia"), 300286872);
    }

    #[test]
    fn base_encodings_round_trip() {
        for s in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            assert_eq!(b64decode(&b64encode(s.as_bytes())).unwrap(), s.as_bytes());
            assert_eq!(b32decode(&b32encode(s.as_bytes())).unwrap(), s.as_bytes());
        }
        assert_eq!(b64encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64encode(b"fo"), "Zm8=");
        assert_eq!(b32encode(b"foobar"), "MZXW6YTBOI======");
        assert!(b64decode("Zm9").is_none());
    }
}
