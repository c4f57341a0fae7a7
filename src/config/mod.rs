//! Configuration files read into typed policy.

pub mod deny;
