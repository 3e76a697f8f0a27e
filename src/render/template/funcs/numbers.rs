//! Sprig's numbers: conversions the way the `cast` library does them (a string that is not a
//! number is 0), integer arithmetic in int64 (`add`, `sub`, `mul`, `div`, `max`...), float
//! arithmetic (`addf`...), rounding.

use super::{arity, arity_min, want_int, FnError, Res};
use crate::render::template::value::{Val, V};

/// `cast.ToInt64`: numbers truncated, booleans 0/1, strings parsed (`0x`, `0` prefixes, a
/// trailing `.0`), anything else 0.
pub fn to_int64(v: &Val) -> i64 {
    match &v.v {
        V::Int(i) | V::Int64(i) => *i,
        V::Float(f) if f.is_finite() => *f as i64,
        V::Bool(b) => i64::from(*b),
        V::Str(s) => {
            let t = s.as_str().trim();
            let t = t.strip_suffix(".0").unwrap_or(t);
            crate::render::template::parse::parse_int(t).unwrap_or(0)
        }
        _ => 0,
    }
}

/// `cast.ToFloat64`.
pub fn to_float64(v: &Val) -> f64 {
    match &v.v {
        V::Int(i) | V::Int64(i) => *i as f64,
        V::Float(f) => *f,
        V::Bool(b) => f64::from(u8::from(*b)),
        V::Str(s) => s.as_str().trim().parse::<f64>().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn int64(i: i64) -> Val {
    Val::new(V::Int64(i))
}

pub(super) fn call(name: &str, args: &[Val]) -> Option<Res> {
    let r = match name {
        "int" => arity(name, args, 1).map(|_| Val::int(to_int64(&args[0])).with_origin(args[0].o)),
        "int64" => arity(name, args, 1).map(|_| int64(to_int64(&args[0])).with_origin(args[0].o)),
        "float64" => arity(name, args, 1).map(|_| Val::float(to_float64(&args[0])).with_origin(args[0].o)),
        "atoi" => arity(name, args, 1).and_then(|_| {
            let s = super::want_str(&args[0])?;
            Ok(Val::int(s.as_str().trim().parse::<i64>().unwrap_or(0)).with_origin(args[0].o))
        }),
        "toDecimal" => arity(name, args, 1).map(|_| {
            let s = super::strval(&args[0]);
            int64(i64::from_str_radix(s.as_str(), 8).unwrap_or(0))
        }),
        "add1" => arity(name, args, 1).map(|_| int64(to_int64(&args[0]).wrapping_add(1))),
        "add" => Ok(int64(args.iter().fold(0i64, |a, b| a.wrapping_add(to_int64(b))))),
        "sub" => arity(name, args, 2).map(|_| int64(to_int64(&args[0]).wrapping_sub(to_int64(&args[1])))),
        "mul" => arity_min(name, args, 1).map(|_| int64(args.iter().fold(1i64, |a, b| a.wrapping_mul(to_int64(b))))),
        "div" | "mod" => arity(name, args, 2).and_then(|_| {
            let (a, b) = (to_int64(&args[0]), to_int64(&args[1]));
            if b == 0 {
                return Err(FnError::new("runtime error: integer divide by zero"));
            }
            Ok(int64(if name == "div" {
                a.wrapping_div(b)
            } else {
                a.wrapping_rem(b)
            }))
        }),
        "max" | "biggest" => arity_min(name, args, 1).map(|_| int64(args.iter().map(to_int64).max().unwrap_or(0))),
        "min" => arity_min(name, args, 1).map(|_| int64(args.iter().map(to_int64).min().unwrap_or(0))),
        "add1f" => arity(name, args, 1).map(|_| Val::float(to_float64(&args[0]) + 1.0)),
        "addf" => Ok(Val::float(args.iter().map(to_float64).sum())),
        "subf" => arity_min(name, args, 1).map(|_| {
            let first = to_float64(&args[0]);
            Val::float(args[1..].iter().fold(first, |a, b| a - to_float64(b)))
        }),
        "mulf" => arity_min(name, args, 1).map(|_| Val::float(args.iter().map(to_float64).product())),
        "divf" => arity_min(name, args, 1).and_then(|_| {
            let mut acc = to_float64(&args[0]);
            for b in &args[1..] {
                let d = to_float64(b);
                if d == 0.0 {
                    return Err(FnError::new("division by zero"));
                }
                acc /= d;
            }
            Ok(Val::float(acc))
        }),
        "maxf" => arity_min(name, args, 1).map(|_| Val::float(args.iter().map(to_float64).fold(f64::MIN, f64::max))),
        "minf" => arity_min(name, args, 1).map(|_| Val::float(args.iter().map(to_float64).fold(f64::MAX, f64::min))),
        "floor" => arity(name, args, 1).map(|_| Val::float(to_float64(&args[0]).floor())),
        "ceil" => arity(name, args, 1).map(|_| Val::float(to_float64(&args[0]).ceil())),
        "round" => arity_min(name, args, 2).and_then(|_| {
            let x = to_float64(&args[0]);
            let places = want_int(&args[1])?.clamp(-15, 15);
            let half = args.get(2).map(to_float64).unwrap_or(0.5);
            let p = 10f64.powi(places as i32);
            let scaled = x * p;
            let base = scaled.trunc();
            let frac = (scaled - base).abs();
            let r = if frac >= half { base + scaled.signum() } else { base };
            Ok(Val::float(r / p))
        }),
        "randInt" => arity(name, args, 2).and_then(|_| Ok(Val::int(want_int(&args[0])?))),
        _ => return None,
    };
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_like_sprig() {
        assert_eq!(to_int64(&Val::float(3.9)), 3);
        assert_eq!(to_int64(&Val::str("42")), 42);
        assert_eq!(to_int64(&Val::str("8.0")), 8);
        assert_eq!(to_int64(&Val::str("abc")), 0);
        assert_eq!(to_int64(&Val::bool(true)), 1);
        let r = call("add", &[Val::int(1), Val::float(2.0), Val::str("3")])
            .unwrap()
            .unwrap();
        assert!(matches!(r.v, V::Int64(6)));
        let r = call("round", &[Val::float(2.345), Val::int(2)]).unwrap().unwrap();
        assert!(matches!(r.v, V::Float(f) if (f - 2.35).abs() < 1e-9));
        assert!(call("div", &[Val::int(1), Val::int(0)]).unwrap().is_err());
    }
}
