//! Time, random and UUID functions, fixed so that two runs lint the same text: `now` is
//! 2024-01-01T00:00:00Z, random strings and UUIDs come from a sequence that restarts with
//! every render, and bcrypt hashes (salted at random by Sprig) are derived from the password.

use super::{arity, arity_min, derived, want_int, want_str, want_traced_str, Res};
use crate::render::template::exec::Exec;
use crate::render::template::value::{Str, Val, V};

/// What `now` returns, in Unix seconds: 2024-01-01T00:00:00Z.
pub const NOW: i64 = 1_704_067_200;

pub(super) fn call(ex: &mut Exec, name: &str, args: &[Val]) -> Option<Res> {
    let r = match name {
        "now" => Ok(Val::new(V::Int64(NOW))),
        "unixEpoch" => arity(name, args, 1).map(|_| Val::str(seconds(&args[0]).to_string())),
        "date" | "dateInZone" | "date_in_zone" | "htmlDate" | "htmlDateInZone" => (|| {
            let (layout, t) = match name {
                "date" => {
                    arity(name, args, 2)?;
                    (want_str(&args[0])?.as_str().to_string(), &args[1])
                }
                "dateInZone" | "date_in_zone" => {
                    arity(name, args, 3)?;
                    (want_str(&args[0])?.as_str().to_string(), &args[1])
                }
                _ => {
                    arity_min(name, args, 1)?;
                    ("2006-01-02".to_string(), &args[0])
                }
            };
            Ok(Val::str(format_time(&layout, seconds(t))))
        })(),
        "dateModify" | "mustDateModify" | "date_modify" | "must_date_modify" => (|| {
            arity(name, args, 2)?;
            let d = parse_duration(want_str(&args[0])?.as_str()).unwrap_or(0);
            Ok(Val::new(V::Int64(seconds(&args[1]) + d)))
        })(),
        "toDate" | "mustToDate" => (|| {
            arity(name, args, 2)?;
            let s = want_str(&args[1])?.as_str();
            Ok(Val::new(V::Int64(parse_date(s).unwrap_or(0))))
        })(),
        "ago" => arity(name, args, 1).map(|_| Val::str(format_duration(NOW - seconds(&args[0])))),
        "duration" => arity(name, args, 1).map(|_| Val::str(format_duration(super::numbers::to_int64(&args[0])))),
        "durationRound" => arity(name, args, 1).map(|_| {
            let secs = match &args[0].v {
                V::Str(s) => parse_duration(s.as_str()).unwrap_or(0),
                _ => super::numbers::to_int64(&args[0]),
            };
            Val::str(round_duration(secs))
        }),
        "randAlphaNum" | "randAlpha" | "randNumeric" | "randAscii" => {
            (|| {
                arity(name, args, 1)?;
                let n = want_int(&args[0])?.clamp(0, 4096) as usize;
                let alphabet: &[u8] = match name {
                "randAlpha" => b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                "randNumeric" => b"0123456789",
                "randAscii" => b"!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
                _ => b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            };
                let mut out = String::with_capacity(n);
                for _ in 0..n {
                    let r = ex.next_random();
                    out.push(alphabet[(r % alphabet.len() as u64) as usize] as char);
                }
                Ok(Val::string(Str::generated(&out)))
            })()
        }
        "randBytes" => (|| {
            arity(name, args, 1)?;
            let n = want_int(&args[0])?.clamp(0, 4096) as usize;
            let bytes: Vec<u8> = (0..n).map(|_| ex.next_random() as u8).collect();
            Ok(Val::string(Str::generated(&super::codec::b64encode(&bytes))))
        })(),
        "uuidv4" => {
            let r = ex.next_random();
            Ok(Val::string(Str::generated(&format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                (r >> 32) as u32,
                (r >> 16) as u16,
                (r & 0xfff) as u16,
                ((r >> 20) & 0xfff) as u16,
                r & 0xffff_ffff_ffff
            ))))
        }
        // the hash comes from the password, whatever the user: a generated password's hash is
        // generated, a values entry's still points at its line
        "bcrypt" => (|| {
            arity(name, args, 1)?;
            let password = want_traced_str(&args[0])?;
            Ok(Val::string(derived(&password, &bcrypt(password.as_str()))))
        })(),
        "htpasswd" => (|| {
            arity(name, args, 2)?;
            let user = want_str(&args[0])?.as_str();
            let password = want_traced_str(&args[1])?;
            if user.contains(':') {
                return Ok(Val::str(format!("invalid username: {user}")));
            }
            let line = format!("{user}:{}", bcrypt(password.as_str()));
            Ok(Val::string(derived(&password, &line)))
        })(),
        "getHostByName" => arity(name, args, 1).map(|_| Val::str("")),
        "hello" => Ok(Val::str("Hello!")),
        _ => return None,
    };
    Some(r)
}

