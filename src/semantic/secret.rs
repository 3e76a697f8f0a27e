//! Whether a name says it holds a secret: one reading for environment variables, Dockerfile
//! `ENV`/`ARG`, Python names, pipeline variables and compose `environment:` keys.
//!
//! A name is split into words at `_`, `-`, `.` and camelCase boundaries (`storageAccountKey` →
//! `storage account key`, `APIKey` → `api key`), so every spelling of the same name is read the
//! same way. A name whose last word says it *points at* a secret (`TOKEN_URL`, `PASSWORD_FILE`,
//! `secret_name`) does not hold one.

/// Words that mark a secret wherever they stand.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "pat",
];

/// A word that makes a following `key` a secret (`API_KEY`, `storageAccountKey`); `key` alone,
/// or `primary_key` in a database model, is not one.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "account",
    "private",
    "secret",
    "auth",
    "signing",
    "encryption",
    "storage",
    "master",
    "shared",
    "client",
    "subscription",
    "instrumentation",
    "function",
    "host",
];

/// Adjacent word pairs that mark a secret.
const SECRET_PAIRS: &[(&str, &str)] = &[("connection", "string"), ("conn", "str"), ("sas", "url")];

/// Last words of names that point at a secret, or describe one, rather than hold it.
const REFERENCE_SUFFIXES: &[&str] = &[
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "endpoint",
    "name",
    "names",
    "header",
    "ttl",
    "expiry",
    "expiration",
    "length",
    "type",
    "id",
    "version",
    "enabled",
    "required",
    "audience",
    "issuer",
    "scope",
    "scopes",
    "host",
    "port",
    "user",
    "username",
    "region",
    "mode",
    "timeout",
    "lifetime",
    "algorithm",
    "prefix",
    "policy",
    "size",
    "min",
    "max",
    "vault",
    "field",
    "count",
    "format",
    "label",
    "prompt",
    "ref",
];

/// The words of a name, lower-cased: split at separators and camelCase boundaries.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || p.is_ascii_digit() || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a variable, key or argument name says it holds a secret (`DB_PASSWORD`, `authToken`,
/// `storageAccountKey`, `config["SECRET_KEY"]`); `token_url`, `password_field`, `key` and
/// `max_tokens` name something else.
pub fn is_secret_name(name: &str) -> bool {
    // the last segment of a dotted or subscripted name: `self.token`, `config["SECRET_KEY"]`
    let last = name
        .rsplit(['.', '['])
        .map(|s| s.trim_matches(|c: char| matches!(c, ']' | '"' | '\'')))
        .find(|s| !s.is_empty())
        .unwrap_or(name);
    let words = words(last);
    let Some(end) = words.last() else { return false };
    if REFERENCE_SUFFIXES.contains(&end.as_str()) {
        return false;
    }
    let secret_word = |w: &str| {
        SECRET_WORDS.contains(&w)
            || w.ends_with("password")
            || w.ends_with("secret")
            || w.ends_with("apikey")
            || (w.ends_with("token") && w.len() > 5)
    };
    words.iter().any(|w| secret_word(w))
        || words.windows(2).any(|p| {
            (p[1] == "key" && KEY_QUALIFIERS.contains(&p[0].as_str()))
                || SECRET_PAIRS.iter().any(|(a, b)| p[0] == *a && p[1] == *b)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_spelling() {
        assert_eq!(words("storageAccountKey"), ["storage", "account", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(words("oauth2Token"), ["oauth2", "token"]);
    }

    #[test]
    fn secret_names() {
        for yes in [
            "password",
            "DB_PASSWORD",
            "api_key",
            "SECRET_KEY",
            "authToken",
            "client_secret",
            "self.token",
            "config[\"SECRET_KEY\"]",
            "storageAccountKey",
            "AZURE_STORAGE_ACCOUNT_KEY",
            "ConnectionString",
            "AZURE_DEVOPS_PAT",
            "adminPassword",
            "GITHUB_TOKEN",
            "ARM_CLIENT_SECRET",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            "token_url",
            "password_field",
            "key",
            "primary_key",
            "TOKEN_TYPE",
            "max_tokens",
            "PASSWORD_FILE",
            "secretName",
            "KEY_VAULT_NAME",
            "path",
            "patch",
            "tokens",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }
}
