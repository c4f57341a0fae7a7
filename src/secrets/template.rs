//! Expands example templates into fake secrets at test time.
//!
//! The repository must hold no literal live-format token, so rule examples
//! and test fixtures describe their secrets as templates:
//!
//! - `{ALPHABET:N}` is N random characters of ALPHABET: `base62` (or
//!   `alnum`), `upper`, `lower`, `alpha`, `digit`, `hex`, `HEX`, `base32`,
//!   `base32lower`, `base64`, `base64url`, `lowernum` (`a-z0-9`), `uppernum`
//!   (`A-Z0-9`), `BECH32` (the bech32 data alphabet in upper case, as in age
//!   keys);
//! - `{checksum}` is the rule's checksum of the token generated so far (see
//!   [`Checksum::covered_tail`]);
//! - `{{` and `}}` are literal braces.

use crate::secrets::validate::Checksum;

/// A small, seedable pseudo-random generator (xorshift64*), enough for fake
/// secrets; not for cryptography.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator with a fixed seed, for reproducible output.
    pub fn with_seed(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// A generator seeded from the clock and the process id.
    pub fn from_clock() -> Rng {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Rng::with_seed(nanos ^ (u64::from(std::process::id()) << 32))
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// An error in a template: the template and what is wrong.
#[derive(Debug)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

fn alphabet(name: &str) -> Option<&'static [u8]> {
    Some(match name {
        "base62" | "alnum" => b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "upper" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "lower" => b"abcdefghijklmnopqrstuvwxyz",
        "alpha" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        "digit" => b"0123456789",
        "hex" => b"0123456789abcdef",
        "HEX" => b"0123456789ABCDEF",
        "base32" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        "base32lower" => b"abcdefghijklmnopqrstuvwxyz234567",
        "base64" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        "base64url" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        "lowernum" => b"abcdefghijklmnopqrstuvwxyz0123456789",
        "uppernum" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        "BECH32" => b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
        _ => return None,
    })
}

/// The longest run of random characters one placeholder may ask for.
const MAX_PLACEHOLDER_LEN: usize = 4096;

/// Expands `template`, drawing random characters from `rng`.
///
/// # Errors
///
/// An unknown alphabet, a malformed placeholder, or `{checksum}` without a
/// checksum or without a placeholder before it.
pub fn expand(template: &str, checksum: Option<Checksum>, rng: &mut Rng) -> Result<String, TemplateError> {
    let err = |what: &str| TemplateError(format!("template {template:?}: {what}"));
    let mut out = String::with_capacity(template.len() + 64);
    let mut produced_random = false;
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(err("unmatched `}`"));
        }
        let close = tail.find('}').ok_or_else(|| err("unclosed `{`"))?;
        let inner = &tail[1..close];
        rest = &tail[close + 1..];
        if inner == "checksum" {
            let scheme = checksum.ok_or_else(|| err("{checksum} but the rule has no checksum"))?;
            if !produced_random {
                return Err(err("{checksum} before any random part"));
            }
            let check = scheme.compute(scheme.covered_tail(out.as_bytes()));
            out.push_str(&String::from_utf8_lossy(&check));
            continue;
        }
        let (name, count) = inner.split_once(':').ok_or_else(|| err("placeholder is not {ALPHABET:N}"))?;
        let chars = alphabet(name).ok_or_else(|| err(&format!("unknown alphabet {name:?}")))?;
        let count: usize = count.parse().map_err(|_| err(&format!("bad length {count:?}")))?;
        // No real token is this long; a larger length would only exhaust
        // memory (found by fuzzing, issue 7).
        if count > MAX_PLACEHOLDER_LEN {
            return Err(err(&format!("length {count} is over {MAX_PLACEHOLDER_LEN}")));
        }
        let random: String = (0..count).map(|_| char::from(chars[rng.below(chars.len())])).collect();
        out.push_str(&random);
        produced_random = true;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (fuzz/fuzz_targets/secrets_template.rs, issue 7): a
    /// huge placeholder length aborted on allocation instead of erring.
    #[test]
    fn fuzz_huge_placeholder_length_is_an_error() {
        let err = expand("x{alnum:33333333333333232}", None, &mut Rng::with_seed(1)).unwrap_err();
        assert!(err.0.contains("over 4096"), "{err}");
        assert_eq!(expand("{digit:4096}", None, &mut Rng::with_seed(1)).unwrap().len(), 4096);
    }

    #[test]
    fn expands_alphabets_and_checksums() {
        let mut rng = Rng::with_seed(7);
        let token = expand("ghp_{base62:30}{checksum}", Some(Checksum::Crc32Base62), &mut rng).unwrap();
        assert_eq!(token.len(), 40);
        assert!(token.starts_with("ghp_"));
        assert!(Checksum::Crc32Base62.verify(token.as_bytes()));
        let hex = expand("x{hex:8}y {{z}}", None, &mut rng).unwrap();
        assert!(hex.starts_with('x') && hex.ends_with("y {z}"));
        assert!(hex[1..9].bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn rejects_bad_templates() {
        let mut rng = Rng::with_seed(1);
        assert!(expand("{nope:3}", None, &mut rng).is_err());
        assert!(expand("{checksum}", Some(Checksum::Crc32Base62), &mut rng).is_err());
        assert!(expand("{hex:8}{checksum}", None, &mut rng).is_err());
        assert!(expand("{hex:8", None, &mut rng).is_err());
    }
}
