//! SPDX expressions as commitguard evaluates them: a package declaring any
//! licence text (the first line of the input) is judged against a fixed
//! policy without panicking, and an SPDX-License-Identifier header holding
//! the rest of the input is checked the same way.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use commitguard::config::deny_licenses::LicensePolicyConfig;
use commitguard::config::license_headers::HeaderConfig;
use commitguard::licenses::detect::Detector;
use commitguard::licenses::headers::HeaderChecker;
use commitguard::licenses::{policy, Ecosystem, Package};
use libfuzzer_sys::fuzz_target;

const POLICY: &str = r#"
[licenses]
allow = ["MIT", "Apache-2.0", "BSD-3-Clause", "Unicode-3.0", "GPL-2.0-or-later"]
exceptions = [
    { name = "fuzzed", allow = ["Apache-2.0 WITH LLVM-exception", "MPL-2.0"] },
]
"#;

const ROOT: &str = "/nonexistent/commitguard-fuzz";

fn config() -> &'static (LicensePolicyConfig, HeaderChecker) {
    static CONFIG: OnceLock<(LicensePolicyConfig, HeaderChecker)> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let path = Path::new("deny.toml");
        let policy = LicensePolicyConfig::parse(path, POLICY).expect("fixed policy parses");
        let headers = HeaderConfig::parse(path, POLICY).expect("fixed policy parses");
        let checker = HeaderChecker::new(&headers, Some(&policy.allow), Path::new(ROOT)).expect("checker builds");
        (policy, checker)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (expression, rest) = text.split_once('\n').unwrap_or((text, ""));
    let (config, checker) = config();
    let package = Package {
        name: if expression.len() % 2 == 0 { "fuzzed" } else { "other" }.to_owned(),
        version: "1.0.0".to_owned(),
        ecosystem: Ecosystem::Cargo,
        license: Some(expression.to_owned()),
        license_field: "license",
        license_file: None,
        root: None,
        manifest: PathBuf::from(ROOT).join("Cargo.toml"),
        line: Some(1),
        is_member: false,
        publish: None,
        source: None,
    };
    let report = policy::check(&[package], config, &Detector::new(), Path::new(ROOT)).expect("no licence text is read");
    assert_eq!(report.checked, 1);

    let header = format!("// SPDX-License-Identifier: {expression}\n{rest}");
    checker.check("src/lib.rs", header.as_bytes(), &mut Vec::new());
});
