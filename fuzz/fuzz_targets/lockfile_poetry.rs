//! The poetry.lock parser: any text is a lockfile or an error naming the
//! file; see `lockfile.rs` for what is checked.
#![no_main]

use commitguard::deps::lockfile::Format;
use libfuzzer_sys::fuzz_target;

#[path = "../lockfile.rs"]
mod lockfile;

fuzz_target!(|data: &[u8]| lockfile::check(Format::Poetry, "poetry.lock", data));
