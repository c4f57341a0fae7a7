//! The scanning engine with the built-in rules over arbitrary bytes, every
//! line counting as added. The first byte picks the path, since some rules
//! apply only to some file names.
#![no_main]

use std::sync::OnceLock;

use commitguard::secrets::{Input, Scanner};
use commitguard::source::AddedLines;
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[".env", "src/main.rs", "config.yaml", ".npmrc", "id_rsa", "settings.py", "a.json", "x"];

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::builtin().expect("built-in rules load"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else { return };
    let path = PATHS[usize::from(pick) % PATHS.len()];
    let mut findings = Vec::new();
    scanner().scan(&Input::new(path, bytes, &AddedLines::All), &mut findings);
    let lines = bytes.split(|&b| b == b'\n').count() as u32;
    for f in &findings {
        assert!(f.line >= 1 && f.line <= lines, "finding on line {} of a {lines}-line text", f.line);
        let secret = f.secret().expect("a secrets finding has secret details");
        assert!(secret.end_line >= f.line, "finding ends (line {}) before it starts ({})", secret.end_line, f.line);
    }
});
