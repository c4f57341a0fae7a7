//! Example templates of rules (`{base62:20}`, `{checksum}`...): expanding
//! any text either yields a string or a `TemplateError`, never a panic.
#![no_main]

use commitguard::secrets::template::{expand, Rng};
use commitguard::secrets::validate::Checksum;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(template) = std::str::from_utf8(rest) else { return };
    let checksum = match pick % 3 {
        0 => None,
        1 => Some(Checksum::Crc32Base62),
        _ => Some(Checksum::Crc32HexLe),
    };
    let _ = expand(template, checksum, &mut Rng::with_seed(u64::from(pick)));
});
