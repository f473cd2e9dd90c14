//! # mobilize-fuzz
//!
//! The readers of untrusted input must never panic, whatever bytes they get: the scenario
//! parser and validator, the `--set` parser (and its application to a scenario), the design-file
//! reader (and the validation of its rows), and the checkpoint reader. This crate feeds them
//! mutated inputs on stable Rust (no libFuzzer, no nightly):
//! - [`targets`]: one function per reader, bytes in, `Ok` or a described error out;
//! - [`mutate`]: byte flips, interesting numbers, token insertions from a TOML dictionary,
//!   deletions, duplications and splices of corpus entries;
//! - [`campaign`]: runs millions of inputs in parallel under `catch_unwind`, keeps inputs that
//!   give a new kind of error message (cheap feedback in place of coverage), and saves every
//!   input that panicked.
//!
//! The corpus (`corpus/<target>/`) and the crashes found (`crashes/`, fixed since) run in the
//! normal test suite (`tests/regressions.rs`).

pub mod campaign;
pub mod mutate;
pub mod targets;
