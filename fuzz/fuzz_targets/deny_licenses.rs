//! The deny.toml readers of `commitguard licenses`: `[licenses]` (allowed
//! licences, exceptions, clarifications: SPDX ids and expressions) and
//! `[licenses.headers]`. Any text is a config or an error; a header config
//! builds a checker that can run over the same text as a source file.
#![no_main]

use std::path::Path;

use commitguard::config::deny_licenses::LicensePolicyConfig;
use commitguard::config::license_headers::HeaderConfig;
use commitguard::licenses::headers::HeaderChecker;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("deny.toml");
    let policy = LicensePolicyConfig::parse(path, text);
    let Ok(headers) = HeaderConfig::parse(path, text) else { return };
    let allow = policy.as_ref().ok().map(|p| p.allow.as_slice());
    let checker = HeaderChecker::new(&headers, allow, Path::new("/nonexistent/commitguard-fuzz"))
        .expect("a header config that parsed builds a checker");
    checker.check("src/lib.rs", data, &mut Vec::new());
});