/// Sprig's `bcrypt` (Go's cost 10): `$2a$10$`, then 22 characters of salt and 31 of hash in
/// bcrypt's base64 alphabet. Sprig salts at random, so no output is *the* hash; this one is
/// a digest of the password, the same on every run. Go refuses passwords over 72 bytes.
fn bcrypt(password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes".into();
    }
    let first = super::codec::sha256(password.as_bytes());
    let second = super::codec::sha256(&first);
    let mut out = String::from("$2a$10$");
    out.extend(
        first
            .iter()
            .chain(&second)
            .take(53)
            .map(|b| ALPHABET[(b & 63) as usize] as char),
    );
    out
}

/// A time argument in Unix seconds (`now` returns one; Sprig also takes integers).
fn seconds(v: &Val) -> i64 {
    match &v.v {
        V::Int(i) | V::Int64(i) => *i,
        V::Float(f) => *f as i64,
        V::Str(s) => parse_date(s.as_str()).unwrap_or(0),
        _ => 0,
    }
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's civil-from-days).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];

/// Go's reference-time layout (`2006-01-02T15:04:05Z07:00`) applied to a UTC time.
pub fn format_time(layout: &str, secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = civil(days);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let wd = DAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(mo - 1) as usize];
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    let tokens: [(&str, String); 26] = [
        ("January", month.to_string()),
        ("Monday", wd.to_string()),
        ("2006", format!("{y:04}")),
        ("-07:00", "+00:00".into()),
        ("-0700", "+0000".into()),
        ("Z07:00", "Z".into()),
        ("Z0700", "Z".into()),
        ("Jan", month[..3].to_string()),
        ("Mon", wd[..3].to_string()),
        ("MST", "UTC".into()),
        (".000000000", ".000000000".into()),
        (".000000", ".000000".into()),
        (".000", ".000".into()),
        ("-07", "+00".into()),
        ("06", format!("{:02}", y.rem_euclid(100))),
        ("01", format!("{mo:02}")),
        ("02", format!("{d:02}")),
        ("_2", format!("{d:>2}")),
        ("15", format!("{h:02}")),
        ("03", format!("{h12:02}")),
        ("04", format!("{mi:02}")),
        ("05", format!("{s:02}")),
        ("PM", if h >= 12 { "PM" } else { "AM" }.into()),
        ("pm", if h >= 12 { "pm" } else { "am" }.into()),
        ("1", mo.to_string()),
        ("2", d.to_string()),
    ];
    let extra: [(&str, String); 3] = [("3", h12.to_string()), ("4", mi.to_string()), ("5", s.to_string())];
    let mut out = String::new();
    let mut i = 0;
    'outer: while i < layout.len() {
        for (tok, val) in tokens.iter().chain(extra.iter()) {
            if layout[i..].starts_with(tok) {
                out.push_str(val);
                i += tok.len();
                continue 'outer;
            }
        }
        let c = layout[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `2006-01-02` or `2006-01-02T15:04:05Z` → Unix seconds.
fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if b.len() >= 19 && matches!(b[10], b'T' | b' ') {
        let h: i64 = s.get(11..13)?.parse().ok()?;
        let mi: i64 = s.get(14..16)?.parse().ok()?;
        let se: i64 = s.get(17..19)?.parse().ok()?;
        secs += h * 3600 + mi * 60 + se;
    }
    Some(secs)
}

/// Go's `time.ParseDuration` in whole seconds (`-1h30m`, `90s`, `1.5h`).
fn parse_duration(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * unit;
        rest = &rest[u..];
    }
    Some(if neg { -total as i64 } else { total as i64 })
}

/// Go's `time.Duration.String` for whole seconds.
fn format_duration(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let sign = if secs < 0 { "-" } else { "" };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

fn round_duration(secs: i64) -> String {
    let a = secs.unsigned_abs();
    let (n, unit) = match a {
        a if a >= 365 * 86_400 => (a / (365 * 86_400), "y"),
        a if a >= 30 * 86_400 => (a / (30 * 86_400), "mo"),
        a if a >= 86_400 => (a / 86_400, "d"),
        a if a >= 3600 => (a / 3600, "h"),
        a if a >= 60 => (a / 60, "m"),
        a => (a, "s"),
    };
    format!("{n}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_and_durations() {
        assert_eq!(format_time("2006-01-02T15:04:05Z07:00", NOW), "2024-01-01T00:00:00Z");
        assert_eq!(format_time("Mon Jan _2 2006", NOW + 86_400 * 40), "Sat Feb 10 2024");
        assert_eq!(parse_date("2024-01-01"), Some(NOW));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(format_duration(5400), "1h30m0s");
    }
}
