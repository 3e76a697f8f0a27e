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

/// Endings that make a word a secret's (`dbpassword`, `clientsecret`, `authtoken`).
const SECRET_SUFFIXES: &[&str] = &["password", "secret", "apikey", "token"];

/// The word a qualifier before it makes a secret (`API_KEY`).
const QUALIFIED_KEY: &str = "key";

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
    "ids",
    "arn",
    "date",
    "version",
    "versions",
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
    "var",
    "source",
    "interval",
    "period",
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
    if !may_name_a_secret(last) {
        return false;
    }
    secret_words(last)
}

/// Whether an ASCII name can be a secret's by its letters: every word of it is a run of its
/// letters lowercased, and a secret's words hold one of [`SECRET_WORDS`], [`SECRET_SUFFIXES`],
/// [`QUALIFIED_KEY`] or the last word of one of [`SECRET_PAIRS`]; a name none of them is in
/// (case aside) is no secret's, and most
/// names (every key of every manifest) are told so without being split into words. A name
/// with other characters is split (lowercasing beyond ASCII can make ASCII letters).
fn may_name_a_secret(name: &str) -> bool {
    if !name.is_ascii() {
        return true;
    }
    // one pass: a fragment is looked for only where a letter it starts with is
    let b = name.as_bytes();
    (0..b.len()).any(|i| {
        let rest = b.get(i..).unwrap_or_default();
        let c = rest.first().map(u8::to_ascii_lowercase);
        let fragments = SECRET_WORDS
            .iter()
            .chain(SECRET_SUFFIXES)
            .chain(std::iter::once(&QUALIFIED_KEY))
            .chain(SECRET_PAIRS.iter().map(|(_, last)| last));
        fragments.into_iter().any(|f| {
            f.as_bytes().first() == c.as_ref()
                && rest
                    .get(..f.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(f.as_bytes()))
        })
    })
}

/// [`is_secret_name`] of a last segment, by its words.
fn secret_words(last: &str) -> bool {
    let words = words(last);
    let Some(end) = words.last() else { return false };
    if REFERENCE_SUFFIXES.contains(&end.as_str()) {
        return false;
    }
    // `token` ends a longer word only (`authtoken`, not the bare word, which SECRET_WORDS has)
    let secret_word = |w: &str| {
        SECRET_WORDS.contains(&w)
            || SECRET_SUFFIXES
                .iter()
                .any(|s| w.ends_with(s) && (*s != "token" || w.len() > s.len()))
    };
    words.iter().any(|w| secret_word(w))
        || words.windows(2).any(|p| {
            (p[1] == QUALIFIED_KEY && KEY_QUALIFIERS.contains(&p[0].as_str()))
                || SECRET_PAIRS.iter().any(|(a, b)| p[0] == *a && p[1] == *b)
        })
}

/// Attributes that providers document as holding a secret under a name that does not say so:
/// Azure's `primary_key`/`secondary_key`, AKS's `kube_config`, a SAS URL.
const PROVIDER_SECRET_ATTRIBUTES: &[&str] = &[
    "primary_key",
    "secondary_key",
    "kube_config",
    "kube_config_raw",
    "kube_admin_config",
    "kube_admin_config_raw",
    "client_key",
    "client_certificate",
    "sas",
    "sas_url",
];

/// Whether a provider attribute (or a Terraform variable, local or output name) holds a secret:
/// a secret name, or one of the attributes providers document as secret.
pub fn is_secret_attribute(name: &str) -> bool {
    PROVIDER_SECRET_ATTRIBUTES.contains(&name) || is_secret_name(name)
}

/// Values that are secrets whatever they are called, and what they are.
static SECRET_VALUES: std::sync::LazyLock<Vec<(regex::Regex, &'static str)>> = std::sync::LazyLock::new(|| {
    [
        (r"\b(AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key id"),
        (
            r"-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----",
            "a private key",
        ),
        (r"(?i)\bAccountKey=[A-Za-z0-9+/]{86}==", "an Azure storage account key"),
        (r"^[A-Za-z0-9+/]{86}==$", "an Azure storage account key"),
        (r"[?&]sig=[A-Za-z0-9%+/=]{20,}", "a SAS token signature"),
        (
            r"(?i)\bSharedAccessKey=[A-Za-z0-9+/]{43}=",
            "a Service Bus / Event Hubs key",
        ),
    ]
    .into_iter()
    .map(|(re, what)| (regex::Regex::new(re).expect("static regex"), what))
    .collect()
});

/// What secret a value is by its shape alone (an AWS access key id, a PEM private key, an Azure
/// storage key, a SAS signature), whatever it is called. AWS's documentation keys
/// (`...EXAMPLE`) are not.
pub fn secret_value(v: &str) -> Option<&'static str> {
    if v.contains("EXAMPLE") {
        return None;
    }
    SECRET_VALUES
        .iter()
        .find(|(re, _)| re.is_match(v))
        .map(|(_, what)| *what)
}

/// Whether a value is the name of an environment variable (`AZURE_STATIC_WEB_APPS_API_TOKEN`,
/// `DB_PASSWORD`): it says where a secret is, it is not one.
pub fn names_a_variable(v: &str) -> bool {
    v.contains('_')
        && v.starts_with(|c: char| c.is_ascii_uppercase())
        && v.split('_')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
}

