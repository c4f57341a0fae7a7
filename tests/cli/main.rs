//! Integration tests: the real `commitguard` binary on real crates and
//! repositories made in temporary directories. One module per check.

mod licenses;
