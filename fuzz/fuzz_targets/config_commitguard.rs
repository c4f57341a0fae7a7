//! The commitguard.toml reader: any text is a policy or a `ConfigError`, and
//! a policy builds a scanner that can run (over the same text).
#![no_main]

use std::path::Path;

use commitguard::config::commitguard::parse_secrets;
use commitguard::secrets::Input;
use commitguard::source::AddedLines;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mut policy) = parse_secrets(Path::new("commitguard.toml"), text) else { return };
    // The built-in rules are fuzzed by secrets_scan; compiling 287 rules on
    // every input would slow this target a hundredfold.
    policy.builtin = false;
    let Ok(scanner) = policy.scanner() else { return };
    scanner.scan(&Input::new("commitguard.toml", data, &AddedLines::All), &mut Vec::new());
});