/// Values that refer to a secret kept elsewhere rather than hold it: a Key Vault reference, an
/// AWS ARN, a GCP Secret Manager resource name.
pub fn secret_store_reference(v: &str) -> bool {
    let t = v.trim();
    t.starts_with("@Microsoft.KeyVault(") || t.starts_with("arn:") || t.starts_with("projects/")
}

/// Values that are names rather than secrets: `"password"`, `"refresh_token"`,
/// `"AWS_SECRET_ACCESS_KEY"` (an environment variable's name), `"x-api-key"`.
static IDENTIFIER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"^(?:[a-z][a-z_.-]*|[A-Z][A-Z0-9_]*|[A-Z][a-z]+(?:[A-Z][a-z]+)*)$").expect("regex")
});

/// Values that are not secrets: short, templated, masked, prose, or an identifier.
pub fn placeholder(value: &str) -> bool {
    let v = value.trim();
    v.len() < 4
        || v.contains(char::is_whitespace)
        || IDENTIFIER.is_match(v)
        || v.starts_with('$')
        || v.starts_with('{')
        || v.starts_with('<')
        || v.starts_with("%(")
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X')
}

/// Whether a value written where a credential goes (a password option, a URL's password, a
/// `chpasswd` line) is the credential itself rather than a reference to one: not empty, no
/// expansion (`$PASS`, `${TOKEN}`, `$(cat /run/secrets/x)`, backticks, `%PASS%`,
/// `{{ .password }}`), not a masked or placeholder form (`***`, `xxxx`, `<password>`).
pub fn literal_credential(v: &str) -> bool {
    let t = v.trim();
    let reference =
        t.contains(['$', '`']) || t.contains("{{") || (t.len() > 2 && t.starts_with('%') && t.ends_with('%'));
    let placeholder = (t.starts_with('<') && t.ends_with('>')) || t.chars().all(|c| matches!(c, '*' | 'x' | 'X' | '.'));
    !(t.is_empty() || reference || placeholder)
}

/// The byte range in `text` of the password of the first URL with credentials
/// (`https://user:token@host/…`), when it is a literal credential.
pub fn url_password(text: &str) -> Option<std::ops::Range<usize>> {
    let scheme_end = text.find("://")? + 3;
    let rest = text.get(scheme_end..)?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    let range = scheme_end + colon + 1..scheme_end + at;
    literal_credential(text.get(range.clone())?).then_some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The letter test never turns away a name its words would call a secret's.
        #[test]
        fn the_fragment_test_keeps_every_secret_name(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "password", "Passwd", "PWD", "pass", "phrase", "secret", "Token", "tokens", "credential",
                    "api", "Api", "KEY", "key", "pat", "PAT", "connection", "String", "conn", "str", "sas",
                    "URL", "access", "account", "storage", "my", "db", "x", "_", "-", ".", "1", "auth",
                    "client", "file", "name", "max", "A", "b",
                ]),
                1..6,
            )
        ) {
            let name: String = parts.concat();
            if secret_words(&name) {
                proptest::prop_assert!(may_name_a_secret(&name), "{}", name);
            }
        }
    }

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
            "password_expiration_date",
            "db_password_arn",
            "secret_rotation_interval",
            "encryption_key_source",
            "api_token_var",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }

    #[test]
    fn secret_attributes_and_values() {
        for yes in [
            "primary_access_key",
            "primary_key",
            "kube_config_raw",
            "private_key_pem",
            "admin_password",
        ] {
            assert!(is_secret_attribute(yes), "{yes}");
        }
        for no in ["name", "versionless_id", "admin_password_secret_name", "key_vault_id"] {
            assert!(!is_secret_attribute(no), "{no}");
        }
        assert_eq!(secret_value("AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(secret_value("AKIAZ3MSJV4WWTEST123"), Some("an AWS access key id"));
        assert_eq!(
            secret_value("-----BEGIN OPENSSH PRIVATE KEY-----"),
            Some("a private key")
        );
        assert_eq!(
            secret_value("https://x.blob.core.windows.net/c?sv=2022&sig=abcdefghijklmnopqrstuvwx"),
            Some("a SAS token signature")
        );
        assert!(secret_store_reference(
            "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db)"
        ));
        assert!(!secret_store_reference("hunter2hunter2"));
        assert!(names_a_variable("AZURE_STATIC_WEB_APPS_API_TOKEN"));
        assert!(!names_a_variable("S3CR3T_PASS_w0rd"));
        assert!(!names_a_variable("HUNTER2"));
    }

    #[test]
    fn literal_credentials_and_urls() {
        for yes in ["Passw0rd", "root", "hunter2!"] {
            assert!(literal_credential(yes), "{yes}");
        }
        for no in [
            "",
            "$PASS",
            "${TOKEN}",
            "$(cat /run/secrets/db)",
            "`cat x`",
            "%PASS%",
            "***",
            "<password>",
            "{{ .pw }}",
        ] {
            assert!(!literal_credential(no), "{no}");
        }
        let url = "https://deploy:s3cr3t@pypi.example.com/simple";
        assert_eq!(url_password(url).and_then(|r| url.get(r)), Some("s3cr3t"));
        assert_eq!(url_password("https://${USER}:${TOKEN}@example.com/x"), None);
        assert_eq!(url_password("ssh://git@github.com/org/repo.git"), None);
        assert_eq!(url_password("http://localhost:8080/health"), None);
        assert_eq!(url_password("https://example.com/a:b@c"), None);
    }
}
