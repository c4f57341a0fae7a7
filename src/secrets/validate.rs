//! Checks that a regex match really is a secret: entropy, checksums and the
//! placeholder filter.

use serde::Deserialize;

/// Shannon entropy of `bytes` in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let len = bytes.len() as f64;
    counts.iter().filter(|&&c| c > 0).fold(0.0, |acc, &c| {
        let p = f64::from(c) / len;
        acc - p * p.log2()
    })
}

/// A checksum scheme that a provider builds into its tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checksum {
    /// GitHub's and npm's format: `prefix_` + body + 6 base62 characters that
    /// encode the CRC32 of the body.
    Crc32Base62,
    /// Grafana's service account tokens: `glsa_` + secret + `_` + 8 hex
    /// digits, the CRC32 (IEEE) of everything before the last `_`, its four
    /// bytes little-endian.
    Crc32HexLe,
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl Checksum {
    /// Whether `secret` carries a valid checksum.
    pub fn verify(self, secret: &[u8]) -> bool {
        self.split(secret).is_some_and(|(covered, check)| check == self.compute(covered).as_slice())
    }

    /// Splits a token into the part its checksum covers and the checksum.
    fn split(self, token: &[u8]) -> Option<(&[u8], &[u8])> {
        let last_underscore = token.iter().rposition(|&b| b == b'_')?;
        match self {
            Checksum::Crc32Base62 => {
                let body = &token[last_underscore + 1..];
                let body_len = body.len().checked_sub(6)?;
                Some(body.split_at(body_len))
            }
            Checksum::Crc32HexLe => Some((&token[..last_underscore], &token[last_underscore + 1..])),
        }
    }

    /// The checksum characters for `covered`, as a token generator appends
    /// them.
    pub fn compute(self, covered: &[u8]) -> Vec<u8> {
        match self {
            Checksum::Crc32Base62 => base62_crc32(covered).to_vec(),
            Checksum::Crc32HexLe => {
                let digits = b"0123456789abcdef";
                crc32fast::hash(covered)
                    .to_le_bytes()
                    .iter()
                    .flat_map(|&b| [digits[usize::from(b >> 4)], digits[usize::from(b & 15)]])
                    .collect()
            }
        }
    }

    /// The part of `text` that a checksum appended right after it covers,
    /// when `text` ends with a token being generated: the characters after
    /// the last `_` for [`Checksum::Crc32Base62`]; the trailing run of token
    /// characters, less its final `_`, for [`Checksum::Crc32HexLe`].
    pub fn covered_tail(self, text: &[u8]) -> &[u8] {
        match self {
            Checksum::Crc32Base62 => {
                let start = text.iter().rposition(|&b| b == b'_').map_or(0, |i| i + 1);
                &text[start..]
            }
            Checksum::Crc32HexLe => {
                let text = text.strip_suffix(b"_").unwrap_or(text);
                let is_token_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
                let start = text.iter().rposition(|b| !is_token_char(b)).map_or(0, |i| i + 1);
                &text[start..]
            }
        }
    }
}

/// CRC32 of `body` in base62, left-padded with `0` to six characters.
fn base62_crc32(body: &[u8]) -> [u8; 6] {
    let mut n = crc32fast::hash(body);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// Words that mark a value as documentation or a placeholder.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "your_",
    "your-",
    "yourapi",
    "insert",
    "redacted",
    "xxxxxx",
    "******",
    "<",
    "${",
    "{{",
    "%(",
    "$(",
    "fake",
    "foobar",
    "lorem",
    "replace",
    // An ellipsis stands for the rest of a value in documentation
    // (`sk-ant-api03-...`); no token alphabet holds three dots in a row.
    "...",
    "\u{2026}",
    // The example credentials of RFC 6749 (OAuth 2.0), copied into many
    // libraries' documentation and tests.
    "2yotnfzfejr1zcsicmwpaa",
    "tgzv3jokf0xg5qx2tlkwia",
    "splxlobezqqybys6wxsbia",
    "czzcagrsa3f0mzpnwdfmqmf0m2jw",
];

/// Whether `secret` is a placeholder or documentation value rather than a
/// real secret: a known marker word, one repeated character, or an obvious
/// ascending or descending run.
pub fn is_placeholder(secret: &[u8]) -> bool {
    let lower: Vec<u8> = secret.iter().map(u8::to_ascii_lowercase).collect();
    if PLACEHOLDER_WORDS.iter().any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some()) {
        return true;
    }
    is_low_variety(&lower) || is_sequence(&lower)
}

/// At most two distinct characters (after a prefix-free look): `aaaa`,
/// `abababab`, `0000-0000`.
fn is_low_variety(s: &[u8]) -> bool {
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in s.iter().filter(|b| b.is_ascii_alphanumeric()) {
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            distinct += 1;
            if distinct > 2 {
                return false;
            }
        }
    }
    true
}

/// A run such as `abcdefgh`, `12345678` or `987654321` makes up most of it.
fn is_sequence(s: &[u8]) -> bool {
    let alnum: Vec<u8> = s.iter().copied().filter(u8::is_ascii_alphanumeric).collect();
    if alnum.len() < 6 {
        return false;
    }
    let steps = alnum.windows(2).filter(|w| w[1] == w[0].wrapping_add(1) || w[0] == w[1].wrapping_add(1)).count();
    steps * 10 >= (alnum.len() - 1) * 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-9);
        assert!((entropy(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn crc32_base62_round_trip() {
        let body = b"aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0";
        let mut token = b"ghp_".to_vec();
        token.extend_from_slice(body);
        let check = Checksum::Crc32Base62.compute(body);
        token.extend_from_slice(&check);
        assert!(Checksum::Crc32Base62.verify(&token));
        let last = token.len() - 1;
        token[last] = if token[last] == b'A' { b'B' } else { b'A' };
        assert!(!Checksum::Crc32Base62.verify(&token));
    }

    #[test]
    fn crc32_hex_le_round_trip() {
        // CRC32 ("123456789") is the standard check value 0xCBF43926.
        assert_eq!(Checksum::Crc32HexLe.compute(b"123456789"), b"2639f4cb");
        // Built from pieces so that the source holds no token-shaped string.
        let covered = [b"glsa".as_slice(), b"_k3J9sD0fLq7ZxW2vq8Vz3LmP0xTw7RkN"].concat();
        let check = Checksum::Crc32HexLe.compute(&covered);
        let token = [&covered[..], b"_", &check].concat();
        assert!(Checksum::Crc32HexLe.verify(&token));
        assert!(!Checksum::Crc32HexLe.verify(&[&covered[..], b"_00000000"].concat()));
        assert!(!Checksum::Crc32HexLe.verify(b"no-underscore"));
        assert_eq!(Checksum::Crc32HexLe.covered_tail(b"TOKEN=glsa_abc_"), b"glsa_abc");
        assert_eq!(Checksum::Crc32Base62.covered_tail(b"TOKEN=ghp_abc"), b"abc");
    }

    #[test]
    fn placeholders() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "xxxxxxxxxxxxxxxx",
            "your-api-key-here",
            "<TOKEN>",
            "${API_KEY}",
            "2YotnFZFEjr1zCsicMWpAA",
            "sk-ant-api03-...",
            "sk-proj-\u{2026}",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for p in ["abcdefghijklmnop", "1234567890", "aaaaaaaaaa", "abababababab"] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        for real in ["q8Vz3LmP0xTw7RkN2cYb", "k3J9sD0fLq7ZxW2v"] {
            assert!(!is_placeholder(real.as_bytes()), "{real}");
        }
    }
}
