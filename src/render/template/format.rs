//! Go's `fmt` as templates use it: how a value prints (`%v`: floats as `%g` with Go's
//! exponent rule, so `1000000` from values prints `1e+06`), `print`/`println`, `printf` verbs
//! with flags, width and precision, and `strconv.Quote`.

use super::value::{Obj, Origin, Str, StrBuf, Val, V};

/// Print a value the way an action does (`<no value>` for a missing one).
pub fn print(v: &Val, out: &mut StrBuf) {
    match &v.v {
        V::NoValue => out.push_plain("<no value>"),
        V::Str(s) => {
            if s.segs().is_empty() && v.o.is_some() {
                out.push(
                    s.as_str(),
                    Origin {
                        value: v.o,
                        ..Origin::default()
                    },
                );
            } else {
                out.push_str(s);
            }
        }
        _ => {
            let text = sprint(v);
            out.push_val(v, &text);
        }
    }
}

/// `fmt.Sprint(v)` of one value (`%v`).
pub fn sprint(v: &Val) -> String {
    let mut s = String::new();
    write_v(v, &mut s, 0);
    s
}

fn write_v(v: &Val, out: &mut String, depth: usize) {
    if depth > 64 {
        out.push_str("...");
        return;
    }
    match &v.v {
        V::NoValue | V::Nil => out.push_str("<nil>"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) | V::Int64(i) => out.push_str(&i.to_string()),
        V::Float(f) => out.push_str(&format_g(*f, None, false)),
        V::Str(s) => out.push_str(s.as_str()),
        V::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(x, out, depth + 1);
            }
            out.push(']');
        }
        V::Map(m) => {
            out.push_str("map[");
            if let Ok(m) = m.try_borrow() {
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push(':');
                    write_v(x, out, depth + 1);
                }
            }
            out.push(']');
        }
        V::Obj(o) => match &**o {
            Obj::Files(paths) => {
                out.push_str("map[");
                out.push_str(&paths.join(" "));
                out.push(']');
            }
            Obj::ApiVersions(list) => {
                out.push('[');
                out.push_str(&list.join(" "));
                out.push(']');
            }
            Obj::KubeVersion { version, .. } => out.push_str(version),
        },
    }
}

/// `fmt.Sprint(args...)`: a space between operands when neither is a string.
pub fn sprint_args(args: &[Val], out: &mut StrBuf) {
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            let prev_str = matches!(args[i - 1].v, V::Str(_));
            let this_str = matches!(a.v, V::Str(_));
            if !prev_str && !this_str {
                out.push_plain(" ");
            }
        }
        print_nested(a, out);
    }
}

/// `fmt.Sprintln(args...)`: spaces between all operands and a final newline.
pub fn sprintln_args(args: &[Val], out: &mut StrBuf) {
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_plain(" ");
        }
        print_nested(a, out);
    }
    out.push_plain("\n");
}

/// A value as an argument of `fmt` (nil prints `<nil>`).
fn print_nested(v: &Val, out: &mut StrBuf) {
    match &v.v {
        V::Str(_) => print(v, out),
        _ => {
            let t = sprint(v);
            out.push_val(v, &t);
        }
    }
}

