//! Sprig's certificate and key functions: `genCA`, `genSelfSignedCert`, `genSignedCert` (and
//! their `WithKey` forms), `genPrivateKey`, `buildCustomCert`.
//!
//! A chart generates a certificate at install time from a fresh random key, so no value of the
//! bytes is "the" output: what a lint needs is the shape Helm gives the rendered objects. The
//! arguments are checked as Sprig checks them (types, IP addresses, the CA argument), and the
//! result is Sprig's `certificate` (`.Cert`, `.Key`) holding PEM blocks of the right types,
//! different for each call and the same on every run; they are not usable keys.

use super::{arity, derived, want_int, want_str, want_traced_str, FnError, Res};
use crate::render::template::exec::Exec;
use crate::render::template::value::{Map, Str, Val, V};

pub(super) fn call(ex: &mut Exec, name: &str, args: &[Val]) -> Option<Res> {
    let r = match name {
        "genCA" => gen(ex, name, args, 2, Kind::Ca),
        "genCAWithKey" => gen(ex, name, args, 3, Kind::Ca),
        "genSelfSignedCert" => gen(ex, name, args, 4, Kind::SelfSigned),
        "genSelfSignedCertWithKey" => gen(ex, name, args, 5, Kind::SelfSigned),
        "genSignedCert" => gen(ex, name, args, 5, Kind::Signed),
        "genSignedCertWithKey" => gen(ex, name, args, 6, Kind::Signed),
        "genPrivateKey" => arity(name, args, 1).and_then(|_| {
            let typ = want_str(&args[0])?.as_str();
            Ok(Val::string(match key_header(typ) {
                Some(header) => Str::generated(&pem(ex, header, 1190)),
                // Sprig returns the message as the key
                None => Str::plain(format!("Unknown type {typ}")),
            }))
        }),
        "buildCustomCert" => arity(name, args, 2).and_then(|_| {
            let (cert, key) = (want_traced_str(&args[0])?, want_traced_str(&args[1])?);
            Ok(certificate(
                derived(&cert, &decode(cert.as_str(), "certificate", "certificate")?),
                derived(&key, &decode(key.as_str(), "private key", "key")?),
            ))
        }),
        _ => return None,
    };
    Some(r)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Ca,
    SelfSigned,
    Signed,
}

/// `genCA cn days [key]`, `genSelfSignedCert cn ips dns days [key]`,
/// `genSignedCert cn ips dns days ca [key]`.
fn gen(ex: &mut Exec, name: &str, args: &[Val], want: usize, kind: Kind) -> Res {
    arity(name, args, want)?;
    want_str(&args[0])?;
    let days_at = if kind == Kind::Ca { 1 } else { 3 };
    if kind != Kind::Ca {
        ips(&args[1])?;
        dns_names(&args[2])?;
    }
    want_int(&args[days_at])?;
    if kind == Kind::Signed {
        ca(&args[4])?;
    }
    let with_key = name.ends_with("WithKey");
    // a given key is the caller's (a values entry keeps its line); a new one is generated
    let key = if with_key {
        let given = want_traced_str(&args[want - 1])?;
        if !given.as_str().contains("-----BEGIN ") {
            return Err(FnError::new("parsing private key: no PEM data in input"));
        }
        given
    } else {
        Str::generated(&pem(ex, "RSA PRIVATE KEY", 1190))
    };
    let cert = Str::generated(&pem(ex, "CERTIFICATE", 800));
    Ok(certificate(cert, key))
}

/// Sprig's `certificate` struct: fields `Cert` and `Key`.
fn certificate(cert: Str, key: Str) -> Val {
    let mut m = Map::new();
    m.insert("Cert".into(), Val::string(cert));
    m.insert("Key".into(), Val::string(key));
    Val::map(m)
}

/// `[]interface{}` of IP address strings (nil is none).
fn ips(v: &Val) -> Result<(), FnError> {
    for ip in list(v, "ips")? {
        let V::Str(s) = &ip.v else {
            return Err(FnError::new(format!(
                "error parsing ip: {} is not a string",
                super::strval(&ip).as_str()
            )));
        };
        if s.as_str().parse::<std::net::IpAddr>().is_err() {
            return Err(FnError::new(format!("error parsing ip: {}", s.as_str())));
        }
    }
    Ok(())
}

fn dns_names(v: &Val) -> Result<(), FnError> {
    for d in list(v, "alternateDNS")? {
        if !matches!(d.v, V::Str(_)) {
            return Err(FnError::new(format!(
                "error processing alternate dns name: {} is not a string",
                super::strval(&d).as_str()
            )));
        }
    }
    Ok(())
}

fn list(v: &Val, what: &str) -> Result<Vec<Val>, FnError> {
    match &v.v {
        V::NoValue | V::Nil => Ok(Vec::new()),
        V::List(l) => Ok(l.as_ref().clone()),
        _ => Err(FnError::new(format!(
            "wrong type for value; expected []interface {{}} for {what}; got {}",
            v.type_name()
        ))),
    }
}

/// The CA argument: what `genCA` returned (or `buildCustomCert`).
fn ca(v: &Val) -> Result<(), FnError> {
    if let V::Map(m) = &v.v {
        let m = m.borrow();
        if matches!(m.get("Cert").map(|c| &c.v), Some(V::Str(_)))
            && matches!(m.get("Key").map(|k| &k.v), Some(V::Str(_)))
        {
            return Ok(());
        }
    }
    Err(FnError::new(format!(
        "wrong type for value; expected sprig.certificate; got {}",
        v.type_name()
    )))
}

fn key_header(typ: &str) -> Option<&'static str> {
    Some(match typ {
        "" | "rsa" => "RSA PRIVATE KEY",
        "dsa" => "DSA PRIVATE KEY",
        "ecdsa" => "EC PRIVATE KEY",
        "ed25519" => "PRIVATE KEY",
        _ => return None,
    })
}

/// A PEM block of `bytes` bytes from the render's fixed random sequence.
fn pem(ex: &mut Exec, label: &str, bytes: usize) -> String {
    let mut body = Vec::with_capacity(bytes + 8);
    while body.len() < bytes {
        body.extend_from_slice(&ex.next_random().to_le_bytes());
    }
    body.truncate(bytes);
    let b64 = super::codec::b64encode(&body);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// `buildCustomCert`'s base64 argument, decoded; it must hold a PEM block.
fn decode(b64: &str, what: &str, short: &str) -> Result<String, FnError> {
    let bytes = super::codec::b64decode(b64).ok_or_else(|| FnError::new(format!("unable to decode base64 {what}")))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if !text.contains("-----BEGIN ") {
        return Err(FnError::new(format!("unable to decode {short}")));
    }
    Ok(text)
}
