//! The advisory readers of `commitguard deps`: a RustSec advisory
//! (Markdown with a TOML front block) and an OSV record (JSON, or YAML as
//! PyPA writes them). Databases come from the network, so any text must be
//! an advisory or an error; an advisory's version ranges then evaluate.
#![no_main]

use commitguard::deps::db::{osv, rustsec};
use commitguard::deps::Ecosystem;
use libfuzzer_sys::fuzz_target;

const VERSIONS: &[&str] = &["0.0.0", "1.2.3", "1.2.3-rc.1", "2!1.0.post1", "v0.0.0-20200101000000-abcdef123456", ""];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let advisories = match pick % 3 {
        0 => match rustsec::convert(text) {
            Ok(Some((_, advisory))) => vec![(Ecosystem::Cargo, advisory)],
            _ => return,
        },
        yaml => match osv::convert(text, yaml == 2) {
            Ok(found) => found.into_iter().map(|(ecosystem, _, advisory)| (ecosystem, advisory)).collect(),
            Err(_) => return,
        },
    };
    for (ecosystem, advisory) in &advisories {
        for version in VERSIONS {
            let _ = advisory.affects(*ecosystem, version);
            let _ = advisory.patched(*ecosystem, version);
        }
    }
});
