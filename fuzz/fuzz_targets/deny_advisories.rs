//! The deny.toml reader of `commitguard deps` (`[advisories]`, `[bans]`,
//! `[sources]`, `[graph]`): any text is a config or an error naming the
//! file, and a config's package specs can be matched.
#![no_main]

use commitguard::config::deny::DenyConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = match DenyConfig::parse("deny.toml", text) {
        Ok(config) => config,
        Err(e) => {
            assert!(e.to_string().starts_with("deny.toml"), "error {e} does not name the file");
            return;
        }
    };
    let _ = config.unused_keys();
    let _ = config.graph.has_filters();
    for spec in config.bans.deny.iter().chain(&config.bans.skip) {
        let _ = spec.matches("serde", "1.0.0");
        let _ = spec.matches(&spec.name, "0.0.0-pre+build");
    }
});