/// Decimal digits and decimal-point position of |f| (f finite, non-zero): `digits` × 10^(dp − len).
fn digits_of(f: f64, significant: Option<usize>) -> (Vec<u8>, i32) {
    let s = match significant {
        None => format!("{:e}", f.abs()),
        Some(p) => format!("{:.*e}", p.saturating_sub(1), f.abs()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    if significant.is_some() {
        while digits.len() > 1 && digits.last() == Some(&b'0') {
            digits.pop();
        }
    }
    (digits, exp + 1)
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        return Some("NaN".into());
    }
    if f.is_infinite() {
        return Some(if f > 0.0 { "+Inf" } else { "-Inf" }.into());
    }
    None
}

/// Go's `%g`: shortest representation when `prec` is `None` (exponent form from 1e+06 on,
/// or below 1e-04), else `prec` significant digits.
pub fn format_g(f: f64, prec: Option<usize>, sharp: bool) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let neg = f.is_sign_negative();
    let sign = if neg { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    let prec = prec.map(|p| p.max(1));
    let (digits, dp) = digits_of(f, prec);
    let nd = digits.len() as i32;
    let eprec = match prec {
        None => 6,
        Some(p) => {
            let p = p as i32;
            if p > nd && nd >= dp {
                nd
            } else {
                p
            }
        }
    };
    let exp = dp - 1;
    let d = |i: usize| digits[i] as char;
    let mut s = String::from(sign);
    if exp < -4 || exp >= eprec {
        s.push(d(0));
        if nd > 1 {
            s.push('.');
            for i in 1..digits.len() {
                s.push(d(i));
            }
        } else if sharp {
            s.push('.');
        }
        s.push('e');
        s.push(if exp < 0 { '-' } else { '+' });
        s.push_str(&format!("{:02}", exp.abs()));
    } else if dp <= 0 {
        s.push_str("0.");
        for _ in 0..(-dp) {
            s.push('0');
        }
        for i in 0..digits.len() {
            s.push(d(i));
        }
    } else if dp >= nd {
        for i in 0..digits.len() {
            s.push(d(i));
        }
        for _ in 0..(dp - nd) {
            s.push('0');
        }
    } else {
        for i in 0..dp as usize {
            s.push(d(i));
        }
        s.push('.');
        for i in dp as usize..digits.len() {
            s.push(d(i));
        }
    }
    s
}

/// Go's `%e` with `prec` digits after the point.
pub fn format_e(f: f64, prec: usize, upper: bool) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let s = format!("{:.*e}", prec, f);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    format!("{mant}{e}{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// `strconv.Quote`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || c == '\u{feff}' => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(s: String, spec: &Spec, numeric: bool) -> String {
    let Some(w) = spec.width else { return s };
    let len = s.chars().count();
    if len >= w {
        return s;
    }
    let fill = w - len;
    if spec.minus {
        return s + &" ".repeat(fill);
    }
    if spec.zero && numeric {
        // zeros go after the sign
        let (sign, rest) = match s.strip_prefix(['-', '+']) {
            Some(r) => (&s[..1], r.to_string()),
            None => ("", s.clone()),
        };
        return format!("{sign}{}{rest}", "0".repeat(fill));
    }
    " ".repeat(fill) + &s
}

fn bad(verb: char, v: &Val) -> String {
    match &v.v {
        V::NoValue | V::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", v.type_name(), sprint(v)),
    }
}

fn signed(s: String, neg: bool, spec: &Spec) -> String {
    if neg {
        s
    } else if spec.plus {
        format!("+{s}")
    } else if spec.space {
        format!(" {s}")
    } else {
        s
    }
}

fn int_verb(i: i64, verb: char, spec: &Spec) -> Option<String> {
    let neg = i < 0;
    let a = i.unsigned_abs();
    let body = match verb {
        'd' | 'v' => a.to_string(),
        'x' => format!("{}{a:x}", if spec.sharp { "0x" } else { "" }),
        'X' => format!("{}{a:X}", if spec.sharp { "0X" } else { "" }),
        'o' => format!("{}{a:o}", if spec.sharp { "0" } else { "" }),
        'O' => format!("0o{a:o}"),
        'b' => format!("{a:b}"),
        'c' => return Some(char::from_u32(i as u32).unwrap_or('\u{fffd}').to_string()),
        'q' => {
            let c = char::from_u32(i as u32).unwrap_or('\u{fffd}');
            return Some(format!("'{}'", quote(&c.to_string()).trim_matches('"')));
        }
        'U' => return Some(format!("U+{:04X}", i)),
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => return None,
        _ => return None,
    };
    let body = match spec.prec {
        Some(p) if body.len() < p => "0".repeat(p - body.len()) + &body,
        _ => body,
    };
    Some(signed(if neg { format!("-{body}") } else { body }, neg, spec))
}

fn float_verb(f: f64, verb: char, spec: &Spec) -> Option<String> {
    let neg = f.is_sign_negative() && !f.is_nan();
    let s = match verb {
        'v' | 'g' => format_g(f, spec.prec, spec.sharp),
        'G' => format_g(f, spec.prec, spec.sharp).to_uppercase(),
        'e' => format_e(f, spec.prec.unwrap_or(6), false),
        'E' => format_e(f, spec.prec.unwrap_or(6), true),
        'f' | 'F' => match special(f) {
            Some(s) => s,
            None => format!("{:.*}", spec.prec.unwrap_or(6), f),
        },
        _ => return None,
    };
    Some(signed(s, neg, spec))
}

fn str_verb(s: &str, verb: char, spec: &Spec) -> Option<String> {
    let cut = |s: &str| match spec.prec {
        Some(p) => s.chars().take(p).collect::<String>(),
        None => s.to_string(),
    };
    Some(match verb {
        's' | 'v' => cut(s),
        'q' => quote(&cut(s)),
        'x' => cut(s).bytes().map(|b| format!("{b:02x}")).collect(),
        'X' => cut(s).bytes().map(|b| format!("{b:02X}")).collect(),
        _ => return None,
    })
}

/// One verb applied to one value, as Go's `fmt` does (lists and maps element by element).
fn verb_value(v: &Val, verb: char, spec: &Spec, depth: usize) -> String {
    if depth > 32 {
        return "...".into();
    }
    if verb == 'T' {
        return pad(v.type_name().to_string(), spec, false);
    }
    let (s, numeric) = match &v.v {
        V::NoValue | V::Nil => (if verb == 'v' { "<nil>".to_string() } else { bad(verb, v) }, false),
        V::Bool(b) => (
            if matches!(verb, 'v' | 't') {
                b.to_string()
            } else {
                bad(verb, v)
            },
            false,
        ),
        V::Int(i) | V::Int64(i) => match int_verb(*i, verb, spec) {
            Some(s) => (s, true),
            None => (bad(verb, v), false),
        },
        V::Float(f) => match float_verb(*f, verb, spec) {
            Some(s) => (s, true),
            None => (bad(verb, v), false),
        },
        V::Str(s) => match str_verb(s.as_str(), verb, spec) {
            Some(s) => (s, false),
            None => (bad(verb, v), false),
        },
        V::List(l) => {
            let inner: Vec<String> = l
                .iter()
                .map(|x| verb_value(x, verb, &Spec::default(), depth + 1))
                .collect();
            (format!("[{}]", inner.join(" ")), false)
        }
        V::Map(m) => {
            let inner: Vec<String> = match m.try_borrow() {
                Ok(m) => m
                    .iter()
                    .map(|(k, x)| format!("{k}:{}", verb_value(x, verb, &Spec::default(), depth + 1)))
                    .collect(),
                Err(_) => Vec::new(),
            };
            (format!("map[{}]", inner.join(" ")), false)
        }
        V::Obj(_) => (sprint(v), false),
    };
    pad(s, spec, numeric)
}

/// `fmt.Sprintf(format, args...)`, carrying the origins of string arguments.
pub fn sprintf(format: &Str, args: &[Val]) -> Str {
    let f = format.as_str();
    let b = f.as_bytes();
    let mut out = StrBuf::default();
    let mut argi = 0;
    let mut i = 0;
    let mut lit = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        out.push_slice(format, lit, i);
        i += 1;
        let mut spec = Spec::default();
        while let Some(&c) = b.get(i) {
            match c {
                b'-' => spec.minus = true,
                b'+' => spec.plus = true,
                b'#' => spec.sharp = true,
                b' ' => spec.space = true,
                b'0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        let mut width = String::new();
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            width.push(c as char);
            i += 1;
        }
        spec.width = width.parse().ok();
        if b.get(i) == Some(&b'.') {
            i += 1;
            let mut p = String::new();
            while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                p.push(c as char);
                i += 1;
            }
            spec.prec = Some(p.parse().unwrap_or(0));
        }
        let Some(verb) = f[i.min(f.len())..].chars().next() else {
            out.push_plain("%!(NOVERB)");
            lit = b.len();
            break;
        };
        i += verb.len_utf8();
        lit = i;
        if verb == '%' {
            out.push_plain("%");
            continue;
        }
        let Some(arg) = args.get(argi) else {
            out.push_plain(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argi += 1;
        match (&arg.v, verb) {
            (V::Str(_), 's' | 'v') if spec.width.is_none() && spec.prec.is_none() => print(arg, &mut out),
            _ => {
                let text = verb_value(arg, verb, &spec, 0);
                out.push_val(arg, &text);
            }
        }
    }
    out.push_slice(format, lit, b.len());
    if argi < args.len() {
        let extra: Vec<String> = args[argi..]
            .iter()
            .map(|a| match &a.v {
                V::NoValue | V::Nil => "<nil>".to_string(),
                _ => format!("{}={}", a.type_name(), sprint(a)),
            })
            .collect();
        out.push_plain(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(x: f64) -> String {
        format_g(x, None, false)
    }

    #[test]
    fn floats_print_like_go() {
        assert_eq!(f(1.0), "1");
        assert_eq!(f(1.5), "1.5");
        assert_eq!(f(1000.0), "1000");
        assert_eq!(f(999999.0), "999999");
        assert_eq!(f(1000000.0), "1e+06");
        assert_eq!(f(1234567.0), "1.234567e+06");
        assert_eq!(f(356136738.0), "3.56136738e+08");
        assert_eq!(f(0.0001), "0.0001");
        assert_eq!(f(0.00001), "1e-05");
        assert_eq!(f(-2.5), "-2.5");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(format_g(1234.5678, Some(3), false), "1.23e+03");
        assert_eq!(format_e(1500.0, 2, false), "1.50e+03");
    }

    fn p(fmt: &str, args: Vec<Val>) -> String {
        sprintf(&Str::plain(fmt), &args).as_str().to_string()
    }

    #[test]
    fn printf_verbs_and_mismatches() {
        assert_eq!(p("%s-%d", vec![Val::str("api"), Val::int(3)]), "api-3");
        assert_eq!(p("%d", vec![Val::float(8080.0)]), "%!d(float64=8080)");
        assert_eq!(p("%v", vec![Val::float(8080.0)]), "8080");
        assert_eq!(
            p("%05d|%-4s|%x", vec![Val::int(42), Val::str("a"), Val::int(255)]),
            "00042|a   |ff"
        );
        assert_eq!(p("%.2f", vec![Val::float(1.23456)]), "1.23");
        assert_eq!(p("%q", vec![Val::str("a\"b")]), "\"a\\\"b\"");
        assert_eq!(p("%s %s", vec![Val::str("x")]), "x %!s(MISSING)");
        assert_eq!(p("%s", vec![Val::str("x"), Val::int(1)]), "x%!(EXTRA int=1)");
        assert_eq!(p("%s", vec![Val::nil()]), "%!s(<nil>)");
        assert_eq!(p("%v", vec![Val::nil()]), "<nil>");
        assert_eq!(p("100%%", vec![]), "100%");
        assert_eq!(p("%t", vec![Val::bool(true)]), "true");
        assert_eq!(p("%T", vec![Val::float(1.0)]), "float64");
    }

    #[test]
    fn sprint_spaces_only_between_non_strings() {
        let mut b = StrBuf::default();
        sprint_args(&[Val::str("a"), Val::int(1), Val::int(2), Val::str("b")], &mut b);
        assert_eq!(b.finish().as_str(), "a1 2b");
        let list = Val::list(vec![Val::str("a"), Val::float(2.0), Val::nil()]);
        assert_eq!(sprint(&list), "[a 2 <nil>]");
    }
}
